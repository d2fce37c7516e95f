import {
  exportEvidenceBundle,
  importCheckpointKey,
  readPublicKey,
  requireFingerprint,
} from '../../../src/domain/audit/log-verification';
import type { AppContext } from '../app';
import { h } from '../dom';
import { formatNumber, t } from '../i18n';
import { pinnedFingerprint } from '../verification';

/** How long the export waits for the case's newest events to be sealed before leaving them out. */
const SEAL_WAIT_MS = 5000;

class EvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceError';
  }
}

function saveFile(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the time the click returns; the URL is not needed for long after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The evidence bundle of one case, made and checked by the shared module exactly as the CLI's `export`
 * makes it (`himaya-audit-evidence/1`), so `npm run audit -- verify-bundle <file>` checks it offline; saved
 * only when it verifies, and only with the pinned key.
 */
export async function downloadEvidence(context: AppContext, caseId: string): Promise<void> {
  context.announce(t('buildingEvidence'));
  try {
    const audit = context.api.audit;
    const pinned = pinnedFingerprint(context.config.checkpointKeyFingerprint);
    if (!pinned) throw new EvidenceError(t('notConfigured'));
    const key = await importCheckpointKey(await readPublicKey(audit));
    try {
      requireFingerprint(key, pinned);
    } catch {
      throw new EvidenceError(t('failedKey', { fingerprint: key.fingerprint }));
    }
    const { bundle, findings } = await exportEvidenceBundle(audit, {
      source: context.api.base,
      filter: { caseId },
      key,
      waitMs: SEAL_WAIT_MS,
      now: new Date(),
    });
    if (findings.length > 0) throw new EvidenceError(findings.map((f) => f.message).join('; '));
    const file = `himaya-evidence-${caseId}-${bundle.exportedAt.replace(/[:.]/g, '-')}.json`;
    saveFile(file, `${JSON.stringify(bundle, null, 2)}\n`);
    context.announce(t('evidenceReady', { count: formatNumber(bundle.events.length), file }));
  } catch (error) {
    context.announce(t('evidenceFailed', { reason: (error as Error).message }));
  }
}
