/**
 * The compliance officers' verifier: `npm run audit -- <command>`. It trusts the log's public key and
 * nothing else the server says: every event is re-hashed, every proof re-checked.
 *
 *   verify --url <base> --token <t> [--user <id>] [--state <file>] [--public-key <pem>] [--archive <dir>]
 *          [--grace <seconds>]
 *   export --url <base> --token <t> --out <bundle.json> [--case <id>] [--from <time>] [--to <time>]
 *          [--user <id>] [--public-key <pem>] [--wait <seconds>]
 *   verify-bundle <bundle.json> [--public-key <pem>]
 *
 * `verify` reads the log in bulk: the entry bundles (C2SP tlog-tiles: the sealed bytes of 256 events each,
 * eight full ones to a request, a few requests at a time) give the tree, checked against the signed
 * checkpoint; the events the API lists (in time ranges read side by side) must then be, byte for byte, the
 * entries sealed at their leaves.
 *
 * Exit codes: 0 verified; 1 verification failed (each problem on a `FAILED:` line); 2 bad usage or
 * unreadable input; 3 the log could not be read (network or HTTP error). Summaries go to stdout, progress
 * to stderr.
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_BUNDLES_PER_RANGE } from '../../src/domain/audit/api-schemas';
import { decodeEntryBundle } from '../../src/domain/audit/entry-bundles';
import {
  checkEvents,
  checkEventsAgainstEntries,
  checkSealedEntries,
  diagnoseLeaf,
  entryTime,
  LeafInputs,
  type LogCheck,
  localize,
  locateMismatch,
} from '../../src/domain/audit/log-recomputation';
import {
  type AuditApi,
  type CheckpointKey,
  EVENT_PAGE_SIZE,
  EVIDENCE_BUNDLE_FORMAT,
  type EventFilter,
  type EvidenceBundle,
  exportEvidenceBundle,
  type Finding,
  fromBase64,
  importCheckpointKey,
  inParallel,
  type ListedEvent,
  listEvents,
  parseEvidenceBundle,
  readCheckpoint,
  readConsistencyProof,
  readInclusionProof,
  readPublicKey,
  sameKey,
  type TrustedCheckpoint,
  toBase64,
  VerificationError,
  type VerifiedCheckpoint,
  verifyBundle,
  verifyCheckpoint,
  verifyConsistency,
} from '../../src/domain/audit/log-verification';
import { MerkleTreeError } from '../../src/domain/audit/merkle/errors';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  now(): Date;
}

export const EXIT = { verified: 0, failed: 1, usage: 2, unavailable: 3 } as const;

const DEFAULT_STATE_FILE = 'himaya-audit-state.json';
const DEFAULT_GRACE_SECONDS = 300;
/** Entry bundles read at once. */
const TILE_CONCURRENCY = 6;
/**
 * Time ranges of the event listing read side by side: one per two pages of events, at most 12. Each range
 * is read a page after the other, so a large log is listed in a few pages' time, not a few hundred.
 */
const MAX_LISTING_RANGES = 12;

/** How `verify` pages the event listing and cuts it into ranges. */
export interface ListingSizes {
  /** Events per page. */
  pageSize: number;
  /** Events per time range read side by side. */
  eventsPerRange: number;
}

const LISTING_SIZES: ListingSizes = { pageSize: EVENT_PAGE_SIZE, eventsPerRange: 2 * EVENT_PAGE_SIZE };
const TILE_WIDTH = 256;
const PROGRESS_EVERY = 20_000;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The log did not answer, or answered with an error status. */
class LogUnavailableError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'LogUnavailableError';
    this.status = status;
  }
}

/** Base64 the log or the state file gave; bytes that cannot be a hash where it is not base64. */
const hashOf = (text: string) => fromBase64(text) ?? new Uint8Array(0);

interface LogClient extends AuditApi {
  bytes(path: string): Promise<Uint8Array>;
}

/**
 * A consistency proof from the log, or none when the log answers 500: it cannot produce one from its
 * tree data, which the caller reports as a failed proof (an unreachable log is still exit 3).
 */
