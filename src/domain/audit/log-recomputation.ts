/**
 * Recomputing a whole log, as `npm run audit -- verify` does: every listed event and every sealed entry is
 * re-hashed into a tree that must give the signed root, and where it does not, the first leaf that departs
 * is found and named. Node-only, for speed; checkpoints, keys, proofs and bundles are verified by the
 * module the CLI shares with the compliance console (log-verification.ts), whose findings it reports with.
 *
 * Recomputing a log of millions of events is dominated by SHA-256 calls, so the leaf and node hashes
 * here use one-shot `crypto.hash` over slices of packed buffers, take each digest as a 'binary' (latin1)
 * string written straight into a flat level buffer (a Buffer digest costs about three times as much per
 * call), and keep every tree level in one buffer, rather than the allocation-per-hash style of
 * merkle/hashing.ts (whose functions they agree with; see the tests).
 */
import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { eventLeafInput } from './leaf';
import {
  describeEvent,
  type Finding,
  type ListedEvent,
  type TrustedCheckpoint,
  type VerifiedCheckpoint,
} from './log-verification';
import { frontierRefs } from './merkle/compact-range';
import { emptyRootHash, HASH_SIZE, hashesEqual, rangeHash } from './merkle/hashing';
import { verifyConsistency, verifyInclusion } from './merkle/verification';

// ---------------------------------------------------------------------------------------------------------
// Fast tree recomputation.

/**
 * Leaf inputs packed in one buffer, each after a 0x00 byte: the leaf hash SHA-256(0x00 || input) is then
 * one hash call over a slice, with no copy and no allocation besides the digest.
 */
export class LeafInputs {
  private buffer = Buffer.alloc(1 << 20);
  private readonly ends: number[] = [];
  private used = 0;

  get count(): number {
    return this.ends.length;
  }

  add(input: Uint8Array): void {
    const needed = this.used + 1 + input.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(needed, 2 * this.buffer.length));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.buffer[this.used] = 0x00;
    this.buffer.set(input, this.used + 1);
    this.used = needed;
    this.ends.push(needed);
  }

  /** The i-th input, without its prefix byte. */
  input(i: number): Buffer {
    return this.buffer.subarray((i === 0 ? 0 : (this.ends[i - 1] as number)) + 1, this.ends[i]);
  }

  /** All leaf hashes, concatenated (32 bytes each). */
  leafHashes(): Buffer {
    const out = Buffer.allocUnsafe(this.ends.length * HASH_SIZE);
    let start = 0;
    for (let i = 0; i < this.ends.length; i++) {
      const end = this.ends[i] as number;
      out.write(hash('sha256', this.buffer.subarray(start, end), 'binary'), i * HASH_SIZE, 'binary');
      start = end;
    }
    return out;
  }
}

/** Leaf hashes SHA-256(0x00 || input) of all inputs, concatenated (32 bytes each). */
export function hashLeaves(inputs: readonly Uint8Array[]): Buffer {
  const packed = new LeafInputs();
  for (const input of inputs) packed.add(input);
  return packed.leafHashes();
}

/**
 * Every perfect subtree of a tree, level by level: level k holds floor(n / 2^k) hashes in one buffer.
 * Gives the root of the whole tree and of any prefix (through its frontier) without hashing again.
 */
export class MerkleLevels {
  readonly size: number;
  private readonly levels: Buffer[];

  constructor(leafHashes: Buffer) {
    if (leafHashes.length % HASH_SIZE !== 0) throw new RangeError('leaf hashes are 32 bytes each');
    this.size = leafHashes.length / HASH_SIZE;
    this.levels = [leafHashes];
    const scratch = Buffer.alloc(1 + 2 * HASH_SIZE);
    scratch[0] = 0x01;
    let below = leafHashes;
    for (let count = Math.floor(this.size / 2); count > 0; count = Math.floor(count / 2)) {
      const level = Buffer.allocUnsafe(count * HASH_SIZE);
      for (let i = 0; i < count; i++) {
        below.copy(scratch, 1, 2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE);
        level.write(hash('sha256', scratch, 'binary'), i * HASH_SIZE, 'binary');
      }
      this.levels.push(level);
      below = level;
    }
  }

