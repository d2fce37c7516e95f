import { canonicalBytes } from './canonical';
import type { AuditEvent } from './event';
import { leafHash } from './merkle/hashing';

/**
 * The leaf input of an audit event: the UTF-8 bytes of the canonical JSON (see canonical.ts: members
 * sorted, no whitespace, strings and numbers as `JSON.stringify` writes them) of the event exactly as
 * `GET /v1/audit/events` returns it, without `leafIndex`. Absent optional members (`caseId`, `purpose`)
 * are absent from the bytes; `null` members are written as `null`. Anyone holding an exported event can
 * recompute its leaf hash, SHA-256(0x00 || these bytes), with nothing but a JSON library and SHA-256.
 *
 * `leafIndex` is left out because it is where the sealer put the event, which it learns only after the
 * event was hashed; the tree itself binds the position.
 */
export function eventLeafInput(event: Readonly<Record<string, unknown>> | AuditEvent): Uint8Array {
  const { leafIndex: _position, ...content } = event as Record<string, unknown>;
  return canonicalBytes(content);
}

/** RFC 9162 leaf hash of an event. */
export function eventLeafHash(event: Readonly<Record<string, unknown>> | AuditEvent): Uint8Array {
  return leafHash(eventLeafInput(event));
}

/**
 * The order in which one batch of events is appended: by time, then by event id, compared as strings
 * (times are ISO 8601 UTC of one width, so this is chronological). Across batches the order is the order
 * in which the sealer commits them; the tree, not the clock, is the authority on order.
 */
export function compareForSealing(a: AuditEvent, b: AuditEvent): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.eventId !== b.eventId) return a.eventId < b.eventId ? -1 : 1;
  return 0;
}

/** One copy of each event id (the first seen), in sealing order. */
export function orderForSealing(events: readonly AuditEvent[]): AuditEvent[] {
  const seen = new Set<string>();
  const unique: AuditEvent[] = [];
  for (const event of events) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    unique.push(event);
  }
  return unique.sort(compareForSealing);
}