async function consistencyProof(client: LogClient, from: number, to: number): Promise<string[] | undefined> {
  try {
    return await readConsistencyProof(client, from, to);
  } catch (error) {
    if (error instanceof LogUnavailableError && error.status === 500) return undefined;
    throw error;
  }
}

function logClient(url: string, token: string, user: string): LogClient {
  const base = url.replace(/\/+$/, '');
  const get = async (path: string, accept = '*/*'): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}`, 'x-himaya-user': user, accept },
      });
    } catch (error) {
      throw new LogUnavailableError(`cannot reach ${base}: ${(error as Error).message}`);
    }
    if (!response.ok) {
      let title = response.statusText;
      try {
        const problem = (await response.json()) as { title?: string; detail?: string };
        title = [problem.title, problem.detail].filter(Boolean).join(': ') || title;
      } catch {
        // not problem+json: the status says enough
      }
      throw new LogUnavailableError(
        `GET ${path.split('?')[0]} answered ${response.status} ${title}`,
        response.status,
      );
    }
    return response;
  };
  return {
    text: async (path) => (await get(path)).text(),
    json: async <T>(path: string) => (await (await get(path)).json()) as T,
    // API Gateway sends a binary body as bytes only to a caller that accepts its media type.
    bytes: async (path) => new Uint8Array(await (await get(path, 'application/octet-stream')).arrayBuffer()),
  };
}

/** Counts work done and says so on stderr every 20,000 events, for logs of that size. */
function progress(io: CliIo, what: string, expected: number): (count: number) => void {
  let done = 0;
  let reported = 0;
  return (count) => {
    done += count;
    if (expected >= PROGRESS_EVERY && done - reported >= PROGRESS_EVERY) {
      reported = done;
      io.err(`${what} ${done} of about ${expected} events…`);
    }
  };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// State: the last checkpoint verified, so the next run can check the log only grew.

const STATE_FORMAT = 'himaya-audit-state/1';

interface VerifierState {
  format: typeof STATE_FORMAT;
  origin: string;
  publicKey: string;
  size: number;
  rootHash: string;
  checkpoint: string;
  verifiedAt: string;
}

async function readState(file: string): Promise<VerifierState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the state file ${file}`);
  }
  try {
    const state = JSON.parse(text) as VerifierState;
    if (
      state.format !== STATE_FORMAT ||
      typeof state.checkpoint !== 'string' ||
      typeof state.publicKey !== 'string'
    )
      throw new Error('format');
    return state;
  } catch {
    throw new UsageError(`${file} is not a verifier state file`);
  }
}

async function writeState(file: string, state: VerifierState): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/**
 * Every checkpoint in an archive folder (a copy of the write-once archive: files named by size, then
 * time), each checked against the trusted key; ascending by size.
 */
async function readArchive(directory: string, key: CheckpointKey): Promise<TrustedCheckpoint[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => /^\d{16}-[0-9TZ]+\.txt$/.test(name)).sort();
  } catch {
    throw new UsageError(`cannot read the archive folder ${directory}`);
  }
  const checkpoints: TrustedCheckpoint[] = [];
  for (const name of names) {
    let opened: VerifiedCheckpoint;
    try {
      opened = await verifyCheckpoint(await readText(join(directory, name), 'the archived checkpoint'), key);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      throw new VerificationError({
        code: 'bad-signature',
        message: `the archived checkpoint ${name} does not verify`,
      });
    }
    checkpoints.push({ size: opened.size, rootHash: opened.rootHash, label: `archived as ${name}` });
  }
  return checkpoints;
}

// ---------------------------------------------------------------------------------------------------------
// Steps the commands share.

type CliValues = Record<string, string | boolean | undefined>;

function report(findings: readonly Finding[], io: CliIo): number {
  for (const finding of findings) io.out(`FAILED: ${finding.message}`);
  return EXIT.failed;
}

function clientFor(values: CliValues): LogClient {
  return logClient(required(values, 'url'), required(values, 'token'), String(values.user ?? 'verifier'));
}

