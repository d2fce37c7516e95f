import { inject } from 'vitest';
import { enforceContract } from './contract';

/**
 * Talks to the local stack over HTTP, like an agency system would, and holds every response against the
 * published OpenAPI document (test/support/contract.ts).
 */
export const stack = inject('stack');

export interface CallOptions {
  token?: string;
  user?: string | null;
  purpose?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.user !== null) headers['x-himaya-user'] = options.user ?? 'officer-1';
  if (options.purpose) headers['x-himaya-purpose'] = options.purpose;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${stack.gateway}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  // Every response, success or error, must be what the published OpenAPI document says it is.
  await enforceContract({ method, path, status: response.status, headers: response.headers, text });
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
}

/** What `call` answers: the status, the headers, the body as text and as JSON (when it is JSON). */
export type CallResult = Awaited<ReturnType<typeof call>>;
