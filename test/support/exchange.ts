import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { documentClient } from '../../src/adapters/aws-clients';
import type { AuditEvent } from '../../src/domain/audit/event';
import type { DomainEvent } from '../../src/domain/exchange/events';
import { fullCaseBody } from './cases';
import { call, stack } from './client';
import { localDynamoDb } from './local-dynamodb';

/** Helpers for the exchange tests: cases, shares, the access log and the event outbox. */
export const MISSING_CASE = '5d4c1e0b-8a0e-4f57-9a31-1c0f7f4a6b20';

export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export async function createCase(token: string, body: Record<string, unknown> = fullCaseBody()) {
  const created = await call('POST', '/v1/cases', { token, body });
  expect(created.status, created.text).toBe(201);
  return created.json.caseId as string;
}

export async function share(
  token: string,
  caseId: string,
  body: { agency?: string; sections: string[]; purpose?: string; expiresAt?: string },
) {
  return call('POST', `/v1/cases/${caseId}/shares`, {
    token,
    user: 'caseworker-7',
    body: { agency: 'police', purpose: 'criminal-investigation', expiresAt: hoursFromNow(24), ...body },
  });
}

export async function readAs(token: string, caseId: string, purpose = 'criminal-investigation') {
  return call('GET', `/v1/cases/${caseId}`, { token, user: 'officer-3', purpose });
}

export async function listedCaseIds(token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await call('GET', `/v1/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(page.status).toBe(200);
    ids.push(...(page.json.items as { caseId: string }[]).map((item) => item.caseId));
    cursor = page.json.nextCursor as string | undefined;
  } while (cursor);
  return ids;
}

export async function auditEventsOf(compliance: string, caseId: string): Promise<AuditEvent[]> {
  const response = await call('GET', `/v1/audit/events?caseId=${caseId}&limit=500`, {
    token: compliance,
    user: 'auditor-1',
  });
  expect(response.status).toBe(200);
  return response.json.items as AuditEvent[];
}

let documents: DynamoDBDocumentClient | undefined;

/** A document client on the local stack's DynamoDB, for what a test must see or set up beneath the API. */
export function localTables(): DynamoDBDocumentClient {
  documents ??= documentClient(localDynamoDb(stack));
  return documents;
}

export interface OutboxEntry {
  event: DomainEvent;
  publishedAt?: string;
}

/** The domain events written about a case, oldest first: what was (or is to be) published. */
export async function outboxOf(caseId: string): Promise<OutboxEntry[]> {
  const entries: OutboxEntry[] = [];
  for await (const page of paginateScan(
    { client: localTables() },
    {
      TableName: stack.tables.Cases,
      // Withheld entries stand for requests that reached nobody: there is nothing in them to deliver.
      FilterExpression:
        '#type = :outbox AND caseId = :caseId AND (attribute_not_exists(withheld) OR withheld = :published)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':outbox': 'outbox', ':caseId': caseId, ':published': false },
    },
  )) {
    for (const item of page.Items ?? []) {
      entries.push({
        event: item.event as DomainEvent,
        ...(item.publishedAt ? { publishedAt: item.publishedAt as string } : {}),
      });
    }
  }
  return entries.sort((a, b) => a.event.time.localeCompare(b.event.time));
}

/**
 * The case's outbox once every entry the test expects is there and settled: the outbox processor runs off
 * the request path, on the Cases stream, so a test waits for it as a subscriber would.
 */
export async function deliveredOutboxOf(caseId: string, expected: number): Promise<OutboxEntry[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const entries = await outboxOf(caseId);
    const settled = entries.length >= expected && entries.every((entry) => entry.publishedAt !== undefined);
    if (settled || Date.now() > deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