/** The public key given with --public-key, if any. */
async function readGivenKey(values: CliValues): Promise<CheckpointKey | undefined> {
  return values['public-key']
    ? await importCheckpointKey(await readText(String(values['public-key']), 'the public key'))
    : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------
// verify: the whole log against its signed checkpoint and the checkpoints verified or archived before.

/** The key to trust (given, else pinned, else served) and how the summary names it. */
async function chooseTrustedKey(
  client: LogClient,
  values: CliValues,
  state: VerifierState | undefined,
  stateFile: string,
): Promise<{ trusted: CheckpointKey; keySource: string }> {
  const given = await readGivenKey(values);
  const served = await importCheckpointKey(await readPublicKey(client));
  const trusted = given ?? (state ? await importCheckpointKey(state.publicKey) : served);
  const keySource = given
    ? `the key in ${String(values['public-key'])}`
    : state
      ? `the key pinned in ${stateFile}`
      : 'the key the log serves (now pinned)';
  if (!sameKey(trusted, served)) {
    throw new VerificationError({
      code: 'bad-key',
      message: `the log serves a different public key than ${keySource}`,
    });
  }
  return { trusted, keySource };
}

/** The checkpoints the log must extend: the one verified last time and the newest archived. */
function earlierCheckpoints(
  state: VerifierState | undefined,
  archived: readonly TrustedCheckpoint[],
): TrustedCheckpoint[] {
  const earlier: TrustedCheckpoint[] = [];
  if (state) {
    earlier.push({
      size: state.size,
      rootHash: hashOf(state.rootHash),
      label: `verified at ${state.verifiedAt}`,
    });
  }
  const newestArchived = archived.at(-1);
  if (newestArchived) earlier.push(newestArchived);
  return earlier;
}

/** A checkpoint archived a moment ago may not be served yet: look again once before calling it a rollback. */
async function catchUpWithArchive(
  client: LogClient,
  trusted: CheckpointKey,
  checkpoint: VerifiedCheckpoint,
  archived: readonly TrustedCheckpoint[],
): Promise<VerifiedCheckpoint> {
  const newestArchived = archived.at(-1);
  if (!newestArchived || newestArchived.size <= checkpoint.size) return checkpoint;
  await sleep(1000);
  return readCheckpoint(client, trusted);
}

/** A rollback or an unprovable extension is a finding, so that the events are still checked for detail. */
async function checkGrowth(
  client: LogClient,
  earlier: readonly TrustedCheckpoint[],
  checkpoint: VerifiedCheckpoint,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const reference of earlier) {
    const proof =
      reference.size > 0 && reference.size < checkpoint.size
        ? ((await consistencyProof(client, reference.size, checkpoint.size)) ?? [])
        : undefined;
    try {
      verifyConsistency(reference, checkpoint, proof);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      findings.push(error.finding);
    }
  }
  return findings;
}

/** One entry bundle, or why it cannot be used; an answer other than 500 (the log is damaged) is thrown. */
async function fetchBundle(client: LogClient, index: number, width: number): Promise<Uint8Array[] | string> {
  const path = `/v1/audit/tiles/entries/${index}${width < TILE_WIDTH ? `?width=${width}` : ''}`;
  try {
    const entries = decodeEntryBundle(await client.bytes(path));
    return entries.length === width
      ? entries
      : `entry bundle ${index} holds ${entries.length} entries, not ${width}`;
  } catch (error) {
    if (error instanceof MerkleTreeError) return `entry bundle ${index} is malformed`;
    if (error instanceof LogUnavailableError && error.status === 500)
      return `entry bundle ${index} is not served`;
    throw error;
  }
}

type Bundle = Uint8Array[] | string;

/** Consecutive bundles read with one request: up to 8 full ones, or the partial one at the edge alone. */
interface Span {
  first: number;
  count: number;
  /** Entries of the last bundle (256 unless it is the partial one). */
  width: number;
}

