import { stripInvisible, toAsciiDigits } from './characters';

/**
 * A UAE Emirates ID number (784-YYYY-NNNNNNN-C) as its 15 digits, or null when the input is anything
 * else. Arabic-Indic and Persian digits count as digits; hyphens and spaces may separate groups, as on
 * the card; invisible marks copied with the number are ignored. Any other character, another length or
 * another country code is refused rather than guessed at: a wrong id would make a token that silently
 * matches nothing. The check digit is not verified (its algorithm is not published by the issuer); a
 * mistyped id finds nothing by id, and the name indexes still apply.
 */
export function normaliseNationalId(raw: string): string | null {
  const text = toAsciiDigits(stripInvisible(raw.normalize('NFKC'))).trim();
  if (!/^[0-9]+(?:[- ][0-9]+)*$/u.test(text)) return null;
  const digits = text.replace(/[- ]/gu, '');
  return /^784[0-9]{12}$/u.test(digits) ? digits : null;
}

/**
 * A date of birth as ISO `YYYY-MM-DD` (any digits, as above), or null when it is not a real calendar
 * date in that form. Other layouts (DD/MM/YYYY) are refused: which part is the day is a guess.
 */
export function normaliseBirthDate(raw: string): string | null {
  const text = toAsciiDigits(stripInvisible(raw.normalize('NFKC'))).trim();
  const parts = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/u.exec(text);
  if (parts === null) return null;
  const [, year, month, day] = parts.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1900 ? text : null;
}

/** A year of birth `YYYY` (any digits), or null. */
export function normaliseBirthYear(raw: string): string | null {
  const text = toAsciiDigits(stripInvisible(raw.normalize('NFKC'))).trim();
  return /^[0-9]{4}$/u.test(text) && Number(text) >= 1900 ? text : null;
}
