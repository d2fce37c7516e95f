import type { AuditApi } from '../../src/domain/audit/log-verification';
import type { Session } from './auth';
import type { ConsoleConfig } from './config';
import { t } from './i18n';

/** What the console reads from the API: only the audit routes a compliance officer's token may call. */
export interface AuditEvent {
  eventId: string;
  time: string;
  agency: string | null;
  clientId: string | null;
  user: string | null;
  action: string;
  resource: string;
  caseId?: string;
  purpose?: string;
  grantIds?: string[];
  outcome: number;
  requestId: string;
  sourceIp: string;
  disposition?: string;
  leafIndex?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Review {
  reviewId: string;
  kind: string;
  status: string;
  createdAt: string;
  caseId: string;
  agency: string;
  user?: string;
  sections?: string[];
  purpose?: string;
  justification?: string;
  urgency?: string;
  expiresAt?: string;
  dueAt?: string;
  priority?: string;
  flags?: string[];
  auditEventId: string;
  closure?: { outcome: string; finding: string; closedAt: string; closedBy: string };
}

/** The API answered with an error status (its problem+json title, when it sent one). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export interface Api {
  events(filter: Record<string, string>, cursor?: string): Promise<Page<AuditEvent>>;
  reviews(filter: Record<string, string>, cursor?: string): Promise<Page<Review>>;
  /** `idempotencyKey`: the same for every attempt of one closing, so a retry closes it once. */
  closeReview(
    reviewId: string,
    body: { outcome: string; finding: string },
    idempotencyKey: string,
  ): Promise<Review>;
  /** The authenticated GET the shared verification module reads the log through. */
  readonly audit: AuditApi;
  readonly base: string;
}

async function failure(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const problem = (await response.json()) as { title?: string; detail?: string };
    message = [problem.title, problem.detail].filter(Boolean).join(': ') || message;
  } catch {
    // not problem+json: the status says enough
  }
  return new ApiError(response.status, message);
}

/**
 * A client of the audit routes for the signed-in officer. `onUnauthorized` runs when the API no longer
 * accepts the token (expired or revoked), so the console can ask the officer to sign in again.
 */
export function apiClient(config: ConsoleConfig, session: Session, onUnauthorized: () => void): Api {
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    // No X-Himaya-User: the API takes the officer from the signed-in officer's token.
    headers.set('authorization', `Bearer ${session.accessToken}`);
    let response: Response;
    try {
      response = await fetch(`${config.apiBase}${path}`, { ...init, headers });
    } catch {
      throw new ApiError(0, t('networkFailed'));
    }
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw await failure(response);
    return response;
  };
  const json = async <T>(path: string, init?: RequestInit) => (await (await request(path, init)).json()) as T;
  const text = async (path: string) => (await request(path)).text();
  const listing = (path: string, filter: Record<string, string>, cursor?: string) =>
    `${path}?${new URLSearchParams({ ...filter, ...(cursor ? { cursor } : {}) })}`;
  return {
    base: config.apiBase,
    events: (filter, cursor) => json(listing('/v1/audit/events', filter, cursor)),
    reviews: (filter, cursor) => json(listing('/v1/audit/reviews', filter, cursor)),
    closeReview: (reviewId, body, idempotencyKey) =>
      json(`/v1/audit/reviews/${encodeURIComponent(reviewId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
      }),
    audit: { text, json },
  };
}

/** Every event of a filter, page after page, up to `maxPages` pages of 500. */
export async function listAllEvents(
  api: Api,
  filter: Record<string, string>,
  maxPages = 20,
): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await api.events({ ...filter, limit: '500' }, cursor);
    all.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return all;
}
