import { foldArabic, foldLatin, isArabicWord, splitWords } from './characters';
import { ABD_STEMS, ARABIC_KEYS, foldLatinWord, LATIN_KEYS } from './name-tables';

/**
 * The version of these rules. It goes into every blind-index input, so that changing a rule (or a table)
 * makes new tokens that cannot be confused with old ones; an index is rebuilt under the new version.
 */
export const NORMALISER_VERSION = 'n1';

export interface PersonName {
  given: string;
  family: string;
  /** The whole name as written (e.g. with father's and grandfather's names); given + family if absent. */
  full?: string;
}

/** Words of each part, canonical, joined by one space; an empty string when nothing is left. */
export interface NormalisedName {
  given: string;
  family: string;
  full: string;
}

/** Words that only link a name to the father's (son of, daughter of): dropped, in either script. */
const CONNECTORS = new Set(['بن', 'ابن', 'بنت', 'bin', 'bint', 'ibn', 'ben', 'bent']);

/** The article written as a word of its own (آل is folded to ال): al-Shamsi, El Sayed, آل نهيان. */
const ARTICLES = new Set(['ال', 'al', 'el']);

/** The article assimilated to a following sun letter, as romanised: ash-Shamsi, ar-Rashid, an-Nuaimi. */
const SUN_ARTICLE = /^[ae](sh|th|dh|[tdrzsn])$/u;

/** Words joined to the next one: عبد الله is عبدالله; Abdul Rahman, Abd al-Rahman are one name. */
const LATIN_ABD = new Set(['abd', 'abdul', 'abdel', 'abdal', 'abdol', 'abdil', 'abdur', 'abdus', 'abdoul']);
const LATIN_ABU = new Set(['abu', 'abou']);
const ARABIC_JOINS_NEXT = new Set(['عبد', 'ابو', 'بو', 'البو']);

/** Words joined to the previous one: نور الدين is نورالدين, عطا الله is عطاالله. */
const ARABIC_JOINS_PREVIOUS = new Set(['الدين', 'الله']);

/** Names whose initial ال is part of the name, not the article (إلياس, إلهام, ألماس, اليسع). */
const ARABIC_ROOT_AL = new Set(['الياس', 'الهام', 'الماس', 'اليسع']);

/** Folds both scripts and splits into words; Latin words get `foldLatinWord`. */
function words(text: string): string[] {
  return splitWords(foldLatin(foldArabic(text))).map((word) =>
    isArabicWord(word) ? word : foldLatinWord(word),
  );
}

/**
 * A connector links two names (Saif bin Hamad), an article stands before one: alone, or where nothing is
 * linked, the word is a name (Ben, the given name; Bin Hamoodah, a family name, keeps its Bin).
 */
function isParticle(word: string, previous: string | undefined, next: string | undefined): boolean {
  if (next === undefined) return false;
  if (CONNECTORS.has(word)) return previous !== undefined;
  if (ARTICLES.has(word)) return true;
  const sun = SUN_ARTICLE.exec(word);
  return sun?.[1] !== undefined && next.startsWith(sun[1]);
}

function joinsNext(word: string): boolean {
  return LATIN_ABD.has(word) || LATIN_ABU.has(word) || ARABIC_JOINS_NEXT.has(word);
}

function joinPair(word: string, next: string): string {
  if (LATIN_ABD.has(word)) return `abdul${next}`;
  if (LATIN_ABU.has(word)) return `abu${next}`;
  // آلبو فلاسة: the family's article written onto بو; the article goes, as on any family name.
  if (word === 'البو') return `بو${next}`;
  return `${word}${next}`;
}

/** Compounds are joined within one script only: a word is never half Arabic, half Latin. */
function sameScript(word: string, other: string | undefined): boolean {
  return other !== undefined && isArabicWord(word) === isArabicWord(other);
}

/** Connectors and articles dropped, then compounds joined: one word per name. */
function nameWords(text: string): string[] {
  const kept = words(text).filter((word, index, all) => !isParticle(word, all[index - 1], all[index + 1]));
  const joined: string[] = [];
  for (let index = 0; index < kept.length; index++) {
    const word = kept[index] as string;
    const next = kept[index + 1];
    if (next !== undefined && joinsNext(word) && sameScript(word, next)) {
      joined.push(joinPair(word, next));
      index++;
    } else if (ARABIC_JOINS_PREVIOUS.has(word) && sameScript(word, joined.at(-1))) {
      joined.push(`${joined.pop()}${word}`);
    } else {
      joined.push(word);
    }
  }
  return joined;
}

