import type { Review } from '../api';
import type { AppContext, View } from '../app';
import { field, h, select, table } from '../dom';
import { formatNumber, formatTime, type MessageKey, purposeText, t } from '../i18n';
import { viewFrame } from './frame';

const OUTCOMES = ['justified', 'not-justified', 'referred'] as const;
const KINDS = ['emergency-access', 'overdue-request', 'overdue-report'] as const;

interface ReviewFilter {
  status: 'open' | 'closed';
  priority: '' | 'high' | 'normal';
  kind: string;
}

/** An open closing form: which review, and one idempotency key for every attempt at closing it. */
interface Closing {
  review: Review;
  idempotencyKey: string;
  outcome: string;
  finding: string;
}

const kindText = (kind: string) => t(`kind.${kind}` as MessageKey);

function detailsCell(review: Review): HTMLElement {
  const parts: (string | HTMLElement)[] = [];
  if (review.justification) {
    parts.push(
      h('p', { class: 'justification' }, h('strong', {}, `${t('justification')}: `), review.justification),
    );
  }
  if (review.purpose) parts.push(h('p', {}, `${t('purpose')}: ${purposeText(review.purpose)}`));
  if (review.dueAt)
    parts.push(h('p', {}, `${t('due')}: `, h('time', { datetime: review.dueAt }, formatTime(review.dueAt))));
  for (const flag of review.flags ?? [])
    parts.push(h('p', { class: 'flag' }, t(`flag.${flag}` as MessageKey)));
  if (review.closure) {
    const { closure } = review;
    parts.push(
      h(
        'p',
        { class: 'closure' },
        `${t(`outcome.${closure.outcome}` as MessageKey)} — `,
        closure.finding,
        ` (${t('closedBy', { officer: closure.closedBy, time: formatTime(closure.closedAt) })})`,
      ),
    );
  }
  return h('td', { class: 'details' }, ...parts);
}

