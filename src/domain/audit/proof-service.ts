import { Buffer } from 'node:buffer';
import { DomainError, type FieldIssue, IntegrityFailureError, NotFoundError } from '../errors';
import type { AuditEvent } from './event';
import { MerkleTreeError } from './merkle/errors';
import { inclusionProofPlan, planSubtreeRefs, resolveProofPlan } from './merkle/proofs';
import type { StoredCheckpoint } from './ports';
import { consistencyProofFromTiles, subtreeLookupFromTiles, type TileFetcher, tilesFor } from './tiles';

/**
 * What the proof routes serve. Proofs are only given for tree sizes up to the latest signed checkpoint:
 * every tile those need was written before that checkpoint was signed.
 */
export interface ProofSource {
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  readEvent(eventId: string): Promise<AuditEvent | undefined>;
  readTiles: TileFetcher;
}

/** The stored tree lacks what a proof within a signed size needs: the log is damaged, say so, show nothing. */
export class ProofIntegrityError extends IntegrityFailureError {
  constructor(cause?: unknown) {
    super('The log cannot produce this proof; nothing was returned.', { cause });
    this.name = 'ProofIntegrityError';
  }
}

/** A proof asked of sizes the latest signed checkpoint does not cover, or in the wrong order. */
export class ProofRangeError extends DomainError {
  readonly fields: FieldIssue[];

  constructor(message: string, fields: FieldIssue[]) {
    super(message);
    this.name = 'ProofRangeError';
    this.fields = fields;
  }
}

/** The event is stored but not yet in a signed checkpoint: asking again shortly will do. */
export class EventNotSealedError extends DomainError {
  constructor() {
    super('The event is not in a signed checkpoint yet; ask again shortly.');
    this.name = 'EventNotSealedError';
  }
}

const base64 = (hash: Uint8Array) => Buffer.from(hash).toString('base64');

async function withIntegrity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MerkleTreeError) throw new ProofIntegrityError(error);
    throw error;
  }
}

export async function latestCheckpoint(source: ProofSource): Promise<StoredCheckpoint> {
  const checkpoint = await source.latestCheckpoint();
  if (!checkpoint) throw new NotFoundError('No checkpoint has been signed yet.');
  return checkpoint;
}

function checkSize(value: number, checkpoint: StoredCheckpoint, path: string): void {
  if (value > checkpoint.size) {
    throw new ProofRangeError(
      `${path.split('.')[1]} exceeds the latest checkpoint (size ${checkpoint.size}).`,
      [{ path, message: `at most ${checkpoint.size}` }],
    );
  }
}

/** The inclusion proof of an event in the tree of `treeSize` leaves (default: the latest checkpoint's). */
export async function proveInclusion(source: ProofSource, eventId: string, treeSize?: number) {
  const checkpoint = await latestCheckpoint(source);
  const size = treeSize ?? checkpoint.size;
  checkSize(size, checkpoint, 'query.treeSize');
  const event = await source.readEvent(eventId);
  if (!event) throw new NotFoundError('No such event.');
  const { leafIndex } = event;
  if (leafIndex === undefined || leafIndex >= checkpoint.size) {
    throw new EventNotSealedError();
  }
  if (leafIndex >= size) {
    throw new ProofRangeError('The event is not in a tree of that size.', [
      { path: 'query.treeSize', message: `must exceed the event's leaf index ${leafIndex}` },
    ]);
  }
  return withIntegrity(async () => {
    // The sealed leaf hash and the proof come from one batch of tiles.
    const plan = inclusionProofPlan(leafIndex, size);
    const tiles = await source.readTiles(
      tilesFor([{ level: 0, index: leafIndex }, ...planSubtreeRefs(plan)]),
    );
    const lookup = subtreeLookupFromTiles(tiles);
    const proof = resolveProofPlan(plan, lookup);
    return {
      eventId,
      leafIndex,
      treeSize: size,
      leafHash: base64(lookup(0, leafIndex)),
      proof: proof.map(base64),
    };
  });
}

/** The consistency proof from `from` to `to` leaves (default: the latest checkpoint's size). */
export async function proveConsistency(source: ProofSource, from: number, to?: number) {
  const checkpoint = await latestCheckpoint(source);
  const target = to ?? checkpoint.size;
  checkSize(from, checkpoint, 'query.from');
  checkSize(target, checkpoint, 'query.to');
  if (from > target) {
    throw new ProofRangeError('from must not exceed to.', [
      { path: 'query.from', message: `at most ${target}` },
    ]);
  }
  const proof = await withIntegrity(() => consistencyProofFromTiles(from, target, source.readTiles));
  return { from, to: target, proof: proof.map(base64) };
}