/**
 * The article written onto a family name (الشامسي, Alshamsi, Al-Shamsi after the hyphen, Ash-shamsi,
 * Elsayed) is dropped, so that آل نهيان, ال نهيان, النهيان and نهيان, or Al Shamsi and Shamsi, are one
 * family name. Only on family names: given names such as العنود or Alia keep theirs. A short remainder
 * (الله, Alla, Allen) is not an article.
 */
function withoutArticle(word: string): string {
  let bare = word;
  for (;;) {
    const next = articleStripped(bare);
    if (next === bare) return bare;
    bare = next;
  }
}

function articleStripped(word: string): string {
  if (isArabicWord(word)) {
    return word.startsWith('ال') && word.length >= 5 && !ARABIC_ROOT_AL.has(word) ? word.slice(2) : word;
  }
  const plain = /^(?:al|el)(.{4,})$/u.exec(word);
  if (plain?.[1] !== undefined) return plain[1];
  const assimilated = /^[ae](sh|th|dh|[tdrzsn])(\1.{3,})$/u.exec(word);
  return assimilated?.[2] ?? word;
}

/** The rest of a joined Abdullah after "abd": Abdullah, Abdallah, Abdulla, Abdulah, Abdollah, Abdellah. */
const ALLAH_AFTER_ABD = /^(?:[aeou]ll?ah?|llah?)$/u;

/** The stem of a spaced Abd Allah, Abdul Lah. Not "ilah" (إله): Abdulilah is another name. */
const ALLAH_STEM = /^(?:[ae]?llah?|lah?)$/u;

/** عبد + one of God's names, romanised: one key per compound (Abdelrahman, Abdurrahman → abdulrahman). */
function abdCompound(rest: string): string {
  if (ALLAH_AFTER_ABD.test(rest)) return 'abdullah';
  const stem =
    /^[aeiou]l(.+)$/u.exec(rest)?.[1] ??
    /^[aeiou]((sh|th|dh|[tdrzsn])\2.+)$/u.exec(rest)?.[1]?.replace(/^(sh|th|dh|[tdrzsn])\1/u, '$1') ??
    /^[aeiou]((?:sh|th|dh|[tdrzsn]).+)$/u.exec(rest)?.[1] ??
    rest;
  if (ALLAH_STEM.test(stem)) return 'abdullah';
  return `abdul${ABD_STEMS.get(stem) ?? stem}`;
}

function latinKey(word: string, family: boolean): string {
  const bare = family ? withoutArticle(word) : word;
  const known = LATIN_KEYS.get(bare);
  if (known !== undefined) return known;
  return bare.startsWith('abd') && bare.length > 5 ? abdCompound(bare.slice(3)) : bare;
}

function wordKey(word: string, family: boolean): string {
  if (!isArabicWord(word)) return latinKey(word, family);
  const bare = family ? withoutArticle(word) : word;
  return ARABIC_KEYS.get(bare) ?? bare;
}

/** More passes than any name needs: each pass that changes a name joins words or reaches a table key. */
const MAX_PASSES = 8;

/**
 * Canonical words of one part; those from index `familyFrom` on are read as family names. The rules run
 * again on their own output until it stops changing, so that normalising is idempotent: a key from the
 * cross-script table can make a Latin compound with the Latin word before it (Abu + محمد → abumohammed).
 */
function partKeys(text: string, familyFrom: (count: number) => number): string {
  let current = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const parts = nameWords(current);
    const from = familyFrom(parts.length);
    const next = parts.map((word, index) => wordKey(word, index >= from)).join(' ');
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * A person's name as matching keys: each part folded, particles dropped, compounds joined, the family
 * name's article dropped, and each word replaced by the key of its name where a table knows it (in
 * either script). The full name (given + family when absent) reads its last word as the family name.
 */
export function normaliseName(name: PersonName): NormalisedName {
  return {
    given: partKeys(name.given, (count) => count),
    family: partKeys(name.family, () => 0),
    // Without a full name, given + family read as one: exactly what a record that spells it out gets.
    full: partKeys(name.full ?? `${name.given} ${name.family}`, (count) => count - 1),
  };
}
