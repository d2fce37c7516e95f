import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compoundInputs, type MatchSubject } from '../../../../src/domain/matching/blind-index';
import { normaliseName, type PersonName } from '../../../../src/domain/matching/normalise-name';

/** A fixed seed: the same names every run, so a failure reproduces; `numRuns` keeps the file fast. */
const RUNS = { seed: 20261201, numRuns: 300 } as const;

const ARABIC_WORDS = [
  'محمد',
  'أحمد',
  'عبد الله',
  'عبدالرحمن',
  'فاطمة',
  'عائشة',
  'مريم',
  'نور الدين',
  'بن',
  'بنت',
  'آل',
  'الشامسي',
  'النهيان',
  'مصطفى',
  'ليلى',
  'لؤلؤة',
  'إبراهيم',
  'سالم',
  'ميثاء',
  'العنود',
  'ابو بكر',
  'بو شهاب',
  'آمنة',
  'حصة',
  'عمرو',
  'کریم',
  'اليازية',
  'الياس',
  'عبد',
  'آلبو',
  'الله',
  'علی',
];
const LATIN_WORDS = [
  'Mohammed',
  'Abdul',
  'Rahman',
  'Abd',
  'al-Aziz',
  'bin',
  'Al',
  'Shamsi',
  'Ash-Shamsi',
  'El',
  'Sayed',
  "Sa'eed",
  'Fatma',
  'Aly',
  'Noorah',
  'Abdulla',
  'Zoe',
  'Jose',
  'Muller',
  'abu',
  'Bakr',
  'Maitha',
  'Alshamsi',
  'ibn',
  'Abdurrahman',
  'Khaled',
  'Hussein',
  'Bu',
  'Elsayed',
  'Allen',
  'Alia',
  'Kaabi',
];

/** Tashkeel (U+064B–U+0652), superscript alef, tatweel, zero-width characters and bidi controls. */
const INVISIBLE_MARKS = [
  ...Array.from({ length: 8 }, (_, i) => String.fromCodePoint(0x064b + i)),
  '\u0670',
  '\u0640',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u200F',
  '\u2060',
  '\uFEFF',
  '\u061C',
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];

const words = (pool: string[], min: number, max: number) =>
  fc.array(fc.constantFrom(...pool), { minLength: min, maxLength: max }).map((chosen) => chosen.join(' '));

const personFrom = (pool: string[]): fc.Arbitrary<PersonName> =>
  fc.record(
    { given: words(pool, 1, 2), family: words(pool, 1, 2), full: words(pool, 2, 5) },
    { requiredKeys: ['given', 'family'] },
  );

const anyPerson = fc.oneof(
  personFrom(ARABIC_WORDS),
  personFrom(LATIN_WORDS),
  personFrom([...ARABIC_WORDS, ...LATIN_WORDS]),
);

/** The text with `inserts` characters put at positions (taken modulo its length + 1). */
function insertAt(text: string, inserts: Array<[number, string]>): string {
  let result = text;
  for (const [position, char] of inserts) {
    const at = position % (result.length + 1);
    result = result.slice(0, at) + char + result.slice(at);
  }
  return result;
}

const insertions = (pool: string[]) =>
  fc.array(fc.tuple(fc.nat(), fc.constantFrom(...pool)), { maxLength: 8 });

describe('normaliseName (properties, seeded)', () => {
  it('is idempotent: normalising a normalised name changes nothing', () => {
    fc.assert(
      fc.property(anyPerson, (person) => {
        const once = normaliseName(person);

        expect(normaliseName(once)).toEqual(once);
      }),
      RUNS,
    );
  });

  it('does not change when tashkeel, tatweel, zero-width or bidi marks are inserted anywhere', () => {
    fc.assert(
      fc.property(
        anyPerson,
        insertions(INVISIBLE_MARKS),
        insertions(INVISIBLE_MARKS),
        (person, one, other) => {
          const marked = {
            ...person,
            given: insertAt(person.given, one),
            family: insertAt(person.family, other),
          };
          if (person.full !== undefined) marked.full = insertAt(person.full, [...one, ...other]);

          expect(normaliseName(marked)).toEqual(normaliseName(person));
        },
      ),
      RUNS,
    );
  });

  it('does not change, for Latin names, with case or added diacritics', () => {
    const marks = Array.from({ length: 0x70 }, (_, i) => String.fromCodePoint(0x0300 + i));
    const casing = fc.array(fc.boolean(), { minLength: 64, maxLength: 64 });
    const recase = (text: string, upper: boolean[]) =>
      [...text]
        .map((char, i) => (upper[i % upper.length] ? char.toUpperCase() : char.toLowerCase()))
        .join('');

    fc.assert(
      fc.property(personFrom(LATIN_WORDS), casing, insertions(marks), (person, upper, added) => {
        const changed = {
          given: insertAt(recase(person.given, upper), added),
          family: recase(person.family, upper),
        };
        const full = person.full === undefined ? {} : { full: insertAt(recase(person.full, upper), added) };

        expect(normaliseName({ ...changed, ...full })).toEqual(normaliseName(person));
      }),
      RUNS,
    );
  });
});

describe('compoundInputs (properties, seeded)', () => {
  const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';
  const PERSIAN = '۰۱۲۳۴۵۶۷۸۹';
  const digitScripts = fc.array(fc.constantFrom('ascii', 'arabic', 'persian'), {
    minLength: 32,
    maxLength: 32,
  });
  const rewrite = (text: string, scripts: string[]) =>
    [...text]
      .map((char, i) => {
        if (!/[0-9]/u.test(char)) return char;
        const script = scripts[i % scripts.length];
        return script === 'arabic'
          ? ARABIC_INDIC[Number(char)]
          : script === 'persian'
            ? PERSIAN[Number(char)]
            : char;
      })
      .join('');
  const subject: fc.Arbitrary<MatchSubject> = fc.record({
    given: fc.constantFrom('محمد', 'Fatma', 'عبد الله', 'Noorah'),
    family: fc.constantFrom('الشامسي', 'Al Kaabi', 'آل نهيان'),
    dateOfBirth: fc
      .date({
        min: new Date('1990-01-01T00:00:00Z'),
        max: new Date('2025-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString().slice(0, 10)),
    nationalId: fc
      .tuple(fc.stringMatching(/^[0-9]{12}$/u), fc.boolean())
      .map(([digits, grouped]) =>
        grouped ? `784-${digits.slice(0, 4)}-${digits.slice(4, 11)}-${digits.slice(11)}` : `784${digits}`,
      ),
  });

  it('gives the same inputs whether dates and ids are written in ASCII, Arabic-Indic or Persian digits', () => {
    fc.assert(
      fc.property(subject, digitScripts, (child, scripts) => {
        const eastern = {
          ...child,
          dateOfBirth: rewrite(child.dateOfBirth ?? '', scripts),
          nationalId: rewrite(child.nationalId ?? '', scripts),
        };

        expect(compoundInputs(eastern)).toEqual(compoundInputs(child));
        expect(compoundInputs(child)).toHaveLength(3);
      }),
      RUNS,
    );
  });
});
