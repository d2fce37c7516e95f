import { describe, expect, it } from 'vitest';
import {
  normaliseBirthDate,
  normaliseBirthYear,
  normaliseNationalId,
} from '../../../../src/domain/matching/identifiers';

describe('normaliseNationalId', () => {
  it('reads an Emirates ID in any digits, grouped by hyphens or spaces or not at all, as its 15 digits', () => {
    const forms = [
      '784-2015-1234567-1',
      '784201512345671',
      '784 2015 1234567 1',
      '٧٨٤-٢٠١٥-١٢٣٤٥٦٧-١',
      '۷۸۴۲۰۱۵۱۲۳۴۵۶۷۱',
      '\u200E784-2015-1234567-1\u200E',
      ' 784-2015-1234567-1 ',
    ];

    expect(forms.map(normaliseNationalId)).toEqual(Array(forms.length).fill('784201512345671'));
  });

  it.each([
    ['too short', '784-2015-123456-1'],
    ['too long', '784-2015-12345678-1'],
    ['another country code', '785-2015-1234567-1'],
    ['letters', '784-2015-123456A-1'],
    ['other separators', '784.2015.1234567.1'],
    ['doubled separators', '784--2015-1234567-1'],
    ['empty', ''],
    ['a sign', '+784201512345671'],
  ])('refuses %s', (_, raw) => {
    expect(normaliseNationalId(raw)).toBeNull();
  });
});

describe('normaliseBirthDate and normaliseBirthYear', () => {
  it('take ISO dates and years in any digits', () => {
    expect(normaliseBirthDate('٢٠١٦-٠٧-٢١')).toBe('2016-07-21');
    expect(normaliseBirthDate('2016-02-29')).toBe('2016-02-29');
    expect(normaliseBirthYear('۲۰۱۳')).toBe('2013');
  });

  it.each(['2015-02-29', '2016-13-01', '21/07/2016', '2016-7-21', '1899-12-31', '2016-07-21T00:00:00Z'])(
    'refuse %s',
    (raw) => {
      expect(normaliseBirthDate(raw)).toBeNull();
    },
  );

  it('refuse a year that is not four digits from 1900', () => {
    expect(normaliseBirthYear('15')).toBeNull();
    expect(normaliseBirthYear('1850')).toBeNull();
  });
});
