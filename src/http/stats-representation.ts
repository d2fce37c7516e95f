import { createHash } from 'node:crypto';
import type { StatsTable } from '../domain/stats/build-table';
import { formatCsv } from '../domain/stats/csv';
import type { ApiResponse } from './api-request';

/** How long a client may keep a table before asking again (the counters trail their changes anyway). */
export const STATS_MAX_AGE_SECONDS = 60;
const CSV = 'text/csv; charset=utf-8';

/** The quality a media range of `Accept` gives a type: the most specific range that matches it. */
function qualityOf(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = { specificity: -1, q: 0 };
  for (const range of accept.split(',')) {
    const [name = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const specificity = name === type ? 2 : name === `${major}/*` ? 1 : name === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    best = { specificity, q: Number.isFinite(value) ? value : 0 };
  }
  return best.q;
}

/** CSV when asked for by `format=csv`, or by an `Accept` that prefers it to JSON; JSON otherwise. */
export function wantsCsv(format: 'json' | 'csv', accept: string | undefined): boolean {
  if (format === 'csv') return true;
  if (!accept) return false;
  return qualityOf(accept, 'text/csv') > qualityOf(accept, 'application/json');
}

/** Whether `If-None-Match` names this ETag (or `*`), weak or strong. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/**
 * A table as the response: JSON or CSV, an ETag of the exact bytes (so of the figures and the
 * representation), kept privately for a short time; 304 with no body when `If-None-Match` names it.
 */
export function statsResponse(
  table: StatsTable,
  format: 'json' | 'csv',
  headers: Record<string, string | undefined>,
): ApiResponse {
  const csv = wantsCsv(format, headers.accept);
  const body = csv ? formatCsv(table) : JSON.stringify(table);
  const digest = createHash('sha256')
    .update(csv ? 'csv\n' : 'json\n')
    .update(body)
    .digest('base64url');
  const etag = `"${digest.slice(0, 27)}"`;
  const validators = {
    ETag: etag,
    'Cache-Control': `private, max-age=${STATS_MAX_AGE_SECONDS}`,
    Vary: 'Accept',
  };
  if (matches(headers['if-none-match'], etag)) return { status: 304, headers: validators };
  return csv
    ? { status: 200, body, contentType: CSV, headers: validators }
    : { status: 200, body, contentType: 'application/json; charset=utf-8', headers: validators };
}
