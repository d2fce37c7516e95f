import { outcomeClass } from '../../../src/domain/audit/outcomes';
import type { AuditEvent } from '../api';
import { h, table } from '../dom';
import { formatTime, type MessageKey, purposeText, t } from '../i18n';
import type { EventProof } from '../verification';

const PROOF_WORDS: Record<EventProof | 'checking', MessageKey> = {
  included: 'proofOk',
  failed: 'proofFailed',
  pending: 'proofPending',
  unverified: 'proofUnverified',
  checking: 'proofChecking',
};

function proofCell(proof: EventProof | undefined) {
  const state = proof ?? 'checking';
  return h('td', { class: `proof proof-${state}`, 'data-proof': state }, t(PROOF_WORDS[state]));
}

function eventRow(event: AuditEvent, proof: EventProof | undefined): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-event-id': event.eventId },
    h('td', {}, h('time', { datetime: event.time }, formatTime(event.time))),
    h('td', {}, event.agency ?? '—'),
    h('td', { class: 'officer' }, event.user ?? '—'),
    h('td', { class: 'action' }, event.action),
    h('td', { class: 'mono' }, event.resource),
    h('td', {}, purposeText(event.purpose)),
    h('td', { class: `outcome outcome-${outcomeClass(event.outcome)}` }, String(event.outcome)),
    h('td', { class: 'mono event-id' }, event.eventId),
    proofCell(proof),
  );
}

/** The events as a table, each with its proof state (checking, included, failed, not yet sealed). */
export function eventsTable(
  caption: string,
  events: readonly AuditEvent[],
  proofs: ReadonlyMap<string, EventProof>,
): HTMLElement {
  const headers = [
    t('time'),
    t('agency'),
    t('officer'),
    t('action'),
    t('resource'),
    t('purpose'),
    t('outcome'),
    t('eventId'),
    t('proof'),
  ];
  return table(
    caption,
    headers,
    events.map((event) => eventRow(event, proofs.get(event.eventId))),
  );
}
