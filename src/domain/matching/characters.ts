/**
 * Character-level clean-up shared by names, national ids and dates: what two clerks typing the same thing
 * on different keyboards (Arabic, Persian, Latin; with or without vowel marks) can differ in.
 */

/**
 * Marks that change neither the name nor its reading for matching: tashkeel (U+064B–U+065F), superscript
 * alef (U+0670), Quranic annotation marks (U+0610–U+061A, U+06D6–U+06ED) and tatweel (U+0640), which only
 * stretches a word. Hamza and madda written as separate marks are composed onto their letter by NFKC first.
 */
const ARABIC_MARKS = /[\u0610-\u061A\u0640\u064B-\u065F\u0670\u06D6-\u06ED]/gu;

/**
 * Characters that show nothing: zero-width space, non-joiner and joiner, LRM/RLM (U+200B–U+200F), the
 * bidirectional embeddings and isolates (U+202A–U+202E, U+2066–U+2069), word joiner (U+2060), BOM
 * (U+FEFF), Arabic letter mark (U+061C) and soft hyphen (U+00AD). Text copied from Arabic documents
 * carries them, invisibly, around names and numbers.
 */
const INVISIBLE = /[\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;

/**
 * One letter for each group of spellings clerks use interchangeably: the hamza and madda forms of alef,
 * alef maqsura for final ya, taa marbuta for final ha, the hamza seats on waw and ya, and the Persian
 * (Urdu) ya, kaf and heh-with-hamza that Persian keyboards type for the Arabic ones.
 */
const LETTERS: Readonly<Record<string, string>> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ة: 'ه',
  ؤ: 'و',
  ئ: 'ي',
  ی: 'ي',
  ک: 'ك',
  ۀ: 'ه',
};
const LETTER_PATTERN = new RegExp(`[${Object.keys(LETTERS).join('')}]`, 'gu');

/** Arabic-Indic (U+0660–0669) and Eastern Arabic/Persian (U+06F0–06F9) digits → ASCII. */
export function toAsciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/gu, (digit) => {
    const code = digit.codePointAt(0) ?? 0;
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/** Removes what shows nothing, whatever the script: see `INVISIBLE`. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * No invisible characters and no Arabic marks, before NFKC (so that a stray hamza or madda mark cannot
 * compose with the letter before it into another letter, ه + ٔ → ۀ) and after it (presentation forms and
 * ligatures such as ﻻ or ﷲ come back as letters and marks); then one letter per spelling group and ASCII
 * digits. Latin letters are left to `foldLatin`.
 */
export function foldArabic(text: string): string {
  const bare = (value: string) => stripInvisible(value).replace(ARABIC_MARKS, '');
  return toAsciiDigits(
    bare(bare(text).normalize('NFKC')).replace(LETTER_PATTERN, (letter) => LETTERS[letter] ?? letter),
  );
}

/** Latin letters that carry no combining mark to strip under NFKD but are still "the same letter". */
const LATIN_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
};

/** NFKD, every combining mark stripped (é → e, ṣ → s, ā → a), lower case, and the letters above. */
export function foldLatin(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđłıħ]/gu, (letter) => LATIN_LETTERS[letter] ?? letter);
}

/**
 * Apostrophes and the ayn/hamza signs of transliteration (Sa'eed, Ma’moun, ʿAli) are dropped inside a
 * word; every other character that is not a letter or a digit separates words (hyphen, dot, comma).
 */
export function splitWords(text: string): string[] {
  return text
    .replace(/['’‘ʼʻʾʿ`´]/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(
      /(\p{Script=Arabic})(?=[^\p{Script=Arabic}\s])|([^\p{Script=Arabic}\s])(?=\p{Script=Arabic})/gu,
      '$1$2 ',
    )
    .split(' ')
    .filter((word) => word.length > 0);
}

/** A word is Arabic when it has an Arabic letter (after `splitWords`, a word is all one script). */
export function isArabicWord(word: string): boolean {
  return /\p{Script=Arabic}/u.test(word);
}