  /** Hash of the perfect subtree (level, index). */
  subtree(level: number, index: number): Uint8Array {
    const row = this.levels[level];
    if (!row || (index + 1) * HASH_SIZE > row.length) throw new RangeError(`no subtree (${level}, ${index})`);
    return row.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  /**
   * MTH of the first `size` leaves (RFC 9162), from the perfect subtrees of its binary decomposition: at
   * most 53 node hashes, so the plain ones of merkle/hashing.ts do.
   */
  root(size = this.size): Uint8Array {
    if (!(Number.isInteger(size) && size >= 0 && size <= this.size))
      throw new RangeError(`no prefix of ${size}`);
    const refs = frontierRefs(size);
    if (refs.length === 0) return emptyRootHash();
    return new Uint8Array(rangeHash(refs.map((ref) => this.subtree(ref.level, ref.index))));
  }
}

// ---------------------------------------------------------------------------------------------------------
// The events against a checkpoint.

export interface LogCheckOptions {
  /** The verifier's clock. */
  now: Date;
  /**
   * How late an event may be sealed: an event older than this without a leaf index, or a leaf dated
   * this much before an earlier leaf, is reported.
   */
  graceMs: number;
  /** Called every so many events (for progress lines). */
  onProgress?: (done: number, total: number) => void;
}

export interface LogCheck {
  findings: Finding[];
  /** The events of leaves 0 .. size - 1, by leaf index (holes where leaves are missing). */
  leaves: (ListedEvent | undefined)[];
  /** The recomputed tree, when every leaf is present exactly once. */
  tree?: MerkleLevels;
  /** Whether the recomputed root equals the checkpoint's. */
  rootMatches: boolean;
}

function ranges(indexes: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === (indexes[j] as number) + 1) j++;
    parts.push(i === j ? `${indexes[i]}` : `${indexes[i]}-${indexes[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * Places the listed events at their leaf indexes below `checkpoint.size`, recomputes the tree and its
 * root, and reports missing and doubly claimed leaves, late (unsealed) and back-dated events.
 */
export function checkEvents(
  events: readonly ListedEvent[],
  checkpoint: VerifiedCheckpoint,
  options: LogCheckOptions,
): LogCheck {
  const { size } = checkpoint;
  const findings: Finding[] = [];
  const claims = claimLeaves(events, size, options, findings);
  const leaves = placeLeaves(claims, size, findings);
  findings.push(...backdatedLeaves(leaves, options.graceMs));
  // With holes or doubly claimed leaves, the recomputed tree would not be the log's: report those first.
  if (findings.some((f) => f.code === 'missing-leaf' || f.code === 'duplicate-leaf')) {
    return { findings, leaves, rootMatches: false };
  }
  const tree = recomputeTree(leaves, options.onProgress);
  const rootMatches = hashesEqual(tree.root(), checkpoint.rootHash);
  return { findings, leaves, tree, rootMatches };
}

/**
 * The events claiming each leaf index below `size`; events without a leaf index that should have one by
 * now, and events with an invalid one, go to `findings`.
 */
function claimLeaves(
  events: readonly ListedEvent[],
  size: number,
  options: LogCheckOptions,
  findings: Finding[],
): Map<number, ListedEvent[]> {
  const claims = new Map<number, ListedEvent[]>();
  const oldest = options.now.getTime() - options.graceMs;
  for (const event of events) {
    if (event.leafIndex === undefined) {
      if (!(Date.parse(String(event.time)) >= oldest)) findings.push(unsealedFinding(event, options.graceMs));
      continue;
    }
    // A plain check, not a schema: it runs once per event of the whole log.
    const index = event.leafIndex;
    if (!(typeof index === 'number' && Number.isSafeInteger(index) && index >= 0)) {
      findings.push({
        code: 'malformed-event',
        eventId: String(event.eventId),
        message: `${describeEvent(event)} has an invalid leafIndex`,
      });
      continue;
    }
    if (index >= size) continue;
    const list = claims.get(index);
    if (list) list.push(event);
    else claims.set(index, [event]);
  }
  return claims;
}

function unsealedFinding(event: ListedEvent, graceMs: number): Finding {
  return {
    code: 'unsealed',
    eventId: String(event.eventId),
    message: `${describeEvent(event)} is not sealed ${Math.round(graceMs / 1000)} s after it was written: the sealer is stalled, or refuses to extend an altered tree, or the event was inserted behind its back`,
  };
}

/** The event of each leaf (the first claimant); doubly claimed and missing leaves go to `findings`. */
function placeLeaves(
  claims: ReadonlyMap<number, ListedEvent[]>,
  size: number,
  findings: Finding[],
): (ListedEvent | undefined)[] {
  const leaves: (ListedEvent | undefined)[] = new Array(size);
  const missing: number[] = [];
  for (let i = 0; i < size; i++) {
    const claimants = claims.get(i);
    if (!claimants) missing.push(i);
    else leaves[i] = claimants[0];
    if (claimants && claimants.length > 1) {
      findings.push({
        code: 'duplicate-leaf',
        leafIndex: i,
        eventId: String(claimants[1]?.eventId),
        message: `leaf ${i} is claimed by ${claimants.length} events: ${claimants.map((e) => String(e.eventId)).join(', ')} (a forged or copied event)`,
      });
    }
  }
  if (missing.length > 0) findings.push(missingFinding(missing, size));
  return leaves;
}

function missingFinding(missing: number[], size: number): Finding {
  const one = missing.length === 1;
  return {
    code: 'missing-leaf',
    leafIndex: missing[0] as number,
    message: `${one ? 'leaf' : 'leaves'} ${ranges(missing.slice(0, 20))}${missing.length > 20 ? ', …' : ''} of the ${size} signed ${one ? 'is' : 'are'} missing: no event carries ${one ? 'that leafIndex' : 'those leafIndexes'} (deleted, or its leafIndex removed)`,
  };
}

/** Back-dated leaves: a leaf much older than one sealed before it was inserted with a past date. */
function backdatedLeaves(leaves: readonly (ListedEvent | undefined)[], graceMs: number): Finding[] {
  const findings: Finding[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  let latestIndex = -1;
  for (let i = 0; i < leaves.length; i++) {
    const event = leaves[i];
    if (!event) continue;
    const time = Date.parse(String(event.time));
    if (time < latest - graceMs) {
      findings.push({
        code: 'backdated',
        leafIndex: i,
        eventId: String(event.eventId),
        message: `leaf ${i}, ${describeEvent(event)}, is dated ${Math.round((latest - time) / 1000)} s before leaf ${latestIndex}, which was sealed earlier: an event was inserted with a past date`,
      });
    }
    if (time > latest) {
      latest = time;
      latestIndex = i;
    }
  }
  return findings;
}

/** The tree of the events at every leaf (all present). */
function recomputeTree(
  leaves: readonly (ListedEvent | undefined)[],
  onProgress: LogCheckOptions['onProgress'],
): MerkleLevels {
  const inputs = new LeafInputs();
  for (let i = 0; i < leaves.length; i++) {
    inputs.add(eventLeafInput(leaves[i] as ListedEvent));
    if (onProgress && i % 100_000 === 99_999) onProgress(i + 1, leaves.length);
  }
  return new MerkleLevels(inputs.leafHashes());
}

// ---------------------------------------------------------------------------------------------------------
// The entry bundles (what was sealed, in bulk) and the listed events against them.

/**
 * The tree of the sealed leaf inputs (from the log's entry bundles) and, unless it is the signed tree, the
 * finding. `problem` names what was already wrong with the bundles as read (missing, malformed).
 */
export function checkSealedEntries(
  sealed: LeafInputs,
  checkpoint: VerifiedCheckpoint,
  problem?: string,
): { tree: MerkleLevels; finding?: Finding } {
  const tree = new MerkleLevels(sealed.leafHashes());
  if (!problem && tree.size === checkpoint.size && hashesEqual(tree.root(), checkpoint.rootHash)) {
    return { tree };
  }
  return {
    tree,
    finding: {
      code: 'entries-mismatch',
      size: checkpoint.size,
      message: `the entry bundles the log serves do not give the signed checkpoint of size ${checkpoint.size}${problem ? ` (${problem})` : ''}: its tile data was altered`,
    },
  };
}

/**
 * The listed events against entries known to be the signed ones (`checkSealedEntries` found nothing):
 * when every leaf below the signed size is claimed by exactly one event whose canonical bytes are the
 * entry sealed there, the listing is the signed log, and the result holds only the late (unsealed) and
 * back-dated events. Otherwise undefined: the caller diagnoses with `checkEvents`, as without entries.
 */
export function checkEventsAgainstEntries(
  events: readonly ListedEvent[],
  checkpoint: VerifiedCheckpoint,
  sealed: { tree: MerkleLevels; inputs: LeafInputs },
  options: LogCheckOptions,
): LogCheck | undefined {
  const findings: Finding[] = [];
  const claims = claimLeaves(events, checkpoint.size, options, findings);
  const leaves = placeLeaves(claims, checkpoint.size, findings);
  if (findings.some((f) => f.code === 'missing-leaf' || f.code === 'duplicate-leaf')) return undefined;
  for (let i = 0; i < leaves.length; i++) {
    if (!sealed.inputs.input(i).equals(eventLeafInput(leaves[i] as ListedEvent))) return undefined;
    if (options.onProgress && i % 100_000 === 99_999) options.onProgress(i + 1, leaves.length);
  }
  findings.push(...backdatedLeaves(leaves, options.graceMs));
  return { findings, leaves, tree: sealed.tree, rootMatches: true };
}

/** The `time` of a sealed entry, if it reads as one (to cut a listing into time ranges). */
export function entryTime(entry: Uint8Array): string | undefined {
  try {
    const time = (JSON.parse(Buffer.from(entry).toString('utf8')) as { time?: unknown }).time;
    return typeof time === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/.test(time)
      ? time
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first leaf where the recomputed tree departs from the signed one, by bisection with the log's
 * consistency proofs: a prefix of m leaves is intact when the signed tree is consistent with its
 * recomputed root. `consistencyProof(m)` fetches the proof from m to the checkpoint's size.
 */
export async function locateMismatch(
  tree: MerkleLevels,
  checkpoint: VerifiedCheckpoint,
  consistencyProof: (m: number) => Promise<Uint8Array[]>,
): Promise<number> {
  const intact = async (m: number) =>
    m === 0 ||
    verifyConsistency(
      m,
      checkpoint.size,
      tree.root(m),
      checkpoint.rootHash,
      m === checkpoint.size ? [] : await consistencyProof(m),
    );
  let good = 0;
  let bad = checkpoint.size;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (await intact(middle)) good = middle;
    else bad = middle;
  }
  return bad - 1;
}

/**
 * What is wrong with leaf `index`, given what the log says it sealed there: the leaf hash and its
 * inclusion proof. When that proof verifies against the signed root, the sealed content is known: either
 * another event's (the log was reordered) or none of them (the event was changed after sealing). When it
 * does not, the log's own tree data contradicts its signature: its history was rewritten (a fork), and
 * bisection over its proofs cannot be trusted; see `localize`.
 */
export function diagnoseLeaf(
  index: number,
  sealedLeafHash: Uint8Array,
  sealedProof: readonly Uint8Array[],
  check: LogCheck,
  checkpoint: VerifiedCheckpoint,
): Finding {
  const event = check.leaves[index] as ListedEvent;
  if (!verifyInclusion(index, checkpoint.size, sealedLeafHash, sealedProof, checkpoint.rootHash)) {
    return {
      code: 'fork',
      size: checkpoint.size,
      message: `the events do not match the signed checkpoint of size ${checkpoint.size}, and the log's own proofs do not verify against it either: the tree state was rewritten to another history (a fork)`,
    };
  }
  if (check.tree) {
    const wanted = Buffer.from(sealedLeafHash);
    for (let j = 0; j < checkpoint.size; j++) {
      if (j !== index && wanted.equals(check.tree.subtree(0, j))) {
        return {
          code: 'leaf-mismatch',
          leafIndex: index,
          eventId: String(event.eventId),
          message: `leaf ${index} holds ${describeEvent(event)}, but the event sealed there is the one now at leaf ${j} (${String(check.leaves[j]?.eventId)}): the log was reordered`,
        };
      }
    }
  }
  return {
    code: 'leaf-mismatch',
    leafIndex: index,
    eventId: String(event.eventId),
    message: `leaf ${index}, ${describeEvent(event)}, does not match the signed log: the event was changed after it was sealed`,
  };
}

