/**
 * Verifying the access log with nothing but its public key, in Node and in the browser: the one module
 * the compliance officers' CLI (`npm run audit`) and the compliance console share, so that both accept and
 * reject exactly the same log. It checks a checkpoint's Ed25519 signature (WebCrypto) with a key pinned by
 * fingerprint, the consistency of an earlier checkpoint with a later one, an event's inclusion from the
 * leaf hash of its canonical bytes, and evidence bundles; and it builds those bundles from the audit API.
 *
 * No `node:` import and no `Buffer`: it needs only WebCrypto (`crypto.subtle`, Ed25519), `TextEncoder`
 * and `TextDecoder`. SHA-256 is synchronous (@noble/hashes, merkle/hashing.ts). The CLI's recomputation of
 * a whole log is Node-only (log-recomputation.ts) and reports through the same findings.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import * as z from 'zod';
import {
  CheckpointFormatError,
  importEd25519PublicKey,
  NoteKeyError,
  parseSignedNote,
  verifyCheckpointSignature,
} from './checkpoint';
import { fromBase64, toBase64, toHex } from './encoding';
import { eventLeafHash } from './leaf';
import { hashesEqual } from './merkle/hashing';
import { verifyConsistency as proofConnectsTrees, verifyInclusion } from './merkle/verification';

// ---------------------------------------------------------------------------------------------------------
// Findings.

/** A problem found in the log: what is wrong, and where. */
export interface Finding {
  code:
    | 'bad-key'
    | 'untrusted-key'
    | 'bad-signature'
    | 'rollback'
    | 'fork'
    | 'missing-leaf'
    | 'duplicate-leaf'
    | 'leaf-mismatch'
    | 'unsealed'
    | 'backdated'
    | 'malformed-event'
    | 'malformed-bundle'
    | 'not-included'
    | 'entries-mismatch';
  message: string;
  leafIndex?: number;
  eventId?: string;
  size?: number;
}

/** The log (or a key, a checkpoint, a bundle) fails a check: the finding says what and where. */
export class VerificationError extends Error {
  readonly finding: Finding;
  constructor(finding: Finding, options?: { cause?: unknown }) {
    super(finding.message, options);
    this.name = 'VerificationError';
    this.finding = finding;
  }
}

/** An event as the API returns it (any JSON object; checked here). */
export type ListedEvent = Readonly<Record<string, unknown>>;

export function describeEvent(event: ListedEvent): string {
  const who = [event.agency, event.user].filter((part) => typeof part === 'string').join('/');
  return `event ${String(event.eventId)} (${String(event.time)}, ${String(event.action)}${who ? ` by ${who}` : ''})`;
}

// ---------------------------------------------------------------------------------------------------------
// Keys.

/** The log's Ed25519 public key, checked usable by WebCrypto. */
export interface CheckpointKey {
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The same key as PEM (`-----BEGIN PUBLIC KEY-----`, 64-character lines). */
  readonly pem: string;
  /** `formatFingerprint(spki)`. */
  readonly fingerprint: string;
}

const FINGERPRINT_PREFIX = 'SHA256:';
const PEM_PUBLIC_KEY = /^\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/;

/**
 * A key's fingerprint: `SHA256:` and the lowercase hex SHA-256 of its DER SubjectPublicKeyInfo, as
 * `openssl pkey -pubin -in key.pem -outform DER | sha256sum` prints it.
 */
export function formatFingerprint(spki: Uint8Array): string {
  return `${FINGERPRINT_PREFIX}${toHex(sha256(spki))}`;
}

function badKey(message: string, cause?: unknown): VerificationError {
  return new VerificationError({ code: 'bad-key', message }, { cause });
}

function derOfPem(pem: string): Uint8Array {
  const body = PEM_PUBLIC_KEY.exec(pem)?.[1];
  const der = body === undefined ? undefined : fromBase64(body.replace(/\s+/g, ''));
  if (!der) throw badKey('the public key is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  return der;
}

function pemOfDer(der: Uint8Array): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/**
 * The log's public key from PEM text or DER bytes (SubjectPublicKeyInfo, as `GET /v1/audit/public-key`
 * and KMS GetPublicKey give it). Rejects with `VerificationError` (`bad-key`) unless it is an Ed25519 key
 * WebCrypto can verify with.
 */
export async function importCheckpointKey(spki: string | Uint8Array): Promise<CheckpointKey> {
  const der = typeof spki === 'string' ? derOfPem(spki) : spki.slice();
  try {
    await importEd25519PublicKey(der);
  } catch (error) {
    if (!(error instanceof NoteKeyError)) throw error;
    throw badKey(`the public key is not an Ed25519 key: ${error.message}`, error);
  }
  return { spki: der, pem: pemOfDer(der), fingerprint: formatFingerprint(der) };
}

/** Throws `VerificationError` (`untrusted-key`) unless `key` has the pinned fingerprint. */
export function requireFingerprint(key: CheckpointKey, pinned: string): void {
  if (
    key.fingerprint !==
    pinned
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, FINGERPRINT_PREFIX)
  ) {
    throw new VerificationError({
      code: 'untrusted-key',
      message: `the log's public key has the fingerprint ${key.fingerprint}, not the pinned ${pinned.trim()}`,
    });
  }
}

