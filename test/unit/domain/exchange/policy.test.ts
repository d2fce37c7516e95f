import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  dueAt,
  ExchangePolicyEnvSchema,
  emergencyExpiry,
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
});
