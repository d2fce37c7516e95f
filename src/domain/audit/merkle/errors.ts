/** An argument to a tree or proof-generation function is invalid (a programming or storage error). */
export class MerkleTreeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MerkleTreeError';
  }
}

/** A proof (or the values it is checked against) is malformed or does not fit the claimed tree. */
export class MerkleProofError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MerkleProofError';
  }
}