export function reviewsView(context: AppContext): View {
  let filter: ReviewFilter = { status: 'open', priority: '', kind: '' };
  let reviews: Review[] | undefined;
  let cursor: string | undefined;
  let closing: Closing | undefined;
  const frame = viewFrame({ id: 'reviews', title: () => t('reviewsTitle'), form: filterForm, results });

  async function load(more = false) {
    context.announce(t('loadingReviews'));
    const query: Record<string, string> = { status: filter.status, limit: '50' };
    if (filter.priority) query.priority = filter.priority;
    if (filter.kind) query.kind = filter.kind;
    try {
      const page = await context.api.reviews(query, more ? cursor : undefined);
      reviews = more ? [...(reviews ?? []), ...page.items] : page.items;
      cursor = page.nextCursor;
      frame.redraw();
      context.announce(t('reviewsLoaded', { count: formatNumber(reviews.length) }));
      // No events are shown here: the badge speaks for the log itself (signature, consistency).
      await context.verify([]);
    } catch (error) {
      context.announce(t('requestFailed', { reason: (error as Error).message }));
    }
  }

  function openClosing(review: Review) {
    closing = { review, idempotencyKey: `console-${crypto.randomUUID()}`, outcome: 'justified', finding: '' };
    frame.redraw();
    frame.results.querySelector<HTMLElement>('#close-review-title')?.focus();
  }

  async function submitClosing(form: HTMLFormElement) {
    if (!closing) return;
    const data = new FormData(form);
    closing.outcome = String(data.get('outcome'));
    closing.finding = String(data.get('finding') ?? '').trim();
    if (!closing.finding) {
      form.querySelector('textarea')?.focus();
      return;
    }
    const { review, idempotencyKey, outcome, finding } = closing;
    try {
      await context.api.closeReview(review.reviewId, { outcome, finding }, idempotencyKey);
      closing = undefined;
      await load();
      context.announce(
        t('reviewClosed', { caseId: review.caseId, outcome: t(`outcome.${outcome}` as MessageKey) }),
      );
      frame.section.querySelector<HTMLElement>('h2')?.focus();
    } catch (error) {
      context.announce(t('requestFailed', { reason: (error as Error).message }));
    }
  }

  function closingForm(current: Closing): HTMLElement {
    const finding = h(
      'textarea',
      { name: 'finding', rows: 3, required: true, maxlength: 5000 },
      current.finding,
    );
    const form = h(
      'form',
      { class: 'close-review', 'aria-labelledby': 'close-review-title' },
      h(
        'h3',
        { id: 'close-review-title', tabindex: -1 },
        t('closeReviewFor', { caseId: current.review.caseId }),
      ),
      field(
        t('outcome'),
        select(
          'outcome',
          OUTCOMES.map((o) => [o, t(`outcome.${o}` as MessageKey)]),
          current.outcome,
        ),
      ),
      field(t('finding'), finding, t('findingHint')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, t('submitClose')),
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              closing = undefined;
              frame.redraw();
            },
          },
          t('cancel'),
        ),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void submitClosing(form);
    });
    return form;
  }

  function reviewRow(review: Review): HTMLTableRowElement {
    const priority = review.priority === 'high' ? t('priorityHigh') : t('priorityNormal');
    return h(
      'tr',
      { 'data-review-id': review.reviewId },
      h('td', {}, h('time', { datetime: review.createdAt }, formatTime(review.createdAt))),
      h('td', {}, kindText(review.kind)),
      h('td', { class: review.priority === 'high' ? 'priority-high' : '' }, priority),
      h('td', {}, h('a', { href: `#/case/${review.caseId}`, class: 'mono' }, review.caseId)),
      h('td', {}, review.agency),
      h('td', { class: 'officer' }, review.user ?? '—'),
      detailsCell(review),
      h(
        'td',
        {},
        review.status === 'open'
          ? h(
              'button',
              {
                type: 'button',
                onclick: () => openClosing(review),
                'aria-label': `${t('closeReview')}: ${review.caseId}`,
              },
              t('closeReview'),
            )
          : t('statusClosed'),
      ),
    );
  }

  function results(): HTMLElement | null {
    if (!reviews) return null;
    if (reviews.length === 0) return h('p', { class: 'empty' }, t('noReviews'));
    const headers = [
      t('created'),
      t('kind'),
      t('priority'),
      t('caseId'),
      t('agency'),
      t('officer'),
      t('details'),
      t('status'),
    ];
    return h(
      'div',
      {},
      table(t('reviewsCaption'), headers, reviews.map(reviewRow)),
      cursor ? h('button', { type: 'button', onclick: () => void load(true) }, t('loadMore')) : null,
      closing ? closingForm(closing) : null,
    );
  }

  function filterForm(): HTMLFormElement {
    const form = h(
      'form',
      { class: 'filters inline-form', 'aria-label': t('filters') },
      field(
        t('status'),
        select(
          'status',
          [
            ['open', t('statusOpen')],
            ['closed', t('statusClosed')],
          ],
          filter.status,
        ),
      ),
      field(
        t('priority'),
        select(
          'priority',
          [
            ['', t('priorityAny')],
            ['high', t('priorityHigh')],
            ['normal', t('priorityNormal')],
          ],
          filter.priority,
        ),
      ),
      field(
        t('kind'),
        select(
          'kind',
          [['', t('kindAny')], ...KINDS.map((k): [string, string] => [k, kindText(k)])],
          filter.kind,
        ),
      ),
      h('button', { type: 'submit', class: 'primary' }, t('showReviews')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      filter = {
        status: data.get('status') === 'closed' ? 'closed' : 'open',
        priority: (String(data.get('priority') ?? '') as ReviewFilter['priority']) || '',
        kind: String(data.get('kind') ?? ''),
      };
      closing = undefined;
      void load();
    });
    return form;
  }

  return {
    render: frame.render,
    start: () => void load(),
    reverify: () =>
      void context
        .verify([])
        .catch((error: Error) => context.announce(t('requestFailed', { reason: error.message }))),
  };
}
