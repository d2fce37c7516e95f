import { DomainError } from '../errors';

/**
 * Periods of the statistics. Every counter is kept per calendar month (UTC) of the time that places the
 * record in a table (a case's creation, a request's creation, an emergency access, an escalation); a
 * table groups months into its rows or panels (months, quarters). A query names whole months.
 */
export type Month = `${number}-${string}`;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The query's period broke a rule: malformed, reversed, too long, or not the table's granularity. */
export class StatsPeriodError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'StatsPeriodError';
  }
}

/** The month (`YYYY-MM`, UTC) an ISO time falls in. */
export function monthOf(iso: string): Month {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new StatsPeriodError(`not a time: ${iso}`);
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}` as Month;
}

function monthIndex(month: string): number {
  const match = MONTH.exec(month);
  if (match === null) throw new StatsPeriodError(`a month is YYYY-MM: ${month}`);
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

const monthAt = (index: number): Month =>
  `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}` as Month;

/** The longest period one table covers: ten years of months. */
export const MAX_MONTHS = 120;

/** Every month from `from` to `to`, both included. */
export function monthRange(from: string, to: string): Month[] {
  const first = monthIndex(from);
  const last = monthIndex(to);
  if (last < first) throw new StatsPeriodError('the period ends before it starts');
  if (last - first + 1 > MAX_MONTHS) throw new StatsPeriodError(`a period is at most ${MAX_MONTHS} months`);
  return Array.from({ length: last - first + 1 }, (_, offset) => monthAt(first + offset));
}

/** `YYYY-Qn` of a month. */
export const quarterOf = (month: string): string => {
  const index = monthIndex(month);
  return `${Math.floor(index / 12)}-Q${Math.floor((index % 12) / 3) + 1}`;
};

/** The months grouped by quarter; the period must start and end on quarter boundaries. */
export function quarters(months: readonly Month[]): { quarter: string; months: Month[] }[] {
  const first = months[0];
  const last = months.at(-1);
  if (
    first === undefined ||
    last === undefined ||
    monthIndex(first) % 3 !== 0 ||
    monthIndex(last) % 3 !== 2
  ) {
    throw new StatsPeriodError(
      'a quarterly table needs whole quarters: from Jan, Apr, Jul or Oct to Mar, Jun, Sep or Dec',
    );
  }
  const groups = new Map<string, Month[]>();
  for (const month of months) {
    const quarter = quarterOf(month);
    groups.set(quarter, [...(groups.get(quarter) ?? []), month]);
  }
  return [...groups].map(([quarter, grouped]) => ({ quarter, months: grouped }));
}
