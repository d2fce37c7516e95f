import * as z from 'zod';

/**
 * Characters that show nothing: zero-width space, non-joiner and joiner (U+200B–U+200D), word joiner
 * (U+2060), byte order mark (U+FEFF) and the bidirectional controls (U+200E/F, U+202A–U+202E,
 * U+2066–U+2069).
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;

/** Text a reader would see as empty: only white space and invisible characters. */
export function isBlank(value: string): boolean {
  return value.replace(INVISIBLE, '').trim().length === 0;
}

/**
 * Free text of at most `max` characters, normalised to NFC, refused when blank (see `isBlank`). The bound
 * holds after normalisation too (NFC lengthens a few characters), so that stored text keeps it.
 */
export const freeText = (max: number) =>
  z
    .string()
    .max(max)
    .transform((value) => value.normalize('NFC'))
    .refine((value) => value.length <= max, `at most ${max} characters once normalised (NFC)`)
    .refine((value) => !isBlank(value), 'must not be blank');
