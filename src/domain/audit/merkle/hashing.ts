/**
 * RFC 9162 (RFC 6962) hashing over SHA-256: leaf and interior node hashes, the empty-tree root and the root
 * (MTH) of a list of leaf hashes. Pure; no I/O.
 *
 * SHA-256 is @noble/hashes', not node:crypto's: the same code verifies proofs in the compliance console's
 * browser (where WebCrypto's digest is asynchronous), and on the 33- and 65-byte inputs of a tree it is as
 * fast as `createHash`. Bulk recomputation of a whole log uses node:crypto (log-recomputation.ts).
 */
import { sha256 as sha256Digest } from '@noble/hashes/sha2.js';
import { MerkleTreeError } from './errors';
import { isOdd } from './sizes';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = sha256Digest.create();
  for (const part of parts) hash.update(part);
  return hash.digest();
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const EMPTY_ROOT = sha256();

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree. */
export function emptyRootHash(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leafInput: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leafInput);
}

/** RFC 9162 §2.1.1: the interior node SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Byte-wise equality of two hashes (or any byte strings). */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

export function requireHash(value: unknown, what: string): Uint8Array {
  if (!isHash(value)) throw new MerkleTreeError(`${what} must be a ${HASH_SIZE}-byte hash`);
  return value;
}

/**
 * MTH of a leaf range from the roots of the perfect subtrees it is made of, largest (leftmost) first:
 * their right fold `nodeHash(h1, nodeHash(h2, ... hk))`. Needs at least one hash.
 */
export function rangeHash(subtreeHashes: readonly Uint8Array[]): Uint8Array {
  let acc = subtreeHashes[subtreeHashes.length - 1] as Uint8Array;
  for (let i = subtreeHashes.length - 2; i >= 0; i--) acc = nodeHash(subtreeHashes[i] as Uint8Array, acc);
  return acc.slice();
}

/** MTH of a list of leaf hashes (RFC 9162 §2.1.1), computed level by level. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRootHash();
  let level = leafHashes.map((hash, i) => requireHash(hash, `leaf hash ${i}`));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2)
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    if (isOdd(level.length)) next.push(level[level.length - 1] as Uint8Array);
    level = next;
  }
  return (level[0] as Uint8Array).slice();
}
