import { CATEGORIES, EMIRATES, STATUSES, URGENCIES } from '../cases/schemas';
import { REVIEW_OUTCOMES } from '../reviews/schemas';

/**
 * The fixed catalogue of statistics tables. Each is built from case metadata and exchange records only
 * (never a section), from counters kept per table, calendar month, agency and dimension values.
 */
export const REQUEST_OUTCOMES = ['pending', 'approved', 'denied', 'withdrawn'] as const;
export const EMERGENCY_REVIEW_STATES = ['awaiting-review', ...REVIEW_OUTCOMES] as const;
export const ESCALATION_KINDS = ['request', 'report'] as const;

export const DIMENSIONS = {
  category: { label: 'Category', values: CATEGORIES },
  emirate: { label: 'Emirate', values: EMIRATES },
  urgency: { label: 'Urgency', values: URGENCIES },
  status: { label: 'Status', values: STATUSES },
  outcome: { label: 'Outcome', values: REQUEST_OUTCOMES },
  review: { label: 'Review', values: EMERGENCY_REVIEW_STATES },
  escalation: { label: 'Escalated item', values: ESCALATION_KINDS },
} as const;
export type DimensionId = keyof typeof DIMENSIONS;

/** Counts in a grid of two dimensions, with row, column and grand totals. */
export interface GridTableDefinition {
  kind: 'grid';
  title: string;
  /** `month`: one row per month of the period. */
  rows: DimensionId | 'month';
  columns: DimensionId;
  /** One panel per calendar quarter (the period must be whole quarters); else one panel. */
  quarterly: boolean;
  /** Whose table a record counts in. */
  agency: string;
  /** The month a record counts in. */
  period: string;
}

/** Per urgency: how many, how fast (median and p90 minutes), and for deadlines the share met. */
export interface MeasureTableDefinition {
  kind: 'measures';
  title: string;
  rows: 'urgency';
  /** The count column: what the denominator of the share counts. */
  countLabel: string;
  /** A share of the count met its deadline (counters `met` and `missed`); else the count is the histogram's. */
  deadlineShare: boolean;
  agency: string;
  period: string;
}

export type TableDefinition = GridTableDefinition | MeasureTableDefinition;

const CASE_OWNER = 'the owning agency';
const BY_CREATION = 'month the case was created';

export const TABLES = {
  'reports-by-month': {
    kind: 'grid',
    title: 'Reports by month and category',
    rows: 'month',
    columns: 'category',
    quarterly: false,
    agency: CASE_OWNER,
    period: BY_CREATION,
  },
  'reports-by-emirate': {
    kind: 'grid',
    title: 'Reports by quarter, emirate and category',
    rows: 'emirate',
    columns: 'category',
    quarterly: true,
    agency: CASE_OWNER,
    period: BY_CREATION,
  },
  'reports-by-urgency-status': {
    kind: 'grid',
    title: 'Reports by urgency and current status',
    rows: 'urgency',
    columns: 'status',
    quarterly: false,
    agency: CASE_OWNER,
    period: BY_CREATION,
  },
  'rapid-response': {
    kind: 'measures',
    title: "Rapid response: owner's first action on a new report",
    rows: 'urgency',
    countLabel: 'Reports whose deadline was met or missed',
    deadlineShare: true,
    agency: CASE_OWNER,
    period: BY_CREATION,
  },
  'exchange-requests': {
    kind: 'grid',
    title: 'Access requests by urgency and outcome',
    rows: 'urgency',
    columns: 'outcome',
    quarterly: false,
    agency: 'the agency asked (that decides)',
    period: 'month the request was made',
  },
  'exchange-decision-time': {
    kind: 'measures',
    title: 'Access requests: time to decision',
    rows: 'urgency',
    countLabel: 'Requests decided',
    deadlineShare: false,
    agency: 'the agency asked (that decides)',
    period: 'month the request was made',
  },
  'emergency-access': {
    kind: 'grid',
    title: 'Emergency accesses by month and review outcome',
    rows: 'month',
    columns: 'review',
    quarterly: false,
    agency: 'the agency that used emergency access',
    period: 'month of the access',
  },
  escalations: {
    kind: 'grid',
    title: 'Escalations (missed deadlines) by urgency',
    rows: 'urgency',
    columns: 'escalation',
    quarterly: false,
    agency: 'the agency that had to act',
    period: 'month of the escalation',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof TABLES;
export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** One additive counter: a count, or one bucket of a duration histogram (`h<bucket>`), or `met`/`missed`. */
export interface CounterKey {
  table: TableId;
  month: string;
  agency: string;
  /** Values of the table's counter dimensions, in order (see `counterDimensions`). */
  dims: readonly string[];
  measure: string;
}

export interface Counter extends CounterKey {
  value: number;
}

export const COUNT = 'count';
export const MET = 'met';
export const MISSED = 'missed';
export const histogramMeasure = (bucket: number) => `h${bucket}`;

/** The dimensions a table's counters are keyed by (the month is the counter's own). */
export function counterDimensions(definition: TableDefinition): DimensionId[] {
  if (definition.kind === 'measures') return [definition.rows];
  return definition.rows === 'month' ? [definition.columns] : [definition.rows, definition.columns];
}

/** One string per counter, e.g. for a storage key: the parts are fixed vocabularies without `#` or `|`. */
export const counterId = (key: CounterKey): string =>
  [key.table, key.month, key.agency, key.dims.join('|'), key.measure].join('#');