/** The spans covering the tree of `size` leaves, aligned to multiples of 8 bundles. */
function spansOf(size: number): Span[] {
  const full = Math.floor(size / TILE_WIDTH);
  const spans: Span[] = [];
  for (let first = 0; first < full; first += MAX_BUNDLES_PER_RANGE) {
    spans.push({ first, count: Math.min(MAX_BUNDLES_PER_RANGE, full - first), width: TILE_WIDTH });
  }
  if (size % TILE_WIDTH > 0) spans.push({ first: full, count: 1, width: size % TILE_WIDTH });
  return spans;
}

/** The bundles of a span, each as `fetchBundle` gives it. */
async function fetchSpan(client: LogClient, { first, count, width }: Span): Promise<Bundle[]> {
  if (count === 1) return [await fetchBundle(client, first, width)];
  const each = (problem: (index: number) => string) =>
    Array.from({ length: count }, (_, i) => problem(first + i));
  try {
    const entries = decodeEntryBundle(
      await client.bytes(`/v1/audit/entry-bundles/${first}/${count}`),
      count * TILE_WIDTH,
    );
    if (entries.length !== count * TILE_WIDTH) {
      return each(
        (index) =>
          `entry bundles ${first}-${first + count - 1} hold ${entries.length} entries (bundle ${index})`,
      );
    }
    return Array.from({ length: count }, (_, i) => entries.slice(i * TILE_WIDTH, (i + 1) * TILE_WIDTH));
  } catch (error) {
    if (error instanceof MerkleTreeError) return each((index) => `entry bundle ${index} is malformed`);
    if (error instanceof LogUnavailableError && error.status === 500)
      return each((index) => `entry bundle ${index} is not served`);
    throw error;
  }
}

/** The spans' bundles, into `bundles`, a few requests at a time. */
async function fetchSpans(
  client: LogClient,
  bundles: Bundle[],
  spans: readonly Span[],
  report: (count: number) => void,
): Promise<void> {
  await inParallel(spans.length, TILE_CONCURRENCY, async (i) => {
    const span = spans[i] as Span;
    const fetched = await fetchSpan(client, span);
    fetched.forEach((bundle, k) => {
      bundles[span.first + k] = bundle;
    });
    report((span.count - 1) * TILE_WIDTH + span.width);
  });
}

const NOT_SERVED = / is not served$/;

/**
 * The sealed bytes of every leaf, in order, and what was wrong with the bundles, if anything. `unserved`:
 * only some bundles were missing (a log sealed before bundles existed has none for its older leaves), none
 * damaged: the listing alone then decides, as it did before bundles.
 */
function packEntries(bundles: readonly Bundle[]): {
  inputs: LeafInputs;
  problem?: string;
  unserved?: boolean;
} {
  const inputs = new LeafInputs();
  const problems: string[] = [];
  for (const bundle of bundles) {
    if (typeof bundle === 'string') problems.push(bundle);
    else for (const entry of bundle ?? []) inputs.add(entry);
  }
  if (problems.length === 0) return { inputs };
  const unserved = problems.every((problem) => NOT_SERVED.test(problem));
  return { inputs, problem: problems.slice(0, 3).join('; '), ...(unserved ? { unserved } : {}) };
}

/** The leaves at whose sealed times the listing is cut into ranges (none for a small log). */
export function cutLeaves(size: number, eventsPerRange: number): number[] {
  const ranges = Math.min(MAX_LISTING_RANGES, Math.max(1, Math.floor(size / eventsPerRange)));
  return Array.from({ length: ranges - 1 }, (_, k) => Math.floor(((k + 1) * size) / ranges));
}

function cutTimes(bundles: readonly Bundle[], leaves: readonly number[]): string[] {
  const bounds = new Set<string>();
  for (const leaf of leaves) {
    const bundle = bundles[Math.floor(leaf / TILE_WIDTH)];
    const entry = typeof bundle === 'string' ? undefined : bundle?.[leaf % TILE_WIDTH];
    const time = entry ? entryTime(entry) : undefined;
    if (time) bounds.add(time);
  }
  return [...bounds].sort();
}

/**
 * The sealed bytes of leaves 0 … size - 1 (the entry bundles) and every listed event, read side by side:
 * first the bundles holding the leaves where the listing is cut into time ranges, then the other bundles
 * and the ranges at once.
 */
