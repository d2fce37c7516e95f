import type { Api, AuditEvent } from './api';
import { ApiError } from './api';

/**
 * Verifies what the console shows, trusting nothing the server says but a key whose fingerprint the
 * console's configuration pins: the latest checkpoint's signature, its consistency with the last
 * checkpoint this browser verified, and the inclusion of every event shown, each leaf hash recomputed
 * from the event. The cryptography is the shared verification module's (the CLI's too); this file only
 * decides what to check and how to report it.
 */
export interface CheckpointKey {
  fingerprint: string;
}

export interface SignedTreeHead {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

/** The shared verification module, as the console uses it. Each check resolves false when it fails. */
export interface LogVerifier {
  importCheckpointKey(spkiPem: string): Promise<CheckpointKey>;
  /** The checkpoint's fields when its signature verifies with `key`; undefined otherwise. */
  verifyCheckpoint(note: string, key: CheckpointKey): Promise<SignedTreeHead | undefined>;
  verifyConsistency(older: SignedTreeHead, newer: SignedTreeHead, proof: Uint8Array[]): Promise<boolean>;
  verifyEventInclusion(
    event: AuditEvent,
    leafIndex: number,
    treeSize: number,
    proof: Uint8Array[],
    rootHash: Uint8Array,
  ): Promise<boolean>;
  /** What is wrong with an evidence bundle, checked as the CLI checks it; undefined when it verifies. */
  verifyBundle?(bundle: unknown): Promise<string | undefined>;
}

/** `unverified`: nothing could be checked (no trusted checkpoint to check against). */
export type EventProof = 'included' | 'failed' | 'pending' | 'unverified';

export type Failure =
  | { kind: 'key'; fingerprint: string }
  | { kind: 'origin'; origin: string }
  | { kind: 'signature'; size: number | undefined }
  | { kind: 'consistency'; size: number; older: number }
  | { kind: 'inclusion'; eventId: string }
  | { kind: 'proof-refused'; eventId: string; status: number };

export type Verdict =
  | { state: 'verified'; size: number; checkedAt: Date; included: number; pending: number }
  | { state: 'failed'; failures: Failure[] };

export interface VerificationResult {
  verdict: Verdict;
  /** Per event shown: proved included, failed, or not in the signed tree yet. */
  events: Map<string, EventProof>;
}

/** The last checkpoint this browser verified, per log: not a secret, only a memory that must only grow. */
interface RememberedCheckpoint {
  fingerprint: string;
  size: number;
  rootHash: string;
}

const rememberedKey = (origin: string) => `himaya-console:verified-checkpoint:${origin}`;

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function remembered(origin: string, fingerprint: string): RememberedCheckpoint | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(rememberedKey(origin)) ?? 'null') as RememberedCheckpoint;
    return value && value.fingerprint === fingerprint && Number.isInteger(value.size) ? value : undefined;
  } catch {
    return undefined;
  }
}

function remember(origin: string, fingerprint: string, head: SignedTreeHead): void {
  const value: RememberedCheckpoint = { fingerprint, size: head.size, rootHash: toBase64(head.rootHash) };
  localStorage.setItem(rememberedKey(origin), JSON.stringify(value));
}

export interface TrustAnchor {
  /** The pinned fingerprint of the checkpoint signing key. */
  fingerprint: string;
  /** The log's origin line. */
  origin: string;
}

/** The size a checkpoint claims (its second line), to name one whose signature fails. */
function sizeOfNote(note: string): number | undefined {
  const size = Number(note.split('\n')[1]);
  return Number.isSafeInteger(size) ? size : undefined;
}

/** The signed tree head to verify against, or the failure that makes everything shown unverifiable. */
async function signedHead(
  api: Api,
  verifier: LogVerifier,
  anchor: TrustAnchor,
): Promise<SignedTreeHead | Failure> {
  const key = await verifier.importCheckpointKey(await api.publicKey());
  if (key.fingerprint !== anchor.fingerprint) return { kind: 'key', fingerprint: key.fingerprint };
  const note = await api.checkpoint();
  const head = await verifier.verifyCheckpoint(note, key);
  if (!head) return { kind: 'signature', size: sizeOfNote(note) };
  if (head.origin !== anchor.origin) return { kind: 'origin', origin: head.origin };
  return head;
}