/**
 * Where the recomputed log first departs from checkpoints the verifier holds itself (no proof from the
 * log needed): between the largest one it matches and the smallest one it does not.
 */
export function localize(check: LogCheck, trusted: readonly TrustedCheckpoint[]): Finding | undefined {
  const tree = check.tree;
  if (!tree) return undefined;
  const usable = trusted.filter((c) => c.size > 0 && c.size <= tree.size).sort((a, b) => a.size - b.size);
  const matches = (c: TrustedCheckpoint) => hashesEqual(tree.root(c.size), c.rootHash);
  const firstBad = usable.find((c) => !matches(c));
  if (!firstBad) return undefined;
  const lastGood = usable.filter((c) => c.size < firstBad.size && matches(c)).at(-1);
  const from = lastGood?.size ?? 0;
  const last = firstBad.size - 1;
  if (from === last) {
    const event = check.leaves[last] as ListedEvent;
    return {
      code: 'leaf-mismatch',
      leafIndex: last,
      eventId: String(event.eventId),
      message: `leaf ${last}, ${describeEvent(event)}, does not match the checkpoint ${firstBad.label} (size ${firstBad.size})${lastGood ? `, though the leaves before it match the one ${lastGood.label}` : ''}: it was changed after it was sealed`,
    };
  }
  return {
    code: 'leaf-mismatch',
    leafIndex: from,
    message: `leaves ${from}-${last} include an altered event: ${lastGood ? `leaves 0-${from - 1} match the checkpoint ${lastGood.label}, ` : ''}leaves 0-${last} do not match the checkpoint ${firstBad.label} (size ${firstBad.size})`,
  };
}
