import {
  type AuditApi,
  importCheckpointKey,
  inParallel,
  type ListedEvent,
  readCheckpointExtending,
  readInclusionProof,
  readPublicKey,
  requireFingerprint,
  type TrustedCheckpoint,
  VerificationError,
  type VerifiedCheckpoint,
  verifyEventInclusion,
} from '../../src/domain/audit/log-verification';
import { ApiError, type AuditEvent } from './api';

/**
 * Verifies what the console shows, trusting nothing the server says but a key whose fingerprint the
 * console's configuration pins: the latest checkpoint's signature, its consistency with the last
 * checkpoint this browser verified, and the inclusion of every event shown, its leaf hash recomputed from
 * the event. Every check is the shared verification module's (the CLI's too); this file only decides what
 * to check and keeps what is needed to name a failure in the officer's language.
 */
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
  /** Per event shown: proved included, failed, not in the signed tree yet, or not checked at all. */
  events: Map<string, EventProof>;
}

/**
 * The pinned fingerprint in the shared module's form (`SHA256:<hex>`), from config.json's (which may be
 * the bare hex); undefined when none is pinned.
 */
export function pinnedFingerprint(configured: string | null): string | undefined {
  if (configured === null || configured.trim() === '') return undefined;
  const value = configured.trim();
  return /^[0-9a-f]{64}$/i.test(value) ? `SHA256:${value.toLowerCase()}` : value;
}

export interface TrustAnchor {
  /** The pinned fingerprint of the checkpoint signing key (`SHA256:<hex>`). */
  fingerprint: string;
  /** The log's origin line. */
  origin: string;
}

/** The last checkpoint this browser verified, per log: not a secret, only a memory that must only grow. */
interface RememberedCheckpoint {
  fingerprint: string;
  size: number;
  rootHash: string;
}

const rememberedKey = (origin: string) => `himaya-console:verified-checkpoint:${origin}`;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function remembered(anchor: TrustAnchor): TrustedCheckpoint | undefined {
  try {
    const value = JSON.parse(
      localStorage.getItem(rememberedKey(anchor.origin)) ?? 'null',
    ) as RememberedCheckpoint;
    if (!value || value.fingerprint !== anchor.fingerprint || !Number.isSafeInteger(value.size))
      return undefined;
    return { size: value.size, rootHash: fromBase64(value.rootHash), label: 'this browser verified before' };
  } catch {
    return undefined;
  }
}

function remember(anchor: TrustAnchor, checkpoint: VerifiedCheckpoint): void {
  const value: RememberedCheckpoint = {
    fingerprint: anchor.fingerprint,
    size: checkpoint.size,
    rootHash: toBase64(checkpoint.rootHash),
  };
  localStorage.setItem(rememberedKey(anchor.origin), JSON.stringify(value));
}

/** The failure a checkpoint check reports, in terms the badge can say in either language. */
function checkpointFailure(error: VerificationError, older: TrustedCheckpoint | undefined): Failure {
  const { finding } = error;
  switch (finding.code) {
    case 'bad-key':
      return { kind: 'key', fingerprint: '?' };
    case 'rollback':
    case 'fork':
      return { kind: 'consistency', size: finding.size ?? 0, older: older?.size ?? 0 };
    default:
      return { kind: 'signature', size: finding.size };
  }
}

/** The latest checkpoint, signed by the pinned key and extending the one verified before; or why not. */
async function trustedCheckpoint(api: AuditApi, anchor: TrustAnchor): Promise<VerifiedCheckpoint | Failure> {
  const older = remembered(anchor);
  let checkpoint: VerifiedCheckpoint;
  try {
    const key = await importCheckpointKey(await readPublicKey(api));
    try {
      requireFingerprint(key, anchor.fingerprint);
    } catch {
      return { kind: 'key', fingerprint: key.fingerprint };
    }
    checkpoint = await readCheckpointExtending(api, key, older);
  } catch (error) {
    if (error instanceof VerificationError) return checkpointFailure(error, older);
    throw error;
  }
  if (checkpoint.origin !== anchor.origin) return { kind: 'origin', origin: checkpoint.origin };
  return checkpoint;
}

async function proveEvent(api: AuditApi, checkpoint: VerifiedCheckpoint, event: AuditEvent) {
  const { leafIndex } = event;
  if (leafIndex === undefined || leafIndex >= checkpoint.size) return 'pending';
  try {
    const { proof } = await readInclusionProof(api, event.eventId, checkpoint.size);
    verifyEventInclusion(
      event as unknown as ListedEvent,
      leafIndex,
      checkpoint.size,
      proof,
      checkpoint.rootHash,
    );
    return 'included';
  } catch (error) {
    if (error instanceof VerificationError) return { kind: 'inclusion', eventId: event.eventId } as const;
    // A log that will not prove an event it lists as sealed is as bad as a proof that fails.
    if (error instanceof ApiError) {
      return { kind: 'proof-refused', eventId: event.eventId, status: error.status } as const;
    }
    throw error;
  }
}

async function proveEvents(api: AuditApi, checkpoint: VerifiedCheckpoint, events: readonly AuditEvent[]) {
  const proofs = new Map<string, EventProof>();
  const failures: Failure[] = [];
  await inParallel(events.length, 6, async (i) => {
    const event = events[i] as AuditEvent;
    const result = await proveEvent(api, checkpoint, event);
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
 * verified only when everything checked passed, so a failure is reported again on the next look.
 */
export async function verifyShown(
  api: AuditApi,
  anchor: TrustAnchor,
  events: readonly AuditEvent[],
): Promise<VerificationResult> {
  const checkpoint = await trustedCheckpoint(api, anchor);
  if (!('rootHash' in checkpoint)) {
    return { verdict: { state: 'failed', failures: [checkpoint] }, events: unverified(events) };
  }
  const { proofs, failures } = await proveEvents(api, checkpoint, events);
  if (failures.length > 0) return { verdict: { state: 'failed', failures }, events: proofs };
  remember(anchor, checkpoint);
  const counts = [...proofs.values()];
  return {
    verdict: {
      state: 'verified',
      size: checkpoint.size,
      checkedAt: new Date(),
      included: counts.filter((p) => p === 'included').length,
      pending: counts.filter((p) => p === 'pending').length,
    },
    events: proofs,
  };
}