/** `importCheckpointKey`, then `requireFingerprint`: a served key is trusted only if it is the pinned one. */
export async function importPinnedKey(spki: string | Uint8Array, pinned: string): Promise<CheckpointKey> {
  const key = await importCheckpointKey(spki);
  requireFingerprint(key, pinned);
  return key;
}

export function sameKey(a: CheckpointKey, b: CheckpointKey): boolean {
  return a.fingerprint === b.fingerprint;
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints.

/** A size and root hash of the log's tree. */
export interface TreeState {
  size: number;
  rootHash: Uint8Array;
}

/** A checkpoint whose signature verified; `note` is the signed note as received. */
export interface VerifiedCheckpoint extends TreeState {
  origin: string;
  note: string;
}

/** A signed size and root the verifier holds itself (verified before, archived), and how to name it. */
export interface TrustedCheckpoint extends TreeState {
  label: string;
}

/**
 * Parses a C2SP signed checkpoint and checks its Ed25519 signature by `key` under the key name of its own
 * origin. Rejects with `VerificationError` (`bad-signature`) naming the malformed or tampered checkpoint.
 */
export async function verifyCheckpoint(note: string, key: CheckpointKey): Promise<VerifiedCheckpoint> {
  let parsed: ReturnType<typeof parseSignedNote>;
  try {
    parsed = parseSignedNote(note);
  } catch (error) {
    if (!(error instanceof CheckpointFormatError)) throw error;
    throw new VerificationError(
      { code: 'bad-signature', message: `the checkpoint is malformed: ${error.message}` },
      { cause: error },
    );
  }
  if (!(await verifyCheckpointSignature(note, { name: parsed.origin, publicKey: key.spki }))) {
    throw new VerificationError({
      code: 'bad-signature',
      size: parsed.size,
      message: `the checkpoint signature (size ${parsed.size}) does not verify with the public key ${key.fingerprint}: the checkpoint was altered or signed by another key`,
    });
  }
  return { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash, note };
}

/** Proof hashes as the API gives them (base64) or as bytes. */
export type ProofHashes = readonly (string | Uint8Array)[];

/** The bytes of each proof hash; undefined when one is not base64. */
function proofBytes(proof: ProofHashes): Uint8Array[] | undefined {
  const bytes = proof.map((hash) => (typeof hash === 'string' ? fromBase64(hash) : hash));
  return bytes.every((hash) => hash !== undefined) ? bytes : undefined;
}

/**
 * Checks that `newer` extends `older` (a checkpoint verified before, or archived), given the log's
 * consistency proof between them (none is needed for equal sizes or an empty `older`). Throws
 * `VerificationError`: `rollback` when `newer` is smaller, `fork` when the proof does not connect them.
 */
export function verifyConsistency(
  older: TreeState & { label?: string },
  newer: TreeState,
  proof: ProofHashes | undefined,
): void {
  const label = older.label ?? 'verified before';
  if (newer.size < older.size) {
    throw new VerificationError({
      code: 'rollback',
      size: newer.size,
      message: `the log's checkpoint has ${newer.size} events, fewer than the ${older.size} of the checkpoint ${label}: the log was truncated or rolled back`,
    });
  }
  const path = proofBytes(proof ?? []);
  const consistent =
    newer.size === older.size
      ? hashesEqual(older.rootHash, newer.rootHash)
      : older.size === 0 ||
        (path !== undefined &&
          proofConnectsTrees(older.size, newer.size, older.rootHash, newer.rootHash, path));
  if (!consistent) {
    throw new VerificationError({
      code: 'fork',
      size: newer.size,
      message: `the log cannot prove that its checkpoint of size ${newer.size} extends the checkpoint ${label} (size ${older.size}): its history or its tree data was rewritten`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Events.

const LeafIndexSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Checks that `event` (as `GET /v1/audit/events` lists it) is leaf `leafIndex` of the tree of `treeSize`
 * with root `rootHash`: its leaf hash is recomputed from its canonical bytes (leaf.ts), then the inclusion
 * proof is walked up to the root. Throws `VerificationError`: `not-included` naming the event (changed
 * content, wrong position, altered proof), `malformed-event` when it is not canonical JSON.
 */
export function verifyEventInclusion(
  event: ListedEvent,
  leafIndex: number,
  treeSize: number,
  proof: ProofHashes,
  rootHash: Uint8Array,
): void {
  let leafHash: Uint8Array;
  try {
    leafHash = eventLeafHash(event);
  } catch (error) {
    throw new VerificationError(
      {
        code: 'malformed-event',
        eventId: String(event.eventId),
        message: `${describeEvent(event)} is not canonical JSON: ${(error as Error).message}`,
      },
      { cause: error },
    );
  }
  const path = proofBytes(proof);
  if (!path || !verifyInclusion(leafIndex, treeSize, leafHash, path, rootHash)) {
    throw new VerificationError({
      code: 'not-included',
      leafIndex,
      eventId: String(event.eventId),
      message: `leaf ${leafIndex}, ${describeEvent(event)}, is not in the signed log of size ${treeSize}: the event or its proof was altered`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Evidence bundles.

const Base64HashSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

export const EVIDENCE_BUNDLE_FORMAT = 'himaya-audit-evidence/1';

export const EvidenceBundleSchema = z.strictObject({
  format: z.literal(EVIDENCE_BUNDLE_FORMAT),
  exportedAt: z.string(),
  source: z.string(),
  filter: z.record(z.string(), z.string()),
  checkpoint: z.string(),
  publicKey: z.string(),
  events: z.array(
    z.strictObject({
      event: z.record(z.string(), z.unknown()),
      proof: z.array(Base64HashSchema),
    }),
  ),
  /** Events that matched the filter but were not yet in the checkpoint. */
  notYetSealed: z.array(z.string()),
});
export type EvidenceBundle = z.infer<typeof EvidenceBundleSchema>;

/** A parsed JSON value as an evidence bundle; `VerificationError` (`malformed-bundle`) if it is not one. */
export function parseEvidenceBundle(json: unknown): EvidenceBundle {
  const parsed = EvidenceBundleSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'the bundle';
    throw new VerificationError({
      code: 'malformed-bundle',
      message:
        `not an evidence bundle (${EVIDENCE_BUNDLE_FORMAT}): ${where} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
    });
  }
  return parsed.data;
}

/**
 * Checks a bundle offline: the checkpoint's signature by `key` (throws `VerificationError` when it fails),
 * then each event's inclusion proof; what fails is in `findings`, one per event.
 */
export async function verifyBundle(
  bundle: EvidenceBundle,
  key: CheckpointKey,
): Promise<{ checkpoint: VerifiedCheckpoint; findings: Finding[] }> {
  const checkpoint = await verifyCheckpoint(bundle.checkpoint, key);
  const findings: Finding[] = [];
  const seen = new Map<number, string>();
  for (const { event, proof } of bundle.events) {
    const index = LeafIndexSchema.safeParse(event.leafIndex);
    if (!index.success || index.data >= checkpoint.size) {
      findings.push({
        code: 'malformed-event',
        eventId: String(event.eventId),
        message: `${describeEvent(event)} has no leafIndex below the checkpoint size ${checkpoint.size}`,
      });
      continue;
    }
    const other = seen.get(index.data);
    if (other !== undefined) {
      findings.push({
        code: 'duplicate-leaf',
        leafIndex: index.data,
        eventId: String(event.eventId),
        message: `leaf ${index.data} is claimed by ${other} and ${String(event.eventId)}`,
      });
    }
    seen.set(index.data, String(event.eventId));
    try {
      verifyEventInclusion(event, index.data, checkpoint.size, proof, checkpoint.rootHash);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      findings.push(error.finding);
    }
  }
  return { checkpoint, findings };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the audit API (the CLI and the console each give their own authenticated GET).

/** GET on the audit API, relative to its base URL; rejects on a network error or an error status. */
export interface AuditApi {
  text(path: string): Promise<string>;
  json<T>(path: string): Promise<T>;
}

/** `GET /v1/audit/events` filters the CLI and the console export by (absent, not undefined, when unset). */
export type EventFilter = { caseId?: string; from?: string; to?: string };

function definedMembers(filter: EventFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => typeof value === 'string'));
}

/** Events per page of `GET /v1/audit/events`: its largest page, as each page is an audited request. */
export const EVENT_PAGE_SIZE = 2000;
const PROOF_CONCURRENCY = 8;

/** Every event the filter selects, following the cursor; `onPage` is told each page's size. */
export async function listEvents(
  api: AuditApi,
  filter: EventFilter,
  onPage?: (count: number) => void,
  pageSize = EVENT_PAGE_SIZE,
): Promise<ListedEvent[]> {
  const events: ListedEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({
      ...definedMembers(filter),
      limit: String(pageSize),
      ...(cursor ? { cursor } : {}),
    });
    const page = await api.json<{ items: ListedEvent[]; nextCursor?: string }>(`/v1/audit/events?${query}`);
    events.push(...page.items);
    onPage?.(page.items.length);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

/** The log's public key as it serves it (PEM): trust it only through a pinned fingerprint or key. */
export function readPublicKey(api: AuditApi): Promise<string> {
  return api.text('/v1/audit/public-key');
}

/** The latest checkpoint, its signature verified by `key`. */
export async function readCheckpoint(api: AuditApi, key: CheckpointKey): Promise<VerifiedCheckpoint> {
  return verifyCheckpoint(await api.text('/v1/audit/checkpoint'), key);
}

/** The log's consistency proof from size `from` to size `to`. */
export async function readConsistencyProof(api: AuditApi, from: number, to: number): Promise<string[]> {
  return (await api.json<{ proof: string[] }>(`/v1/audit/proofs/consistency?from=${from}&to=${to}`)).proof;
}

/** The log's inclusion proof of event `eventId` in the tree of `treeSize`. */
export function readInclusionProof(
  api: AuditApi,
  eventId: string,
  treeSize: number,
): Promise<{ leafHash: string; proof: string[] }> {
  return api.json(`/v1/audit/proofs/inclusion?eventId=${encodeURIComponent(eventId)}&treeSize=${treeSize}`);
}

/**
 * The latest checkpoint, verified by `key` and, when the verifier holds an earlier one (`previous`, kept
 * from its last run), proved to extend it with the log's consistency proof.
 */
export async function readCheckpointExtending(
  api: AuditApi,
  key: CheckpointKey,
  previous: TrustedCheckpoint | undefined,
): Promise<VerifiedCheckpoint> {
  const checkpoint = await readCheckpoint(api, key);
  if (previous) {
    const needsProof = previous.size > 0 && previous.size < checkpoint.size;
    const proof = needsProof ? await readConsistencyProof(api, previous.size, checkpoint.size) : [];
    verifyConsistency(previous, checkpoint, proof);
  }
  return checkpoint;
}

/** Runs `work` for 0 … count - 1, at most `concurrency` at a time. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events are sealed within seconds of being written: lists them until all are sealed or time is up. */
async function listUntilSealed(api: AuditApi, filter: EventFilter, key: CheckpointKey, waitMs: number) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const events = await listEvents(api, filter);
    const checkpoint = await readCheckpoint(api, key);
    const pending = events.some((e) => typeof e.leafIndex !== 'number' || e.leafIndex >= checkpoint.size);
    if (!pending || Date.now() >= deadline) return { checkpoint, events };
    await sleep(500);
  }
}

export interface ExportOptions {
  /** The API's base URL, recorded in the bundle. */
  source: string;
  filter: EventFilter;
  /** The key the checkpoint must verify with (pinned, or given); it goes into the bundle. */
  key: CheckpointKey;
  /** How long to wait for events not yet sealed (they are left out, and listed as such). */
  waitMs: number;
  now: Date;
}

/**
 * An evidence bundle of the events `filter` selects, each with its inclusion proof in the latest
 * checkpoint, and its verification (`verifyBundle`): what `npm run audit -- export` writes and the console
 * downloads, so that `npm run audit -- verify-bundle` checks either.
 */
export async function exportEvidenceBundle(
  api: AuditApi,
  options: ExportOptions,
): Promise<{ bundle: EvidenceBundle; checkpoint: VerifiedCheckpoint; findings: Finding[] }> {
  const { checkpoint, events } = await listUntilSealed(api, options.filter, options.key, options.waitMs);
  const sealed = events.filter((e) => typeof e.leafIndex === 'number' && e.leafIndex < checkpoint.size);
  const notYetSealed = events.filter((e) => !sealed.includes(e)).map((e) => String(e.eventId));
  const proofs: string[][] = new Array(sealed.length);
  await inParallel(sealed.length, PROOF_CONCURRENCY, async (i) => {
    const event = sealed[i] as ListedEvent;
    proofs[i] = (await readInclusionProof(api, String(event.eventId), checkpoint.size)).proof;
  });
  const bundle: EvidenceBundle = {
    format: EVIDENCE_BUNDLE_FORMAT,
    exportedAt: options.now.toISOString(),
    source: options.source,
    filter: definedMembers(options.filter),
    checkpoint: checkpoint.note,
    publicKey: options.key.pem,
    events: sealed.map((event, i) => ({ event: { ...event }, proof: proofs[i] as string[] })),
    notYetSealed,
  };
  const { findings } = await verifyBundle(bundle, options.key);
  return { bundle, checkpoint, findings };
}

export { fromBase64, toBase64 } from './encoding';
export { eventLeafHash } from './leaf';
