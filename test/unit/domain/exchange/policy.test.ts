import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  dueAt,
  ExchangePolicyEnvSchema,
  emergencyDay,
  emergencyExpiry,
  isRecentRevocation,
  overdueIfCreatedBy,
  policyFromEnvironment,
} from '../../../../src/domain/exchange/policy';

describe('exchange policy', () => {
  it('gives deadlines of 1 h, 24 h, 72 h and 7 days by urgency, and 4 h of emergency access', () => {
    const from = '2026-12-01T10:00:00.000Z';

    expect(dueAt(from, 'critical', DEFAULT_POLICY)).toBe('2026-12-01T11:00:00.000Z');
    expect(dueAt(from, 'high', DEFAULT_POLICY)).toBe('2026-12-02T10:00:00.000Z');
    expect(dueAt(from, 'medium', DEFAULT_POLICY)).toBe('2026-12-04T10:00:00.000Z');
    expect(dueAt(from, 'low', DEFAULT_POLICY)).toBe('2026-12-08T10:00:00.000Z');
    expect(emergencyExpiry(new Date(from), DEFAULT_POLICY)).toBe('2026-12-01T14:00:00.000Z');
  });

  it('finds overdue items by their creation time: created at or before now minus the deadline', () => {
    expect(overdueIfCreatedBy(new Date('2026-12-01T11:00:00.000Z'), 'critical', DEFAULT_POLICY)).toBe(
      '2026-12-01T10:00:00.000Z',
    );
  });

  it('takes deadlines and the emergency duration from the environment, keeping defaults for the rest', () => {
    const env = ExchangePolicyEnvSchema.parse({
      RESPONSE_DEADLINE_MINUTES: '{"critical":30,"low":2880}',
      EMERGENCY_ACCESS_MINUTES: '120',
    });

    const policy = policyFromEnvironment(env);

    expect(policy.responseMinutes).toEqual({ critical: 30, high: 1440, medium: 4320, low: 2880 });
    expect(policy.emergencyAccessMinutes).toBe(120);
  });

  it('refuses a deadline setting that is not a map of urgency to minutes', () => {
    for (const value of ['{"urgent":30}', '{"critical":0}', 'thirty', '{"critical":"soon"}']) {
      expect(ExchangePolicyEnvSchema.safeParse({ RESPONSE_DEADLINE_MINUTES: value }).success, value).toBe(
        false,
      );
    }
    expect(ExchangePolicyEnvSchema.safeParse({ EMERGENCY_ACCESS_MINUTES: '2000' }).success).toBe(false);
  });

  it('opens every section but reporter in an emergency, 10 times a day per agency, flagged 7 days after a revocation', () => {
    expect(DEFAULT_POLICY.emergencySections).toEqual(['identity', 'report', 'assessment', 'police']);
    expect(DEFAULT_POLICY.emergencyDailyCap).toBe(10);
    expect(DEFAULT_POLICY.afterRevocationDays).toBe(7);
  });

  it('takes the emergency sections, cap and revocation window from the environment', () => {
    const env = ExchangePolicyEnvSchema.parse({
      EMERGENCY_ACCESS_SECTIONS: 'report, identity',
      EMERGENCY_ACCESS_DAILY_CAP: '3',
      EMERGENCY_AFTER_REVOCATION_DAYS: '30',
    });

    const policy = policyFromEnvironment(env);

    expect(policy.emergencySections).toEqual(['identity', 'report']);
    expect(policy.emergencyDailyCap).toBe(3);
    expect(policy.afterRevocationDays).toBe(30);
  });

  it('refuses emergency settings that would open the reporter, name no section or allow no access', () => {
    for (const sections of ['reporter', 'identity,reporter', '', 'identity,family']) {
      expect(
        ExchangePolicyEnvSchema.safeParse({ EMERGENCY_ACCESS_SECTIONS: sections }).success,
        sections,
      ).toBe(false);
    }
    expect(ExchangePolicyEnvSchema.safeParse({ EMERGENCY_ACCESS_DAILY_CAP: '0' }).success).toBe(false);
  });

  it('counts emergency access per UTC day, and flags it within the window after a revocation', () => {
    const now = new Date('2026-12-01T22:30:00.000Z');

    expect(emergencyDay(now)).toEqual({ day: '2026-12-01', endsAt: new Date('2026-12-02T00:00:00.000Z') });
    expect(isRecentRevocation('2026-11-24T22:30:00.000Z', now, DEFAULT_POLICY)).toBe(true);
    expect(isRecentRevocation('2026-11-24T22:29:59.000Z', now, DEFAULT_POLICY)).toBe(false);
    expect(isRecentRevocation(undefined, now, DEFAULT_POLICY)).toBe(false);
  });
});
