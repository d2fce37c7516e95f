import { describe, expect, it } from 'vitest';
import { DomainEventSchema, domainEvent } from '../../../../src/domain/exchange/events';

describe('domainEvent', () => {
  it('makes a schema-valid event with a fresh id and the given time', () => {
    const at = new Date('2026-11-30T10:00:00.000Z');
    const fields = {
      caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
      actorAgency: 'cfpc',
      recipients: ['police'],
      sections: ['identity' as const],
    };

    const first = domainEvent('share.created', at, fields);
    const second = domainEvent('share.created', at, fields);

    expect(DomainEventSchema.parse(first)).toEqual(first);
    expect(first).toMatchObject({ type: 'share.created', time: at.toISOString(), ...fields });
    expect(first.eventId).not.toBe(second.eventId);
  });

  it('is refused by its schema without a recipient', () => {
    const event = domainEvent('share.revoked', new Date(), {
      caseId: '0b8f4c3e-6d2a-4f51-9c7e-2a1d5b9e8f10',
      recipients: [],
    });

    expect(DomainEventSchema.safeParse(event).success).toBe(false);
  });
});
