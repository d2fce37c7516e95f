import type { BundleFetcher, BundleWrite } from './entry-bundles';
import type { AuditEvent } from './event';
import type { Frontier } from './merkle/compact-range';
import type { TileFetcher, TileWrite } from './tiles';

/**
 * What the sealer and the proof routes need from storage, signing and archiving: small interfaces with an
 * AWS adapter each (DynamoDB, KMS, S3) and a local one where the local stack needs it.
 */

/** The state of the tree: its size and frontier (from which the root follows). */
export interface TreeHead {
  readonly size: number;
  readonly frontier: Frontier;
  readonly rootHash: Uint8Array;
}

/** A signed checkpoint as stored beside the tree (the note is the evidence; the rest is for lookups). */
export interface StoredCheckpoint {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** The C2SP signed note: checkpoint body, blank line, signature line. */
  readonly note: string;
  readonly signedAt: string;
  readonly keyName: string;
  /** The signing key, PEM SubjectPublicKeyInfo: readers serve it without calling KMS. */
  readonly publicKeyPem: string;
  /** The name of the write-once archive entry holding the same note. */
  readonly archiveName: string;
}

/** An event placed in the tree. */
export interface Leaf {
  readonly eventId: string;
  readonly leafIndex: number;
}

/**
 * One atomic step of the sealer: from `previous` to `head`, with the tiles, entry bundles and leaf indexes
 * it implies.
 */
export interface TreeCommit {
  readonly previous: TreeHead;
  readonly head: TreeHead;
  readonly tiles: readonly TileWrite[];
  readonly bundles: readonly BundleWrite[];
  readonly leaves: readonly Leaf[];
  readonly at: string;
}

export type CommitOutcome =
  | { readonly status: 'committed' }
  /** Another sealer moved the head first: nothing was written. */
  | { readonly status: 'head-moved' }
  /** These events were sealed (or removed) meanwhile: nothing was written. */
  | { readonly status: 'already-sealed'; readonly eventIds: readonly string[] };

/** Read side of the tree state (what the audit function may do). */
export interface TreeReader {
  readHead(): Promise<TreeHead>;
  readTiles: TileFetcher;
  /** The entry bundles (canonical bytes of 256 leaves each) by index. */
  readEntryBundles: BundleFetcher;
  /** The checkpoint with the largest size (the newest of those, if re-signed). */
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
}

/** Write side: only the sealer holds it. */
export interface TreeStore extends TreeReader {
  /** The ids, among those given, of events that exist and carry no leaf index yet. */
  unsealedEvents(eventIds: readonly string[]): Promise<Set<string>>;
  /**
   * The events the table holds with a leaf index in [from, to), in any order (a tampered table may hold
   * two, or none, for a position). Used once, to rebuild an entry bundle sealed before bundles existed.
   */
  sealedEvents(from: number, to: number): Promise<AuditEvent[]>;
  /**
   * Writes the head, the tiles, the entry bundles and every event's leaf index atomically, on the
   * conditions that the head is still `previous`, that each tile and bundle holds what `previous` implies,
   * and that no event is sealed yet.
   */
  commit(commit: TreeCommit): Promise<CommitOutcome>;
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
}

/** An Ed25519 key that signs checkpoint bodies (KMS `ED25519_SHA_512`, message type RAW). */
export interface CheckpointSigner {
  /** DER SubjectPublicKeyInfo. */
  publicKey(): Promise<Uint8Array>;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface ArchivedCheckpoint {
  readonly name: string;
  readonly note: string;
}

/** Write-once storage of every signed checkpoint (S3 Object Lock in AWS, a folder locally). */
export interface CheckpointArchive {
  /** Stores the note under `name`; an entry that exists with the same note is fine, a different one throws. */
  put(entry: ArchivedCheckpoint): Promise<void>;
  /** The entry with the greatest name, looking only at names greater than `after` when given. */
  latest(after?: string): Promise<ArchivedCheckpoint | undefined>;
}

/** Log lines: ids, sizes and error names only. */
export interface SealerLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
