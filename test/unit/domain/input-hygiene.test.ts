import { describe, expect, it } from 'vitest';
import {
  ConsistencyProofQuerySchema,
  InclusionProofQuerySchema,
} from '../../../src/domain/audit/api-schemas';
import { ListCasesQuerySchema, NoteBodySchema } from '../../../src/domain/cases/schemas';
import { EmergencyAccessBodySchema } from '../../../src/domain/exchange/schemas';
import { decimalIntegerQuery } from '../../../src/domain/paging';
import { PurposeSchema } from '../../../src/domain/purpose';
import { CloseReviewBodySchema } from '../../../src/domain/reviews/schemas';
import { freeText, isBlank } from '../../../src/domain/text';
import { UserHeaderSchema } from '../../../src/http/schemas';

const INVISIBLES = [
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u200E',
  '\u200F',
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
const EVENT_ID = `${'0'.repeat(10)}${'a'.repeat(20)}`;

describe('the officer header', () => {
  it.each(['officer-1', 'a.b_c@d:e-f', 'x'.repeat(128)])('accepts the ASCII officer id %s', (id) => {
    expect(UserHeaderSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['a Cyrillic о', '\u043efficer-1'],
    ['an Arabic name', 'ضابط'],
    ['a Latin letter with an accent', 'offîcer'],
    ['a full-width digit', 'officer-１'],
    ['a space', 'officer 1'],
    ['nothing', ''],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses %s', (_, id) => {
    expect(UserHeaderSchema.safeParse(id).success).toBe(false);
  });
});

describe('the purpose header', () => {
  it('is one of the listed purposes, nothing else', () => {
    expect(PurposeSchema.safeParse('child-protection').success).toBe(true);
    for (const value of ['Child-Protection', 'child-protection ', 'сhild-protection', '']) {
      expect(PurposeSchema.safeParse(value).success).toBe(false);
    }
  });
});

describe('blank text', () => {
  it.each(INVISIBLES.map((c) => [c.codePointAt(0)?.toString(16), c]))('counts U+%s as blank', (_, c) => {
    expect(isBlank(c)).toBe(true);
    expect(isBlank(` ${c}${c}\u00a0\n`)).toBe(true);
  });

  it('keeps text with anything visible', () => {
    expect(isBlank('\u200Bx\u200B')).toBe(false);
    expect(isBlank('حماية\u200F')).toBe(false);
    expect(freeText(10).parse('\u200Dok')).toBe('\u200Dok');
  });

  it('is refused as blank in cases, the exchange and reviews', () => {
    const invisible = '\u200B\u2060\uFEFF\u202E\u2066';
    expect(NoteBodySchema.safeParse({ text: invisible }).success).toBe(false);
    expect(
      EmergencyAccessBodySchema.safeParse({ justification: invisible, sections: ['report'] }).success,
    ).toBe(false);
    expect(CloseReviewBodySchema.safeParse({ outcome: 'justified', finding: invisible }).success).toBe(false);
    expect(NoteBodySchema.safeParse({ text: 'seen \u200B' }).success).toBe(true);
  });
});

describe('integers in a query string', () => {
  const schema = decimalIntegerQuery({ min: 1, max: 500 });

  it.each([
    ['1', 1],
    ['25', 25],
    ['007', 7],
    ['500', 500],
  ])('reads %s as %d', (text, value) => {
    expect(schema.parse(text)).toBe(value);
  });

  it.each([
    '1e2',
    '0x10',
    ' 5',
    '5 ',
    '+5',
    '-1',
    '1.0',
    '1.5',
    '',
    '0',
    '501',
    '٣',
    'Infinity',
    '0b1',
    '1_0',
  ])('refuses %j', (text) => {
    expect(schema.safeParse(text).success).toBe(false);
  });

  it('applies to the paging limit and the audit proof sizes', () => {
    expect(ListCasesQuerySchema.parse({}).limit).toBe(25);
    expect(ListCasesQuerySchema.parse({ limit: '10' }).limit).toBe(10);
    for (const limit of ['1e2', '0x10', ' 5']) {
      expect(ListCasesQuerySchema.safeParse({ limit }).success).toBe(false);
      expect(InclusionProofQuerySchema.safeParse({ eventId: EVENT_ID, treeSize: limit }).success).toBe(false);
      expect(ConsistencyProofQuerySchema.safeParse({ from: limit }).success).toBe(false);
      expect(ConsistencyProofQuerySchema.safeParse({ from: '1', to: limit }).success).toBe(false);
    }
    expect(ConsistencyProofQuerySchema.parse({ from: '3', to: '9007199254740991' })).toEqual({
      from: 3,
      to: Number.MAX_SAFE_INTEGER,
    });
  });
});
