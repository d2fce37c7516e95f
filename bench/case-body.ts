/**
 * A full case, all five sections present, with Arabic and Latin text: what an agency system sends when it
 * records a report. Created in every run and read back by the read-case flow.
 */
export function benchCaseBody() {
  return {
    category: 'neglect',
    urgency: 'high',
    region: { emirate: 'sharjah', city: 'Khor Fakkan' },
    sections: {
      identity: {
        children: [
          {
            name: { ar: 'مريم أحمد سالم', en: 'Maryam Ahmed Salem' },
            nationalId: '784-2015-1234567-1',
            dateOfBirth: '2015-03-02',
            sex: 'female',
          },
          {
            name: { ar: 'يوسف أحمد سالم', en: 'Yousef Ahmed Salem' },
            dateOfBirth: '2018-07-19',
            sex: 'male',
          },
        ],
        familyMembers: [
          { name: { ar: 'أحمد سالم', en: 'Ahmed Salem' }, relation: 'father', livesWithChild: true },
          { name: { ar: 'فاطمة علي' }, relation: 'mother', livesWithChild: false },
        ],
        addresses: [{ emirate: 'sharjah', city: 'خورفكان', area: 'الزبارة' }],
      },
      report: {
        receivedAt: '2026-11-20T08:15:00.000Z',
        channel: 'school',
        narrative:
          'أبلغت المدرسة عن غياب متكرر للطفلة وعلامات إهمال واضحة. The school reports repeated absences, ' +
          'missing meals and no adult at home in the afternoons for the last three weeks.',
        concerns: ['غياب متكرر عن المدرسة', 'missing meals', 'no supervision after school'],
      },
      assessment: {
        riskLevel: 'high',
        summary: 'Home visit confirms the children are often alone; the father works night shifts.',
        findings: ['home visit needed', 'school counsellor to follow up weekly'],
      },
      reporter: { anonymous: false, name: { en: 'School social worker' }, phone: '+971 50 123 4567' },
      police: { actions: [{ at: '2026-11-21T10:00:00.000Z', action: 'Welfare check at the home address' }] },
    },
  };
}
