import { type AuditEvent, listAllEvents } from '../api';
import type { AppContext, View } from '../app';
import { field, h, table } from '../dom';
import { formatNumber, formatTime, purposeText, t } from '../i18n';
import type { EventProof } from '../verification';
import { eventsTable } from './events-table';
import { downloadEvidence } from './evidence';
import { viewFrame } from './frame';

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Opener {
  agency: string;
  user: string;
  purpose: string;
  reads: number;
  first: string;
  last: string;
}

/** Who read the case's content: each agency, officer and purpose once, with how often and when. */
export function openersOf(events: readonly AuditEvent[]): Opener[] {
  const openers = new Map<string, Opener>();
  for (const event of events) {
    if (event.action !== 'case.read' || event.outcome >= 300) continue;
    const key = JSON.stringify([event.agency, event.user, event.purpose]);
    const seen = openers.get(key);
    if (seen) {
      seen.reads += 1;
      seen.last = event.time;
    } else {
      openers.set(key, {
        agency: event.agency ?? '—',
        user: event.user ?? '—',
        purpose: event.purpose ?? '',
        reads: 1,
        first: event.time,
        last: event.time,
      });
    }
  }
  return [...openers.values()];
}

function openersTable(openers: readonly Opener[]): HTMLElement {
  if (openers.length === 0) return h('p', { class: 'empty' }, t('nobodyOpened'));
  const rows = openers.map((o) =>
    h(
      'tr',
      {},
      h('td', {}, o.agency),
      h('td', { class: 'officer' }, o.user),
      h('td', {}, purposeText(o.purpose)),
      h('td', {}, formatNumber(o.reads)),
      h('td', {}, h('time', { datetime: o.first }, formatTime(o.first))),
      h('td', {}, h('time', { datetime: o.last }, formatTime(o.last))),
    ),
  );
  const headers = [t('agency'), t('officer'), t('purpose'), t('reads'), t('firstRead'), t('lastRead')];
  return table(t('openedByCaption'), headers, rows);
}

export function caseAccessView(context: AppContext, initialCaseId = ''): View {
  let caseId = initialCaseId;
  let events: AuditEvent[] | undefined;
  let proofs = new Map<string, EventProof>();
  let invalid = false;
  const frame = viewFrame({ id: 'case', title: () => t('caseTitle'), form: lookupForm, results });

  /** Counts loads: an answer (or a verification) of an earlier one that arrives late is dropped. */
  let loads = 0;

  async function load() {
    const wasInvalid = invalid;
    invalid = !CASE_ID.test(caseId);
    if (invalid) {
      frame.render();
      frame.section.querySelector('input')?.focus();
      context.announce(t('caseInvalid'));
      return;
    }
    if (wasInvalid) {
      frame.render();
      frame.section.querySelector('input')?.focus();
    }
    const mine = ++loads;
    context.announce(t('loadingEvents'));
    context.invalidate();
    try {
      const listed = await listAllEvents(context.api, { caseId: caseId.toLowerCase() });
      if (mine !== loads) return;
      events = listed;
      proofs = new Map();
      frame.redraw();
      context.announce(t('eventsLoaded', { count: formatNumber(listed.length) }));
      const verified = await context.verify(listed);
      if (mine !== loads) return;
      proofs = verified;
    } catch (error) {
      if (mine !== loads) return;
      context.announce(t('requestFailed', { reason: (error as Error).message }));
    }
    frame.redraw();
  }

  function lookupForm(): HTMLFormElement {
    const input = h('input', {
      name: 'caseId',
      value: caseId,
      autocomplete: 'off',
      spellcheck: 'false',
      required: true,
      'aria-invalid': invalid ? 'true' : null,
      class: 'case-id',
    });
    const form = h(
      'form',
      { class: 'inline-form' },
      field(t('caseId'), input, invalid ? t('caseInvalid') : t('caseIdHint')),
      h('button', { type: 'submit', class: 'primary' }, t('caseLookup')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      caseId = input.value.trim();
      history.replaceState(null, '', `#/case/${encodeURIComponent(caseId)}`);
      void load();
    });
    return form;
  }

  function results(): HTMLElement | null {
    if (!events) return null;
    const current = events;
    return h(
      'div',
      {},
      h('h3', {}, t('openedBy')),
      openersTable(openersOf(current)),
      h('h3', {}, t('allCaseEvents')),
      current.length > 0
        ? eventsTable(t('timelineCaption'), current, proofs)
        : h('p', { class: 'empty' }, t('noEvents')),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', onclick: () => void downloadEvidence(context, caseId.toLowerCase()) },
          t('downloadEvidence'),
        ),
      ),
    );
  }

  async function reverify() {
    const mine = loads;
    const shown = events;
    if (!shown) return;
    try {
      const verified = await context.verify(shown);
      if (mine === loads) proofs = verified;
    } catch (error) {
      context.announce(t('requestFailed', { reason: (error as Error).message }));
    }
    frame.redraw();
  }

  return {
    render: frame.render,
    start: () => (caseId ? void load() : undefined),
    reverify: () => void reverify(),
  };
}
