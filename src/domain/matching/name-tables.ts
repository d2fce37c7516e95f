import { foldArabic, foldLatin } from './characters';
import { ARABIC_TO_KEY } from './cross-script';
import { ABD_STEM_VARIANTS, FAMILY_NAME_VARIANTS, GIVEN_NAME_VARIANTS } from './latin-variants';

/**
 * A Latin word as the rules see it: a final y after a consonant read as i (Aly/Ali, Hany/Hani,
 * Suwaidy/Suwaidi), the commonest spelling difference of final ي. Not after a vowel (Roy, Fay).
 */
export function foldLatinWord(word: string): string {
  return word.length >= 3 ? word.replace(/([^aeiouy])y$/u, '$1i') : word;
}

function latinLookup(groups: Readonly<Record<string, readonly string[]>>): ReadonlyMap<string, string> {
  const lookup = new Map<string, string>();
  for (const [key, spellings] of Object.entries(groups)) {
    for (const spelling of [key, ...spellings]) lookup.set(foldLatinWord(foldLatin(spelling)), key);
  }
  return lookup;
}

/** Latin spelling (folded) → the key of its name; given and family names share one lookup. */
export const LATIN_KEYS = latinLookup({ ...GIVEN_NAME_VARIANTS, ...FAMILY_NAME_VARIANTS });

/** The stem of an abd compound (folded) → its canonical stem. */
export const ABD_STEMS = latinLookup(ABD_STEM_VARIANTS);

/** Arabic spelling, folded as input is → the key its romanisations reach. */
export const ARABIC_KEYS: ReadonlyMap<string, string> = new Map(
  Object.entries(ARABIC_TO_KEY).map(([arabic, key]) => [foldLatin(foldArabic(arabic)), key]),
);
