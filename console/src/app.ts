import type { Api, AuditEvent } from './api';
import type { Session } from './auth';
import type { ConsoleConfig } from './config';
import { formatNumber, formatTime, t } from './i18n';
import {
  type EventProof,
  type Failure,
  pinnedFingerprint,
  unverified,
  type VerificationResult,
  verifyShown,
} from './verification';

/** What every view is given: the API, and the page's shared status and verification badge. */
export interface AppContext {
  config: ConsoleConfig;
  session: Session;
  api: Api;
  /** Says something to the officer, and to assistive technology (an aria-live region). */
  announce(message: string): void;
  /** Verifies the events a view shows; the badge reports the verdict, the view each event's proof. */
  verify(events: readonly AuditEvent[]): Promise<Map<string, EventProof>>;
  /** The events shown are about to change: the badge stops speaking for the ones it verified. */
  invalidate(): void;
}

export interface View {
  /** Renders (again) from the view's own state: after a language switch nothing is fetched again. */
  render(): HTMLElement;
  /** Called once when the view is first shown. */
  start?(): void;
  /** Verifies what the view shows again, against the log as it stands now. */
  reverify?(): void;
}

type BadgeState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'unconfigured' }
  | VerificationResult['verdict'];

function failureText(failure: Failure): string {
  switch (failure.kind) {
    case 'key':
      return t('failedKey', { fingerprint: failure.fingerprint });
    case 'origin':
      return t('failedOrigin', { origin: failure.origin });
    case 'signature':
      return t('failedCheckpoint', { size: failure.size ?? '?', reason: t('failedSignature') });
    case 'consistency':
      return t('failedCheckpoint', {
        size: failure.size,
        reason: t('failedConsistency', { older: failure.older }),
      });
    case 'inclusion':
      return t('failedEvent', { id: failure.eventId, reason: t('failedInclusion') });
    case 'proof-refused':
      return t('failedEvent', {
        id: failure.eventId,
        reason: t('failedUnavailable', { status: failure.status }),
      });
  }
}

/** The badge's words for a state: a title ("Verified", "Failed"…) and what it rests on. */
export function badgeText(badge: BadgeState): { title: string; detail: string[]; tone: string } {
  switch (badge.state) {
    case 'idle':
      return { title: t('notVerified'), detail: [], tone: 'idle' };
    case 'running':
      return { title: t('verifying'), detail: [], tone: 'idle' };
    case 'unconfigured':
      return { title: t('notVerified'), detail: [t('notConfigured')], tone: 'idle' };
    case 'failed':
      return { title: t('failed'), detail: badge.failures.map(failureText), tone: 'failed' };
    case 'verified': {
      const detail = [
        t('verifiedDetail', { size: formatNumber(badge.size), time: formatTime(badge.checkedAt) }),
      ];
      if (badge.included > 0) detail.push(t('verifiedEvents', { count: formatNumber(badge.included) }));
      if (badge.pending > 0) detail.push(t('notYetSealed', { count: formatNumber(badge.pending) }));
      return { title: t('verified'), detail, tone: 'verified' };
    }
  }
}

/**
 * The verification badge: one per page, updated by whichever view verified last. Verifications run one
 * after the other, and only the latest one's verdict is shown.
 */
export function verificationBadge(onChange: () => void) {
  let badge: BadgeState = { state: 'idle' };
  let generation = 0;
  return {
    get state(): BadgeState {
      return badge;
    },
    invalidate() {
      generation += 1;
      badge = { state: 'idle' };
      onChange();
    },
    async run(
      context: Omit<AppContext, 'verify' | 'announce' | 'invalidate'>,
      events: readonly AuditEvent[],
    ) {
      const mine = ++generation;
      const fingerprint = pinnedFingerprint(context.config.checkpointKeyFingerprint);
      if (!fingerprint) {
        // Without a pinned key there is nothing to trust: the console says so and claims nothing.
        badge = { state: 'unconfigured' };
        onChange();
        return unverified(events);
      }
      badge = { state: 'running' };
      onChange();
      const anchor = { fingerprint, origin: context.config.logOrigin };
      try {
        const result = await verifyShown(context.api.audit, anchor, events);
        if (mine === generation) badge = result.verdict;
        return result.events;
      } catch (error) {
        // The log could not be read: nothing is verified, and the badge must not say otherwise.
        if (mine === generation) badge = { state: 'idle' };
        throw error;
      } finally {
        if (mine === generation) onChange();
      }
    },
  };
}
