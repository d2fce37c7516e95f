import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditEvent } from '../../domain/audit/event';
import { eventFromItem } from './audit-store';

/** The part of a DynamoDB stream record the sealer reads (Lambda's event and GetRecords share it). */
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
