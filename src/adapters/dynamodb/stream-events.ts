import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import { DomainEventSchema } from '../../domain/exchange/events';
import type { OutboxEntry } from '../../domain/exchange/ports';
import { eventFromItem } from './audit-store';

/** The part of a DynamoDB stream record the consumers read (Lambda's event and GetRecords share it). */
export interface StreamRecordLike {
  eventName?: string | undefined;
  dynamodb?: { NewImage?: Record<string, unknown> | undefined } | undefined;
}

/**
 * The audit events newly written, from stream records (NEW_IMAGE): inserts of `EVENT` items only. The
 * sealer's own writes (head, tiles, checkpoints, leaf indexes) and any other change are ignored.
 */
export function auditEventsFromStream(records: readonly StreamRecordLike[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const record of records) {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName !== 'INSERT' || !image) continue;
    if (image.sk?.S !== 'EVENT' || !image.pk?.S?.startsWith('EVENT#')) continue;
    events.push(eventFromItem(unmarshall(image)));
  }
  return events;
}

/**
 * The outbox entries newly written, from Cases stream records (NEW_IMAGE): inserts of `OUTBOX` items
 * only. Settling an entry (a MODIFY) and every other item of the table are ignored.
 */
export function outboxEntriesFromStream(records: readonly StreamRecordLike[]): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const record of records) {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName !== 'INSERT' || !image) continue;
    if (image.type?.S !== 'outbox' || !image.pk?.S?.startsWith('OUTBOX#')) continue;
    const item = unmarshall(image);
    entries.push({ event: DomainEventSchema.parse(item.event), withheld: item.withheld === true });
  }
  return entries;
}