async function readLog(client: LogClient, io: CliIo, size: number, sizes: ListingSizes) {
  const bundles: Bundle[] = new Array(Math.ceil(size / TILE_WIDTH));
  const report = progress(io, 'read the sealed bytes of', size);
  const leaves = cutLeaves(size, sizes.eventsPerRange);
  const spans = spansOf(size);
  const holdsCut = (span: Span) =>
    leaves.some((leaf) => {
      const bundle = Math.floor(leaf / TILE_WIDTH);
      return bundle >= span.first && bundle < span.first + span.count;
    });
  await fetchSpans(client, bundles, spans.filter(holdsCut), report);
  const [events] = await Promise.all([
    listInRanges(client, io, cutTimes(bundles, leaves), size, sizes.pageSize),
    fetchSpans(
      client,
      bundles,
      spans.filter((span) => !holdsCut(span)),
      report,
    ),
  ]);
  return { ...packEntries(bundles), events };
}

/**
 * Every event the API lists, read in time ranges side by side. The ranges are cut at the times of sealed
 * entries and share their bounds (each `to` is the next `from`, both inclusive), so together they cover
 * what one listing would; an event listed in two ranges is one event, one listed twice in a range two.
 */
async function listInRanges(
  client: LogClient,
  io: CliIo,
  cuts: readonly string[],
  size: number,
  pageSize: number,
) {
  const ranges = [undefined, ...cuts].map((from, i) => ({
    ...(from ? { from } : {}),
    ...(cuts[i] ? { to: cuts[i] } : {}),
  }));
  const report = progress(io, 'listed', size);
  const lists: ListedEvent[][] = new Array(ranges.length);
  await inParallel(ranges.length, ranges.length, async (i) => {
    lists[i] = await listEvents(client, ranges[i] as Record<string, string>, report, pageSize);
  });
  return mergeRanges(lists, cuts);
}

/**
 * One listing from the ranges. Only an event dated at a shared bound can be listed by two ranges, so only
 * those are compared whole (the rest, most of a large log, is taken as listed).
 */
function mergeRanges(lists: readonly ListedEvent[][], cuts: readonly string[]): ListedEvent[] {
  if (lists.length === 1) return lists[0] as ListedEvent[];
  const bounds = new Set(cuts);
  const inside: ListedEvent[] = [];
  const merged = new Map<string, { event: ListedEvent; count: number }>();
  for (const list of lists) {
    const here = new Map<string, number>();
    for (const event of list) {
      if (!bounds.has(event.time as string)) {
        inside.push(event);
        continue;
      }
      const key = JSON.stringify(event);
      here.set(key, (here.get(key) ?? 0) + 1);
      if (!merged.has(key)) merged.set(key, { event, count: 0 });
    }
    for (const [key, count] of here) {
      const entry = merged.get(key) as { count: number };
      entry.count = Math.max(entry.count, count);
    }
  }
  return [
    ...inside,
    ...[...merged.values()].flatMap(({ event, count }) => Array<ListedEvent>(count).fill(event)),
  ];
}

/**
 * The sealed entries against the signed root, then every listed event against the entry sealed at its
 * leaf. Where anything differs, the listed events are re-hashed into a tree of their own and the leaf
 * where it departs from the signed one is found and named, with the log's proofs, as without entries.
 */
