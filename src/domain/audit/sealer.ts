/**
 * The sealer: appends audit events to the RFC 9162 tree and signs checkpoints. It is the only writer of
 * tree state; several may run at once (one per stream shard, a retried invocation, the local loop and a
 * test) without corrupting it.
 *
 * - Order: a batch is deduplicated by event id and sorted by (time, eventId); batches are appended in the
 *   order they commit. The tree, not the clock, fixes the order; each event stores its leaf index.
 * - Exactly once: a commit writes the new head, the tiles and entry bundles it changes and each event's
 *   `leafIndex` in one transaction, on the conditions that the head is still the one the commit was
 *   computed from, that each tile and bundle is as that head implies, and that no event has a leaf index
 *   yet. A redelivered record finds its
 *   event sealed and is dropped; a sealer that lost a race re-reads the head and tries again.
 * - Trust: before building on a head, the sealer checks that the head extends the last signed checkpoint
 *   it knows (its own, or at start the newest in the write-once archive and the table) by a consistency
 *   proof over the tiles; before signing, it checks the head against the newest stored checkpoint again.
 *   A truncated, rolled-back or rewritten tree head stops it (TreeIntegrityError) instead of being signed:
 *   the log never signs a checkpoint inconsistent with an earlier one.
 * - Upgrade: a log sealed before entry bundles existed has none; the partial bundle of the head, when
 *   missing, is rebuilt from the sealed events, each checked against its leaf hash in the row-0 tile.
 * - Signing: one KMS Sign per checkpoint, never per event; `seal` (a stream batch) appends then signs once,
 *   `heartbeat` re-signs the current head when the newest checkpoint is older than the given age, so an
 *   idle log still shows it is alive. Every checkpoint is archived write-once before it is stored.
 */
import { createPublicKey } from 'node:crypto';
import {
  checkpointBody,
  formatSignedNote,
  noteKeyId,
  noteSigningBytes,
  parseSignedNote,
  rawEd25519FromSpki,
  verifyCheckpointSignature,
} from './checkpoint';
import { appendToBundles, type BundleEntries, type BundleWrite } from './entry-bundles';
import { type AuditEvent, AuditEventSchema } from './event';
import { eventLeafHash, eventLeafInput, orderForSealing } from './leaf';
import {
  appendLeafWithSubtrees,
  EMPTY_FRONTIER,
  type Frontier,
  rootFromFrontier,
} from './merkle/compact-range';
import { MerkleTreeError } from './merkle/errors';
import { emptyRootHash, hashesEqual, leafHash } from './merkle/hashing';
import type { CompletedSubtree } from './merkle/subtrees';
import { verifyConsistency } from './merkle/verification';
import type {
  CheckpointArchive,
  CheckpointSigner,
  CommitOutcome,
  Leaf,
  SealerLog,
  StoredCheckpoint,
  TreeHead,
  TreeReader,
  TreeStore,
} from './ports';
import {
  appendToTiles,
  consistencyProofFromTiles,
  TILE_WIDTH,
  type TileHashes,
  type TileWrite,
  tileKey,
  tilesTouched,
} from './tiles';

/** The default log origin (and signing key name); a deployment sets its own. */
export const DEFAULT_ORIGIN = 'himaya.example/audit';
/**
 * Leaves per commit: with the head, at most 9 tiles and 2 entry bundles, a commit stays within DynamoDB's
 * 100-item transactions.
 */
export const MAX_LEAVES_PER_COMMIT = 88;
/** Lost races in a row before giving up (the caller retries the batch later). */
const MAX_LOST_RACES = 25;

/** The tree state contradicts a signed checkpoint, or itself: the sealer stops rather than sign it. */
export class TreeIntegrityError extends Error {
  readonly kind: 'truncated' | 'forked' | 'corrupt';
  constructor(kind: 'truncated' | 'forked' | 'corrupt', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TreeIntegrityError';
    this.kind = kind;
  }
}

