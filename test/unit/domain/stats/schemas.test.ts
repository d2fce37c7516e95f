import { describe, expect, it } from 'vitest';
import { StatsQuerySchema, statsQueryFor } from '../../../../src/domain/stats/schemas';

describe('the statistics query', () => {
  it('takes a catalogue table and whole months, own scope and JSON by default', () => {
    const input = StatsQuerySchema.parse({ table: 'rapid-response', from: '2026-01', to: '2026-03' });
    expect(input).toEqual({
      table: 'rapid-response',
      from: '2026-01',
      to: '2026-03',
      scope: 'own',
      format: 'json',
    });
  });

  it('refuses an unknown table, a day, a month 13 and unknown parameters', () => {
    for (const query of [
      { table: 'children', from: '2026-01', to: '2026-03' },
      { table: 'escalations', from: '2026-01-05', to: '2026-03' },
      { table: 'escalations', from: '2026-13', to: '2026-03' },
      { table: 'escalations', from: '2026-01', to: '2026-03', city: 'dubai' },
    ]) {
      expect(StatsQuerySchema.safeParse(query).success).toBe(false);
    }
  });

  it("gives an agency its own table or all agencies', and an oversight body only all agencies'", () => {
    const input = StatsQuerySchema.parse({ table: 'escalations', from: '2026-01', to: '2026-03' });
    expect(statsQueryFor(input, { agency: 'cfpc', holdsCases: true }).scope).toEqual({ agency: 'cfpc' });
    expect(statsQueryFor({ ...input, scope: 'all' }, { agency: 'cfpc', holdsCases: true }).scope).toBe(
      'all-agencies',
    );
    expect(statsQueryFor(input, { agency: 'compliance', holdsCases: false }).scope).toBe('all-agencies');
  });
});