async function checkLogEvents(
  client: LogClient,
  io: CliIo,
  checkpoint: VerifiedCheckpoint,
  graceMs: number,
  references: readonly TrustedCheckpoint[],
  sizes: ListingSizes,
): Promise<Finding[]> {
  // The log grows while it is read (each of these requests is audited): the signed size is what counts.
  const { inputs, problem, unserved, events } = await readLog(client, io, checkpoint.size, sizes);
  const entries = checkSealedEntries(inputs, checkpoint, problem);
  // Missing bundles prove nothing either way: the listing is verified against the signed root as a whole.
  if (unserved) io.err(`${problem}: verifying from the event listing alone`);
  const options = {
    now: io.now(),
    graceMs,
    onProgress: (done: number, total: number) => io.err(`checked ${done} of ${total} events…`),
  };
  const fast = entries.finding
    ? undefined
    : checkEventsAgainstEntries(events, checkpoint, { tree: entries.tree, inputs }, options);
  if (fast) return fast.findings;
  const check = checkEvents(events, checkpoint, options);
  const tiles = entries.finding && !unserved ? [entries.finding] : [];
  if (!check.tree || check.rootMatches) return [...check.findings, ...tiles];
  const diagnosis = await diagnoseMismatch(client, check, check.tree, checkpoint, references);
  return [...check.findings, ...diagnosis, ...tiles];
}

async function diagnoseMismatch(
  client: LogClient,
  check: LogCheck,
  tree: NonNullable<LogCheck['tree']>,
  checkpoint: VerifiedCheckpoint,
  references: readonly TrustedCheckpoint[],
): Promise<Finding[]> {
  const index = await locateMismatch(tree, checkpoint, async (m) =>
    ((await consistencyProof(client, m, checkpoint.size)) ?? []).map(hashOf),
  );
  const event = check.leaves[index] as ListedEvent;
  let diagnosis: Finding;
  try {
    const sealed = await readInclusionProof(client, String(event.eventId), checkpoint.size);
    diagnosis = diagnoseLeaf(index, hashOf(sealed.leafHash), sealed.proof.map(hashOf), check, checkpoint);
  } catch (error) {
    // The log refuses a proof for its own leaf: as good as a proof that does not verify.
    if (!(error instanceof LogUnavailableError) || error.status === undefined) throw error;
    diagnosis = diagnoseLeaf(index, new Uint8Array(32), [], check, checkpoint);
  }
  // When the log's proofs cannot be trusted, the checkpoints held here still narrow down the change.
  const located = diagnosis.code === 'fork' ? localize(check, references) : undefined;
  return [diagnosis, ...(located ? [located] : [])];
}

async function verify(values: CliValues, io: CliIo, sizes: ListingSizes): Promise<number> {
  const client = clientFor(values);
  const stateFile = String(values.state ?? DEFAULT_STATE_FILE);
  const graceMs = seconds(values.grace, DEFAULT_GRACE_SECONDS) * 1000;
  const state = await readState(stateFile);
  const { trusted, keySource } = await chooseTrustedKey(client, values, state, stateFile);
  // The archive is read before the checkpoint: every archived checkpoint is stored before it is served.
  const archived = values.archive ? await readArchive(String(values.archive), trusted) : [];
  const served = await readCheckpoint(client, trusted);
  if (state && state.origin !== served.origin) {
    throw new UsageError(`${stateFile} belongs to the log ${state.origin}, not ${served.origin}`);
  }
  const earlier = earlierCheckpoints(state, archived);
  const checkpoint = await catchUpWithArchive(client, trusted, served, archived);
  const findings = [
    ...(await checkGrowth(client, earlier, checkpoint)),
    ...(await checkLogEvents(client, io, checkpoint, graceMs, [...earlier, ...archived], sizes)),
  ];
  if (findings.length > 0) return report(findings, io);

  await writeState(stateFile, {
    format: STATE_FORMAT,
    origin: checkpoint.origin,
    publicKey: trusted.pem,
    size: checkpoint.size,
    rootHash: toBase64(checkpoint.rootHash),
    checkpoint: checkpoint.note,
    verifiedAt: io.now().toISOString(),
  });
  const since =
    earlier.length > 0 ? `; extends ${earlier.map((e) => `size ${e.size} ${e.label}`).join(' and ')}` : '';
  io.out(
    `verified: ${checkpoint.origin} size ${checkpoint.size} root ${toBase64(checkpoint.rootHash)}: signature valid with ${keySource}, all ${checkpoint.size} events recomputed${since}`,
  );
  return EXIT.verified;
}

// ---------------------------------------------------------------------------------------------------------
// export and verify-bundle: the events of one filter with their inclusion proofs, checkable offline.

