import type { Sections } from '../cases/schemas';
import { type BlindIndexInput, compoundInputs, type MatchSubject } from './blind-index';
import { normaliseName, type PersonName } from './normalise-name';

/** A name as written in one script ("عبد الله بن سالم الشامسي"), with no given/family split given. */
export interface WrittenName {
  ar?: string | undefined;
  en?: string | undefined;
}

/**
 * A whole written name read as given + family: the first and last canonical words of the normalised
 * full name (so that عبد الله or "Abdul Rahman" is one given name, and آل نهيان one family name). The
 * normaliser is idempotent, so normalising these words again inside `compoundInputs` changes nothing.
 */
export function personOf(written: string): PersonName {
  const words = normaliseName({ given: '', family: '', full: written }).full.split(' ').filter(Boolean);
  if (words.length < 2) return { given: '', family: '', full: written };
  return { given: words[0] as string, family: words.at(-1) as string, full: written };
}

/** One subject per script the name is written in; each carries the same identifiers. */
export function subjectsOf(
  name: WrittenName | undefined,
  ids: Omit<MatchSubject, 'given' | 'family' | 'full'>,
): MatchSubject[] {
  const written = [name?.ar, name?.en].filter((text): text is string => text !== undefined);
  if (written.length === 0) return [{ given: '', family: '', ...ids }];
  return written.map((text) => ({ ...personOf(text), ...ids }));
}

/** The distinct blind-index inputs of several subjects, first seen first. */
export function distinctInputs(subjects: readonly MatchSubject[]): BlindIndexInput[] {
  const seen = new Map<string, BlindIndexInput>();
  for (const subject of subjects) {
    for (const entry of compoundInputs(subject)) if (!seen.has(entry.input)) seen.set(entry.input, entry);
  }
  return [...seen.values()];
}

/**
 * What a case's identity section is indexed under: each child (not the family members: a match is about
 * the child), in each script its name is written in, with its national id and date of birth.
 */
export function identityInputs(identity: Sections['identity']): BlindIndexInput[] {
  if (!identity) return [];
  return distinctInputs(
    identity.children.flatMap((child) =>
      subjectsOf(child.name, {
        ...(child.nationalId !== undefined ? { nationalId: child.nationalId } : {}),
        ...(child.dateOfBirth !== undefined ? { dateOfBirth: child.dateOfBirth } : {}),
      }),
    ),
  );
}