/** The new head must extend the one this browser verified last: same root at the same size, else proved. */
async function checkGrowth(api: Api, verifier: LogVerifier, anchor: TrustAnchor, head: SignedTreeHead) {
  const older = remembered(anchor.origin, anchor.fingerprint);
  if (!older) return undefined;
  const olderHead = { origin: anchor.origin, size: older.size, rootHash: fromBase64(older.rootHash) };
  const failure: Failure = { kind: 'consistency', size: head.size, older: older.size };
  if (older.size > head.size) return failure;
  if (older.size === head.size) return toBase64(head.rootHash) === older.rootHash ? undefined : failure;
  if (older.size === 0) return undefined;
  const { proof } = await api.consistencyProof(older.size, head.size);
  const consistent = await verifier.verifyConsistency(olderHead, head, proof.map(fromBase64));
  return consistent ? undefined : failure;
}

/** Runs `work` over every item, a few at a time (each is one request to the API). */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function proveEvent(
  api: Api,
  verifier: LogVerifier,
  head: SignedTreeHead,
  event: AuditEvent,
): Promise<Failure | 'included' | 'pending'> {
  const leafIndex = event.leafIndex;
  if (leafIndex === undefined || leafIndex >= head.size) return 'pending';
  try {
    const { proof } = await api.inclusionProof(event.eventId, head.size);
    const ok = await verifier.verifyEventInclusion(
      event,
      leafIndex,
      head.size,
      proof.map(fromBase64),
      head.rootHash,
    );
    return ok ? 'included' : { kind: 'inclusion', eventId: event.eventId };
  } catch (error) {
    // A log that will not prove an event it lists as sealed is as bad as a proof that fails.
    if (error instanceof ApiError)
      return { kind: 'proof-refused', eventId: event.eventId, status: error.status };
    throw error;
  }
}

async function proveEvents(
  api: Api,
  verifier: LogVerifier,
  head: SignedTreeHead,
  events: readonly AuditEvent[],
) {
  const proofs = new Map<string, EventProof>();
  const failures: Failure[] = [];
  await eachLimited(events, 6, async (event) => {
    const result = await proveEvent(api, verifier, head, event);
    if (typeof result === 'string') proofs.set(event.eventId, result);
    else {
      proofs.set(event.eventId, 'failed');
      failures.push(result);
    }
  });
  return { proofs, failures };
}

export function unverified(events: readonly AuditEvent[]): Map<string, EventProof> {
  return new Map(events.map((event) => [event.eventId, 'unverified']));
}

/**
 * Verifies the log as it stands and the events shown against it. The checkpoint is remembered as
 * verified only when everything checked passed.
 */
export async function verifyShown(
  api: Api,
  verifier: LogVerifier,
  anchor: TrustAnchor,
  events: readonly AuditEvent[],
): Promise<VerificationResult> {
  const head = await signedHead(api, verifier, anchor);
  if (!('rootHash' in head)) {
    return { verdict: { state: 'failed', failures: [head] }, events: unverified(events) };
  }
  const growth = await checkGrowth(api, verifier, anchor, head);
  const { proofs, failures } = await proveEvents(api, verifier, head, events);
  const all = [...(growth ? [growth] : []), ...failures];
  if (all.length > 0) return { verdict: { state: 'failed', failures: all }, events: proofs };
  remember(anchor.origin, anchor.fingerprint, head);
  const counts = [...proofs.values()];
  return {
    verdict: {
      state: 'verified',
      size: head.size,
      checkedAt: new Date(),
      included: counts.filter((p) => p === 'included').length,
      pending: counts.filter((p) => p === 'pending').length,
    },
    events: proofs,
  };
}