function eventFilterOf(values: CliValues): EventFilter {
  const filter: EventFilter = {};
  if (values.case) filter.caseId = String(values.case);
  if (values.from) filter.from = String(values.from);
  if (values.to) filter.to = String(values.to);
  return filter;
}

async function exportBundle(values: CliValues, io: CliIo): Promise<number> {
  const url = required(values, 'url');
  const out = required(values, 'out');
  const client = clientFor(values);
  const key = (await readGivenKey(values)) ?? (await importCheckpointKey(await readPublicKey(client)));
  const { bundle, checkpoint, findings } = await exportEvidenceBundle(client, {
    source: url,
    filter: eventFilterOf(values),
    key,
    waitMs: seconds(values.wait, 10) * 1000,
    now: io.now(),
  });
  await writeFile(out, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
  if (findings.length > 0) return report(findings, io);
  const pending = bundle.notYetSealed.length;
  io.out(
    `exported: ${bundle.events.length} events with their inclusion proofs in ${checkpoint.origin} size ${checkpoint.size} to ${out}${pending > 0 ? `; ${pending} not yet sealed, left out` : ''}`,
  );
  return EXIT.verified;
}

async function readBundle(file: string): Promise<EvidenceBundle> {
  const text = await readText(file, 'the bundle');
  try {
    return parseEvidenceBundle(JSON.parse(text));
  } catch {
    throw new UsageError(`${file} is not an evidence bundle (${EVIDENCE_BUNDLE_FORMAT})`);
  }
}

async function verifyBundleFile(file: string, values: CliValues, io: CliIo): Promise<number> {
  const bundle = await readBundle(file);
  const given = await readGivenKey(values);
  const { checkpoint, findings } = await verifyBundle(
    bundle,
    given ?? (await importCheckpointKey(bundle.publicKey)),
  );
  if (findings.length > 0) return report(findings, io);
  const filter = Object.entries(bundle.filter)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const key = given
    ? `the key in ${String(values['public-key'])}`
    : 'the key in the bundle (pass --public-key to use one you trust)';
  io.out(
    `verified: ${bundle.events.length} events${filter ? ` (${filter})` : ''} are in ${checkpoint.origin} size ${checkpoint.size} root ${toBase64(checkpoint.rootHash)}, signed with ${key}`,
  );
  return EXIT.verified;
}

// ---------------------------------------------------------------------------------------------------------

function required(values: CliValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} is required`);
  return value;
}

function seconds(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(Number.isFinite(number) && number >= 0))
    throw new UsageError(`not a number of seconds: ${String(value)}`);
  return number;
}

const USAGE = `usage: npm run audit -- <command>
  verify --url <base> --token <t> [--user <id>] [--state <file>] [--public-key <pem>] [--archive <dir>] [--grace <s>]
  export --url <base> --token <t> --out <bundle.json> [--case <id>] [--from <time>] [--to <time>] [--public-key <pem>] [--wait <s>]
  verify-bundle <bundle.json> [--public-key <pem>]`;

/** `sizes`: only tests change them, to read a small log the way `verify` reads a large one. */
export async function runAuditCli(
  argv: readonly string[],
  io: CliIo,
  sizes: ListingSizes = LISTING_SIZES,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        user: { type: 'string' },
        state: { type: 'string' },
        'public-key': { type: 'string' },
        archive: { type: 'string' },
        grace: { type: 'string' },
        out: { type: 'string' },
        case: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? EXIT.verified : EXIT.usage;
    }
    if (command === 'verify' && rest.length === 0) return await verify(values, io, sizes);
    if (command === 'export' && rest.length === 0) return await exportBundle(values, io);
    if (command === 'verify-bundle' && rest.length === 1)
      return await verifyBundleFile(rest[0] as string, values, io);
    throw new UsageError(`unknown command or arguments: ${positionals.join(' ')}`);
  } catch (error) {
    if (error instanceof VerificationError) return report([error.finding], io);
    if (error instanceof LogUnavailableError) {
      io.err(`cannot read the log: ${error.message}`);
      return EXIT.unavailable;
    }
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
}