/** Other sealers kept moving the head first; the batch is retried later. */
export class SealerContentionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SealerContentionError';
  }
}

/** The signing key returned a signature that does not verify (wrong key type or a fault). */
export class CheckpointSigningError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointSigningError';
  }
}

/** An archive entry exists with a different note: the archive refuses to be rewritten. */
export class ArchiveConflictError extends Error {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`the archive already holds a different checkpoint named ${name}`, options);
    this.name = 'ArchiveConflictError';
  }
}

export function headFromFrontier(frontier: Frontier): TreeHead {
  return { size: frontier.size, frontier, rootHash: rootFromFrontier(frontier) };
}

export const EMPTY_HEAD: TreeHead = headFromFrontier(EMPTY_FRONTIER);

/** The archive name of a checkpoint: size first (zero-padded) so that names sort by size, then time. */
export function archiveName(size: number, signedAt: string): string {
  return `${String(size).padStart(16, '0')}-${signedAt.replace(/[-:.]/g, '')}.txt`;
}

/** PEM SubjectPublicKeyInfo of a DER one. */
export function publicKeyPem(spki: Uint8Array): string {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
}

/** The new head after appending `events` in the given order, their leaves and the subtrees they complete. */
export function planAppend(
  head: TreeHead,
  events: readonly AuditEvent[],
): { head: TreeHead; leaves: Leaf[]; completed: CompletedSubtree[] } {
  let frontier = head.frontier;
  const leaves: Leaf[] = [];
  const completed: CompletedSubtree[] = [];
  for (const event of events) {
    const step = appendLeafWithSubtrees(frontier, eventLeafHash(event));
    leaves.push({ eventId: event.eventId, leafIndex: frontier.size });
    completed.push(...step.completed);
    frontier = step.frontier;
  }
  return { head: headFromFrontier(frontier), leaves, completed };
}

export interface SealerOptions {
  store: TreeStore;
  signer: CheckpointSigner;
  archive: CheckpointArchive;
  /** Log origin, also the signing key's name on signature lines. */
  origin?: string;
  clock?: () => Date;
  log?: SealerLog;
  maxLeavesPerCommit?: number;
}

export interface AppendResult {
  /** Events this call placed in the tree. */
  sealed: Leaf[];
  /** The head after the last commit (or as read, when nothing was appended). */
  head: TreeHead;
}

export interface Sealer {
  readonly origin: string;
  /** Appends the events not sealed yet; does not sign. */
  append(events: readonly AuditEvent[]): Promise<AppendResult>;
  /** Signs a checkpoint of the current head if it grew since the newest checkpoint (always, with force). */
  checkpoint(options?: { force?: boolean }): Promise<StoredCheckpoint | undefined>;
  /** One stream batch: append, then one signature. */
  seal(events: readonly AuditEvent[]): Promise<AppendResult & { checkpoint: StoredCheckpoint | undefined }>;
  /** Signs when the head grew, or when the newest checkpoint is older than `maxAgeMs`. */
  heartbeat(maxAgeMs: number): Promise<StoredCheckpoint | undefined>;
}

