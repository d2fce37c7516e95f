import { describe, expect, it } from 'vitest';
import { compoundInputs, tokenTruncation } from '../../../../src/domain/matching/blind-index';

const CHILD = {
  given: 'مُحَمَّد',
  family: 'آل الكعبي',
  full: 'محمد بن سالم الكعبي',
  dateOfBirth: '٢٠١٥-٠٣-٠٢',
  nationalId: '784-2015-1234567-1',
};

describe('compoundInputs', () => {
  it('gives the domain-separated, versioned input of each compound index', () => {
    expect(compoundInputs(CHILD)).toEqual([
      { index: 'national-id', input: 'himaya/bi/v1|national-id|n1|784201512345671' },
      { index: 'name-dob', input: 'himaya/bi/v1|name-dob|n1|mohammed salem kaabi|2015-03-02' },
      { index: 'name-year', input: 'himaya/bi/v1|name-year|n1|mohammed kaabi|2015' },
    ]);
  });

  it('meets the same inputs from a Latin record of the same child', () => {
    const latin = {
      given: 'Mohamed',
      family: 'Al Kaabi',
      full: 'Mohamed bin Salim Al Kaabi',
      dateOfBirth: '2015-03-02',
    };

    expect(compoundInputs(latin)).toEqual(compoundInputs({ ...CHILD, nationalId: undefined }));
  });

  it('takes the year alone when no date is known, and gives no name input without a given and a family name', () => {
    expect(compoundInputs({ given: 'Sara', family: 'Al Ameri', birthYear: '2014' })).toEqual([
      { index: 'name-year', input: 'himaya/bi/v1|name-year|n1|sara ameri|2014' },
    ]);
    expect(compoundInputs({ given: 'ـــ\u200F', family: 'Al Ameri', dateOfBirth: '2014-01-01' })).toEqual([]);
    expect(compoundInputs({ given: 'Sara', family: 'Al Ameri' })).toEqual([]);
  });

  it('never gives an input of a low-entropy field alone, nor of an identifier that does not normalise', () => {
    const inputs = compoundInputs({
      given: 'Sara',
      family: 'Ameri',
      dateOfBirth: '21/07/2016',
      birthYear: '2016',
      nationalId: '12345',
    });

    expect(inputs.map((entry) => entry.index)).toEqual(['name-year']);
    for (const { input } of compoundInputs(CHILD)) expect(input.split('|').length).toBeGreaterThanOrEqual(4);
  });
});

describe('tokenTruncation', () => {
  it('keeps floor(log2(R / 2)) bits: 2 to 4 unrelated candidates per lookup and index', () => {
    for (const records of [10, 1_000, 50_000, 1_000_000, 123_456_789]) {
      const bits = tokenTruncation(records);
      const coincidences = records / 2 ** bits;

      expect(coincidences).toBeGreaterThanOrEqual(2);
      expect(coincidences).toBeLessThan(4);
    }
    expect(tokenTruncation(50_000)).toBe(14);
    expect(tokenTruncation(1_000_000)).toBe(18);
  });

  it('keeps at least one bit, and refuses a record count that is not a positive integer', () => {
    expect(tokenTruncation(1)).toBe(1);
    expect(() => tokenTruncation(0)).toThrow(RangeError);
    expect(() => tokenTruncation(2.5)).toThrow(RangeError);
  });
});
