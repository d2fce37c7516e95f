import type { OutcomeClass } from '../../../src/domain/audit/outcomes';
import type { AuditEvent } from '../api';
import type { AppContext, View } from '../app';
import { field, h, select } from '../dom';
import { formatNumber, t } from '../i18n';
import type { EventProof } from '../verification';
import { eventsTable } from './events-table';
import { viewFrame } from './frame';

const PAGE_SIZE = '50';

export interface TimelineFilter {
  caseId: string;
  agency: string;
  user: string;
  action: string;
  outcome: '' | OutcomeClass;
  /** `datetime-local` values: the officer's own time zone. */
  from: string;
  to: string;
}

/** A `datetime-local` value for a moment, in the browser's time zone. */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function emptyFilter(): TimelineFilter {
  // The log is listed oldest first: without a start, the first page would be its very beginning.
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
  return { caseId: '', agency: '', user: '', action: '', outcome: '', from: localInputValue(dayAgo), to: '' };
}

/** The API's query for a filter. */
export function queryOf(filter: TimelineFilter): Record<string, string> {
  const query: Record<string, string> = { limit: PAGE_SIZE };
  if (filter.caseId.trim()) query.caseId = filter.caseId.trim();
  if (filter.agency.trim()) query.agency = filter.agency.trim();
  if (filter.user.trim()) query.user = filter.user.trim();
  if (filter.action.trim()) query.action = filter.action.trim();
  if (filter.outcome) query.outcome = filter.outcome;
  if (filter.from) query.from = new Date(filter.from).toISOString();
  if (filter.to) query.to = new Date(filter.to).toISOString();
  return query;
}

export function timelineView(context: AppContext): View {
  let filter = emptyFilter();
  let events: AuditEvent[] = [];
  let proofs = new Map<string, EventProof>();
  let cursor: string | undefined;
  let loaded = false;
  const frame = viewFrame({ id: 'timeline', title: () => t('navTimeline'), form: filterForm, results });

  /** Counts loads: an answer (or a verification) of an earlier one that arrives late is dropped. */
  let loads = 0;

  async function verifyShownEvents(mine: number) {
    proofs = new Map();
    frame.redraw();
    try {
      const verified = await context.verify(events);
      if (mine !== loads) return;
      proofs = verified;
    } catch (error) {
      context.announce(t('requestFailed', { reason: (error as Error).message }));
    }
    frame.redraw();
  }

  async function load(more: boolean) {
    const mine = ++loads;
    context.announce(t('loadingEvents'));
    context.invalidate();
    try {
      const page = await context.api.events(queryOf(filter), more ? cursor : undefined);
      if (mine !== loads) return;
      events = more ? [...events, ...page.items] : page.items;
      cursor = page.nextCursor;
      loaded = true;
      frame.redraw();
      context.announce(t('eventsLoaded', { count: formatNumber(events.length) }));
    } catch (error) {
      context.announce(t('requestFailed', { reason: (error as Error).message }));
      return;
    }
    await verifyShownEvents(mine);
  }

  function filterForm(): HTMLFormElement {
    const input = (name: keyof TimelineFilter, type = 'text') =>
      h('input', { name, type, value: filter[name], autocomplete: 'off', spellcheck: 'false' });
    const outcome = select(
      'outcome',
      [
        ['', t('outcomeAny')],
        ['allowed', t('outcomeAllowed')],
        ['denied', t('outcomeDenied')],
        ['failed', t('outcomeFailed')],
      ],
      filter.outcome,
    );
    const form = h(
      'form',
      { class: 'filters', 'aria-label': t('filters') },
      h(
        'fieldset',
        {},
        h('legend', {}, t('filters')),
        h(
          'div',
          { class: 'field-grid' },
          field(t('caseId'), input('caseId')),
          field(t('agency'), input('agency')),
          field(t('officer'), input('user')),
          field(t('action'), input('action')),
          field(t('outcome'), outcome),
          field(t('from'), input('from', 'datetime-local')),
          field(t('to'), input('to', 'datetime-local')),
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'primary' }, t('apply')),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                filter = emptyFilter();
                frame.render();
                frame.section.querySelector('input')?.focus();
              },
            },
            t('reset'),
          ),
        ),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      filter = Object.fromEntries(
        Object.keys(filter).map((key) => [key, String(data.get(key) ?? '')]),
      ) as unknown as TimelineFilter;
      void load(false);
    });
    return form;
  }

  function results(): HTMLElement | null {
    if (!loaded) return null;
    const visible = events;
    if (visible.length === 0 && !cursor) return h('p', { class: 'empty' }, t('noEvents'));
    return h(
      'div',
      {},
      eventsTable(t('timelineCaption'), visible, proofs),
      cursor ? h('button', { type: 'button', onclick: () => void load(true) }, t('loadMore')) : null,
    );
  }

  return {
    render: frame.render,
    start: () => void load(false),
    reverify: () => (loaded ? void verifyShownEvents(loads) : undefined),
  };
}