export function createSealer(options: SealerOptions): Sealer {
  const sealer = sealerContext(options);
  const append = (events: readonly AuditEvent[]) => appendEvents(sealer, events);
  const checkpoint = (request: { force?: boolean } = {}) => signCheckpoint(sealer, request);
  return {
    origin: sealer.origin,
    append,
    checkpoint,
    async seal(events) {
      const result = await append(events);
      return { ...result, checkpoint: await checkpoint() };
    },
    async heartbeat(maxAgeMs) {
      const latest = await sealer.store.latestCheckpoint();
      const age = latest ? sealer.clock().getTime() - Date.parse(latest.signedAt) : Number.POSITIVE_INFINITY;
      return checkpoint({ force: !(age < maxAgeMs) });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The sealer's dependencies and what it has come to trust.

/** A size and root that a valid signature (or this sealer's own commit) vouches for. */
interface Reference {
  size: number;
  rootHash: Uint8Array;
  /** Where it comes from, for messages. */
  source: string;
}

const NO_REFERENCE: Reference = { size: 0, rootHash: emptyRootHash(), source: 'of the empty log' };

const quiet: SealerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What the steps of one sealer share. */
interface SealerContext {
  readonly store: TreeStore;
  readonly signer: CheckpointSigner;
  readonly archive: CheckpointArchive;
  readonly origin: string;
  readonly clock: () => Date;
  readonly log: SealerLog;
  readonly maxLeaves: number;
  readonly publicKey: () => Promise<Uint8Array>;
  /** The last head this sealer verified or wrote itself. */
  trusted: TreeHead | undefined;
  /** The newest signed checkpoint this sealer knows of (from the archive at start, then its own). */
  known: Reference | undefined;
}

function sealerContext(options: SealerOptions): SealerContext {
  const maxLeaves = options.maxLeavesPerCommit ?? MAX_LEAVES_PER_COMMIT;
  if (!(Number.isInteger(maxLeaves) && maxLeaves >= 1 && maxLeaves <= MAX_LEAVES_PER_COMMIT)) {
    throw new RangeError(`maxLeavesPerCommit must be 1 to ${MAX_LEAVES_PER_COMMIT}`);
  }
  return {
    store: options.store,
    signer: options.signer,
    archive: options.archive,
    origin: options.origin ?? DEFAULT_ORIGIN,
    clock: options.clock ?? (() => new Date()),
    log: options.log ?? quiet,
    maxLeaves,
    publicKey: cachedPublicKey(options.signer),
    trusted: undefined,
    known: undefined,
  };
}

/** The signer's public key, asked for once (and again after a failure). */
function cachedPublicKey(signer: CheckpointSigner): () => Promise<Uint8Array> {
  let spki: Promise<Uint8Array> | undefined;
  return () => {
    spki ??= signer.publicKey().catch((error: unknown) => {
      spki = undefined;
      throw error;
    });
    return spki;
  };
}

function newer(a: Reference | undefined, b: Reference | undefined): Reference | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.size > a.size ? b : a;
}

function sameTree(a: TreeHead, b: TreeHead): boolean {
  return a.size === b.size && hashesEqual(a.rootHash, b.rootHash);
}

// ---------------------------------------------------------------------------------------------------------
// Trust: the head must extend every signed checkpoint the sealer knows of.

/** A checkpoint note as a reference, if its signature verifies with our key; otherwise undefined. */
async function referenceOf(
  sealer: SealerContext,
  note: string,
  source: string,
): Promise<Reference | undefined> {
  const key = await sealer.publicKey();
  if (!(await verifyCheckpointSignature(note, { name: sealer.origin, publicKey: key }))) return undefined;
  const { size, rootHash, origin: noteOrigin } = parseSignedNote(note);
  return noteOrigin === sealer.origin ? { size, rootHash, source } : undefined;
}

/** The newest stored checkpoint whose signature verifies (a tampered item is reported and ignored). */
async function latestStoredReference(
  sealer: SealerContext,
): Promise<{ stored?: StoredCheckpoint; reference?: Reference }> {
  const stored = await sealer.store.latestCheckpoint();
  if (!stored) return {};
  const reference = await referenceOf(sealer, stored.note, `stored at size ${stored.size}`);
  if (!reference || reference.size !== stored.size) {
    sealer.log.error('ignoring a stored checkpoint whose signature or size does not verify', {
      size: stored.size,
    });
    return {};
  }
  return { stored, reference };
}

/** The newest archived checkpoint (after `after`, when given); one that does not verify stops the sealer. */
async function archivedReference(
  sealer: SealerContext,
  after: string | undefined,
): Promise<Reference | undefined> {
  const entry = await sealer.archive.latest(after);
  if (!entry) return undefined;
  const reference = await referenceOf(sealer, entry.note, `archived as ${entry.name}`);
  if (!reference) {
    throw new TreeIntegrityError('corrupt', `the archived checkpoint ${entry.name} does not verify`);
  }
  return reference;
}

/** At start: the newest signed checkpoint of the archive and the table. */
async function loadReference(sealer: SealerContext): Promise<Reference> {
  const { stored, reference: fromTable } = await latestStoredReference(sealer);
  const fromArchive = await archivedReference(sealer, stored?.archiveName);
  if (fromTable && fromArchive && fromTable.size === fromArchive.size) {
    if (!hashesEqual(fromTable.rootHash, fromArchive.rootHash)) {
      throw new TreeIntegrityError('forked', `two signed checkpoints of size ${fromTable.size} differ`);
    }
  }
  sealer.known = newer(sealer.known, newer(fromTable, fromArchive));
  return sealer.known ?? NO_REFERENCE;
}

/** Throws unless `head` is the tree of `reference` or extends it. */
async function checkExtends(store: TreeReader, reference: Reference, head: TreeHead): Promise<void> {
  if (head.size < reference.size) {
    throw new TreeIntegrityError(
      'truncated',
      `the tree head has ${head.size} leaves, fewer than the checkpoint ${reference.source} (${reference.size}): the log was truncated or rolled back`,
    );
  }
  const forked = () =>
    new TreeIntegrityError(
      'forked',
      `the tree head (size ${head.size}) does not extend the checkpoint ${reference.source} (size ${reference.size}): its history was rewritten`,
    );
  if (head.size === reference.size) {
    if (!hashesEqual(head.rootHash, reference.rootHash)) throw forked();
    return;
  }
  if (reference.size === 0) {
    if (!hashesEqual(reference.rootHash, emptyRootHash())) throw forked();
    return;
  }
  const proof = await consistencyProofOfTiles(store, reference.size, head.size);
  if (!verifyConsistency(reference.size, head.size, reference.rootHash, head.rootHash, proof)) throw forked();
}

/** The consistency proof the stored tiles give; tiles that cannot give one are damage. */
async function consistencyProofOfTiles(store: TreeReader, from: number, to: number): Promise<Uint8Array[]> {
  try {
    return await consistencyProofFromTiles(from, to, store.readTiles);
  } catch (error) {
    if (error instanceof MerkleTreeError) {
      throw new TreeIntegrityError('corrupt', `the tiles do not hold the tree of ${to} leaves`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The current head, checked to extend what this sealer trusts. */
async function verifiedHead(sealer: SealerContext): Promise<TreeHead> {
  const head = await sealer.store.readHead();
  const { trusted } = sealer;
  if (trusted && sameTree(trusted, head)) return head;
  const reference: Reference = trusted
    ? { size: trusted.size, rootHash: trusted.rootHash, source: `sealed at size ${trusted.size}` }
    : await loadReference(sealer);
  await checkExtends(sealer.store, reference, head);
  sealer.trusted = head;
  return head;
}

// ---------------------------------------------------------------------------------------------------------
// Appending: commit the pending events a chunk at a time, from a verified head.

/** Where one `append` call stands. */
interface AppendRun {
  /** Events still to place, in sealing order. */
  pending: AuditEvent[];
  readonly sealed: Leaf[];
  /**
   * The head as this sealer last read or wrote it, and the partial tiles under it; both are dropped
   * whenever another sealer may have moved the head, and read again.
   */
  head: TreeHead | undefined;
  partialTiles: Map<string, TileHashes>;
  partialBundles: Map<number, BundleEntries>;
  /** Bundles rebuilt from the sealed events (a log sealed before bundles existed), not written yet. */
  rebuiltBundles: Set<number>;
  /**
   * New events are committed straight away (the commit's conditions keep them from being sealed twice);
   * once a commit finds some already sealed (a redelivery, a replay), the rest are checked first.
   */
  precheck: boolean;
  checked: boolean;
  lostRaces: number;
}

async function appendEvents(sealer: SealerContext, events: readonly AuditEvent[]): Promise<AppendResult> {
  const run: AppendRun = {
    pending: orderForSealing(sealable(sealer.log, events)),
    sealed: [],
    head: undefined,
    partialTiles: new Map(),
    partialBundles: new Map(),
    rebuiltBundles: new Set(),
    precheck: false,
    checked: false,
    lostRaces: 0,
  };
  while (run.pending.length > 0) {
    const head = await currentHead(sealer, run);
    if (run.precheck && !run.checked) {
      await dropSealedEvents(sealer.store, run);
      if (run.pending.length === 0) break;
    }
    await commitChunk(sealer, run, head);
  }
  const result = run.head ?? sealer.trusted ?? EMPTY_HEAD;
  if (run.sealed.length > 0)
    sealer.log.info('sealed events', { count: run.sealed.length, treeSize: result.size });
  return { sealed: run.sealed, head: result };
}

/** The events not sealed yet that are well-formed (a malformed one is reported and skipped). */
function sealable(log: SealerLog, events: readonly AuditEvent[]): AuditEvent[] {
  return events.filter((event) => {
    if (event.leafIndex !== undefined) return false;
    if (AuditEventSchema.safeParse(event).success) return true;
    log.warn('not sealing a malformed audit item', { eventId: String(event.eventId).slice(0, 64) });
    return false;
  });
}

async function currentHead(sealer: SealerContext, run: AppendRun): Promise<TreeHead> {
  if (!run.head) {
    run.head = await verifiedHead(sealer);
    run.partialTiles = new Map();
    run.partialBundles = new Map();
    run.rebuiltBundles = new Set();
    run.checked = false;
  }
  return run.head;
}

async function dropSealedEvents(store: TreeStore, run: AppendRun): Promise<void> {
  const unsealed = await store.unsealedEvents(run.pending.map((event) => event.eventId));
  run.pending = run.pending.filter((event) => unsealed.has(event.eventId));
  run.checked = true;
}

/** Tries to commit the next chunk of pending events on top of `head`, and records what came of it. */
async function commitChunk(sealer: SealerContext, run: AppendRun, head: TreeHead): Promise<void> {
  const chunk = run.pending.slice(0, sealer.maxLeaves);
  const plan = planAppend(head, chunk);
  const tiles = await tilesAfterAppend(sealer.store, run.partialTiles, head, plan.head, plan.completed);
  const bundles = tiles && (await bundlesAfterAppend(sealer.store, run, head, chunk));
  const outcome: CommitOutcome =
    tiles && bundles
      ? await sealer.store.commit({
          previous: head,
          head: plan.head,
          tiles,
          bundles,
          leaves: plan.leaves,
          at: sealer.clock().toISOString(),
        })
      : { status: 'head-moved' };
  if (outcome.status === 'committed') {
    sealer.trusted = plan.head;
    recordCommit(run, plan.head, tiles ?? [], plan.leaves);
    recordBundles(run, bundles ?? []);
  } else if (outcome.status === 'already-sealed' && outcome.eventIds.length > 0) {
    // Nothing was written and the head held: drop those events and go on from the same head.
    const gone = new Set(outcome.eventIds);
    run.pending = run.pending.filter((event) => !gone.has(event.eventId));
    run.precheck = true;
  } else {
    await recordLostRace(run);
  }
}

/**
 * The tiles an append from `head` to `next` writes, reading the partial ones not known yet; undefined
 * when a racing sealer extended them meanwhile (the head moved).
 */
async function tilesAfterAppend(
  store: TreeStore,
  partialTiles: Map<string, TileHashes>,
  head: TreeHead,
  next: TreeHead,
  completed: readonly CompletedSubtree[],
): Promise<TileWrite[] | undefined> {
  const unknown = tilesTouched(head.size, next.size)
    .filter(({ tile, previousWidth }) => previousWidth > 0 && !partialTiles.has(tileKey(tile)))
    .map(({ tile }) => tile);
  if (unknown.length > 0)
    for (const [key, hashes] of await store.readTiles(unknown)) partialTiles.set(key, hashes);
  try {
    return appendToTiles(head.size, next.size, completed, (tile) => partialTiles.get(tileKey(tile)));
  } catch (error) {
    if (!(error instanceof MerkleTreeError)) throw error;
    // Tiles a racing sealer extended after this one read the head; under an unchanged head, damage.
    if (sameTree(await store.readHead(), head)) {
      throw new TreeIntegrityError('corrupt', `the tiles do not match the tree head (size ${head.size})`, {
        cause: error,
      });
    }
    return undefined;
  }
}

/**
 * The entry bundles an append of `events` to `head` writes, reading the partial one if not known yet (or
 * rebuilding it, if it was never written: see `rebuiltBundle`); undefined when a racing sealer extended it
 * meanwhile (the head moved). A rebuilt bundle is written as a new one: on the condition that none exists.
 */
async function bundlesAfterAppend(
  store: TreeStore,
  run: AppendRun,
  head: TreeHead,
  events: readonly AuditEvent[],
): Promise<BundleWrite[] | undefined> {
  const index = Math.floor(head.size / TILE_WIDTH);
  if (head.size % TILE_WIDTH > 0 && !run.partialBundles.has(index)) {
    const found = (await store.readEntryBundles([index])).get(index);
    if (found) run.partialBundles.set(index, found);
    else if (sameTree(await store.readHead(), head)) {
      run.partialBundles.set(index, await rebuiltBundle(store, head, index));
      run.rebuiltBundles.add(index);
    } else return undefined;
  }
  try {
    return appendToBundles(head.size, events.map(eventLeafInput), (i) => run.partialBundles.get(i)).map(
      (write) => (run.rebuiltBundles.has(write.index) ? { ...write, previousWidth: 0 } : write),
    );
  } catch (error) {
    if (!(error instanceof MerkleTreeError)) throw error;
    if (sameTree(await store.readHead(), head)) {
      throw new TreeIntegrityError(
        'corrupt',
        `the entry bundles do not match the tree head (size ${head.size})`,
        { cause: error },
      );
    }
    return undefined;
  }
}

/**
 * The partial bundle `index` of `head`, for a log sealed before the sealer wrote entry bundles: the
 * canonical bytes of the events sealed at its leaves, each checked against the leaf hash the row-0 hash
 * tile holds for its position (the tiles are what the head, checked against the signed checkpoints, was
 * built from). An event row changed, removed or claimed twice since it was sealed stops the sealer: it is
 * never adopted into a bundle.
 */
async function rebuiltBundle(store: TreeStore, head: TreeHead, index: number): Promise<BundleEntries> {
  const from = index * TILE_WIDTH;
  const tile = { level: 0, index };
  const [events, tiles] = await Promise.all([store.sealedEvents(from, head.size), store.readTiles([tile])]);
  const hashes = tiles.get(tileKey(tile)) ?? [];
  const byLeaf = new Map<number, AuditEvent>();
  for (const event of events) {
    const leaf = event.leafIndex ?? -1;
    if (byLeaf.has(leaf)) throw unrebuildable(index, `leaf ${leaf} is claimed by more than one event`);
    byLeaf.set(leaf, event);
  }
  const entries: Uint8Array[] = [];
  for (let leaf = from; leaf < head.size; leaf++) {
    const event = byLeaf.get(leaf);
    const expected = hashes[leaf - from];
    if (!(event && expected)) throw unrebuildable(index, `no event or leaf hash is found for leaf ${leaf}`);
    const entry = eventLeafInput(event);
    if (!hashesEqual(leafHash(entry), expected)) {
      throw unrebuildable(index, `the event at leaf ${leaf} is not the one sealed there`);
    }
    entries.push(entry);
  }
  return entries;
}

function unrebuildable(index: number, reason: string): TreeIntegrityError {
  return new TreeIntegrityError('corrupt', `entry bundle ${index} cannot be rebuilt: ${reason}`);
}

function recordBundles(run: AppendRun, bundles: readonly BundleWrite[]): void {
  for (const { index, entries } of bundles) {
    run.rebuiltBundles.delete(index);
    if (entries.length < TILE_WIDTH) run.partialBundles.set(index, entries);
    else run.partialBundles.delete(index);
  }
}

function recordCommit(
  run: AppendRun,
  head: TreeHead,
  tiles: readonly TileWrite[],
  leaves: readonly Leaf[],
): void {
  run.head = head;
  for (const { tile, hashes } of tiles) {
    if (hashes.length < TILE_WIDTH) run.partialTiles.set(tileKey(tile), hashes);
    else run.partialTiles.delete(tileKey(tile));
  }
  run.sealed.push(...leaves);
  run.pending = run.pending.slice(leaves.length);
  run.lostRaces = 0;
}

async function recordLostRace(run: AppendRun): Promise<void> {
  run.head = undefined;
  run.lostRaces++;
  if (run.lostRaces > MAX_LOST_RACES) {
    throw new SealerContentionError(`lost ${run.lostRaces} races for the tree head in a row`);
  }
  // Back off a little, at random, so that racing sealers do not keep colliding.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * run.lostRaces));
}

// ---------------------------------------------------------------------------------------------------------
// Signing.

async function signCheckpoint(
  sealer: SealerContext,
  options: { force?: boolean },
): Promise<StoredCheckpoint | undefined> {
  // The newest checkpoint is read before the head: no checkpoint is larger than the head it was signed from.
  const { reference: stored } = await latestStoredReference(sealer);
  const head = await verifiedHead(sealer);
  if (!options.force && stored?.size === head.size) return undefined;
  await checkExtends(sealer.store, newer(sealer.known, stored) ?? NO_REFERENCE, head);
  return sign(sealer, head);
}

async function sign(sealer: SealerContext, head: TreeHead): Promise<StoredCheckpoint> {
  const key = await sealer.publicKey();
  const note = await signedNote(sealer, head, key);
  const signedAt = sealer.clock().toISOString();
  const checkpoint: StoredCheckpoint = {
    size: head.size,
    rootHash: head.rootHash,
    note,
    signedAt,
    keyName: sealer.origin,
    publicKeyPem: publicKeyPem(key),
    archiveName: archiveName(head.size, signedAt),
  };
  // Archived first: a checkpoint the table shows is always in the archive.
  await sealer.archive.put({ name: checkpoint.archiveName, note });
  await sealer.store.putCheckpoint(checkpoint);
  sealer.known = newer(sealer.known, {
    size: head.size,
    rootHash: head.rootHash,
    source: `signed at size ${head.size}`,
  });
  sealer.log.info('signed checkpoint', { treeSize: head.size });
  return checkpoint;
}

/** The checkpoint note of `head`, signed (one KMS Sign) and checked against the public key. */
async function signedNote(sealer: SealerContext, head: TreeHead, key: Uint8Array): Promise<string> {
  const { origin } = sealer;
  const body = checkpointBody({ origin, size: head.size, rootHash: head.rootHash });
  const signature = await sealer.signer.sign(noteSigningBytes(body));
  const note = formatSignedNote(body, [
    { name: origin, keyId: noteKeyId(origin, rawEd25519FromSpki(key)), signature },
  ]);
  if (!(await verifyCheckpointSignature(note, { name: origin, publicKey: key }))) {
    throw new CheckpointSigningError('the signing key returned a signature that does not verify');
  }
  return note;
}
