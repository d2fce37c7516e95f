import { inject, type ProvidedContext } from 'vitest';
import { CANARY_NATIONAL_ID } from './canary';

/**
 * Canary strings: every one goes into an encrypted section and carries the run's marker; after the
 * suite, the global teardown scans every table for the marker (test/global-setup.ts). Each run has a
 * fresh marker, so a leak from an earlier run can neither hide nor fake a result.
 */
const stack: ProvidedContext['stack'] | undefined = inject('stack');
// The infra project checks these bodies against the request models: no stack, nothing stored, no marker.
const run = stack?.canaryMarker ?? 'CANARY-no-stack';
export const CANARIES = {
  childAr: `مريم أحمد ${run}`,
  childEn: `Maryam Ahmed ${run}`,
  nationalId: CANARY_NATIONAL_ID,
  narrative: `يُذكر أن الطفلة تتعرض للإهمال — canary narrative ${run}`,

  reporterName: `Reporter Canary ${run}`,
  assessment: `assessment canary ${run}`,
  police: `police canary ${run}`,
  note: `note canary ${run}`,
  /** Beside the names a matching test indexes: the identity section still carries the run's marker. */
  school: `school canary ${run}`,
};

export function fullCaseBody(overrides: Record<string, unknown> = {}) {
  return {
    category: 'neglect',
    urgency: 'high',
    region: { emirate: 'sharjah', city: 'Khor Fakkan' },
    sections: {
      identity: {
        children: [
          {
            name: { ar: CANARIES.childAr, en: CANARIES.childEn },
            nationalId: CANARIES.nationalId,
            dateOfBirth: '2015-03-02',
            sex: 'female',
          },
        ],
        familyMembers: [
          { name: { ar: 'أحمد سالم', en: 'Ahmed Salem' }, relation: 'father', livesWithChild: true },
        ],
        addresses: [{ emirate: 'sharjah', city: 'خورفكان', area: 'الزبارة' }],
      },
      report: {
        receivedAt: '2026-11-20T08:15:00.000Z',
        channel: 'school',
        narrative: CANARIES.narrative,
        concerns: ['غياب متكرر عن المدرسة', 'missing meals'],
      },
      assessment: { riskLevel: 'high', summary: CANARIES.assessment, findings: ['home visit needed'] },
      reporter: { anonymous: false, name: { en: CANARIES.reporterName }, phone: '+971 50 123 4567' },
      police: { actions: [{ at: '2026-11-21T10:00:00.000Z', action: CANARIES.police }] },
    },
    ...overrides,
  };
}

export function minimalCaseBody(overrides: Record<string, unknown> = {}) {
  return {
    category: 'abuse',
    urgency: 'critical',
    region: { emirate: 'dubai' },
    sections: {
      report: {
        receivedAt: '2026-11-28T22:40:00.000Z',
        channel: 'hotline',
        narrative: `minimal report ${run}`,
      },
    },
    ...overrides,
  };
}
