import { type AuditEvent, listAllEvents } from '../api';
import type { AppContext } from '../app';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { eachLimited } from '../verification';

/**
 * The evidence bundle of one case, in the format the CLI exports (`himaya-audit-evidence/1`), so that
 * `npm run audit -- verify-bundle <file>` checks it offline: the signed checkpoint, the public key, and
 * every sealed event of the case with its inclusion proof.
 */
export const EVIDENCE_BUNDLE_FORMAT = 'himaya-audit-evidence/1';

export interface EvidenceBundle {
  format: typeof EVIDENCE_BUNDLE_FORMAT;
  exportedAt: string;
  source: string;
  filter: Record<string, string>;
  checkpoint: string;
  publicKey: string;
  events: { event: AuditEvent; proof: string[] }[];
  notYetSealed: string[];
}

class EvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceError';
  }
}

async function buildBundle(context: AppContext, caseId: string): Promise<EvidenceBundle> {
  const { api, verifier, config } = context;
  if (!verifier) throw new EvidenceError(t('verificationUnavailable'));
  const publicKey = await api.publicKey();
  const key = await verifier.importCheckpointKey(publicKey);
  if (key.fingerprint !== config.checkpointKeyFingerprint) {
    throw new EvidenceError(t('failedKey', { fingerprint: key.fingerprint }));
  }
  const events = await listAllEvents(api, { caseId });
  const checkpoint = await api.checkpoint();
  const head = await verifier.verifyCheckpoint(checkpoint, key);
  if (!head) throw new EvidenceError(t('failedSignature'));
  const sealed = events.filter((e) => e.leafIndex !== undefined && e.leafIndex < head.size);
  const proofs = new Map<string, string[]>();
  await eachLimited(sealed, 6, async (e) => {
    proofs.set(e.eventId, (await api.inclusionProof(e.eventId, head.size)).proof);
  });
  return {
    format: EVIDENCE_BUNDLE_FORMAT,
    exportedAt: new Date().toISOString(),
    source: api.base,
    filter: { caseId },
    checkpoint,
    publicKey,
    events: sealed.map((event) => ({ event, proof: proofs.get(event.eventId) ?? [] })),
    notYetSealed: events.filter((e) => !sealed.includes(e)).map((e) => e.eventId),
  };
}

function saveFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the time the click returns; the URL is no longer needed after it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Builds the case's bundle, checks it as the CLI would, and saves it as a file. */
export async function downloadEvidence(context: AppContext, caseId: string): Promise<void> {
  context.announce(t('buildingEvidence'));
  try {
    const bundle = await buildBundle(context, caseId);
    const problem = await context.verifier?.verifyBundle?.(bundle);
    if (problem) throw new EvidenceError(problem);
    const file = `himaya-evidence-${caseId}-${bundle.exportedAt.replace(/[:.]/g, '-')}.json`;
    saveFile(file, `${JSON.stringify(bundle, null, 2)}\n`);
    context.announce(t('evidenceReady', { count: formatNumber(bundle.events.length), file }));
  } catch (error) {
    context.announce(t('evidenceFailed', { reason: (error as Error).message }));
  }
}
