import * as z from 'zod';
import { PersonNameSchema } from '../cases/schemas';
import { AgencyIdSchema } from '../directory';
import { compoundInputs } from './blind-index';
import { normaliseBirthDate, normaliseBirthYear, normaliseNationalId } from './identifiers';
import { MAX_MATCHES } from './policy';
import { subjectsOf } from './subjects';

/** Digits in any of the scripts the normaliser reads (ASCII, Arabic-Indic, Persian). */
const DIGIT = '[0-9\u0660-\u0669\u06F0-\u06F9]';

/**
 * What a lookup says about the child: any of an Emirates ID, a name (Arabic, Latin or both) with a date
 * or a year of birth. It must give at least one usable compound (national id; name + date; name + year),
 * and every identifier it gives must normalise: a malformed one would silently match nothing.
 */
export const MatchBodySchema = z
  .strictObject({
    nationalId: z
      .string()
      .regex(/^[0-9\u0660-\u0669\u06F0-\u06F9 -]{5,30}$/, 'an Emirates ID: digits, hyphens, spaces')
      .optional(),
    name: PersonNameSchema.optional(),
    dateOfBirth: z
      .string()
      .regex(new RegExp(`^${DIGIT}{4}-${DIGIT}{2}-${DIGIT}{2}$`), 'a date YYYY-MM-DD')
      .optional(),
    birthYear: z
      .string()
      .regex(new RegExp(`^${DIGIT}{4}$`), 'a year YYYY')
      .optional(),
  })
  .superRefine((body, ctx) => {
    const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (body.nationalId !== undefined && normaliseNationalId(body.nationalId) === null)
      refuse('nationalId', 'not an Emirates ID (784, then 12 digits)');
    if (body.dateOfBirth !== undefined && normaliseBirthDate(body.dateOfBirth) === null)
      refuse('dateOfBirth', 'not a real date from 1900');
    if (body.birthYear !== undefined && normaliseBirthYear(body.birthYear) === null)
      refuse('birthYear', 'not a year from 1900');
    if (body.dateOfBirth !== undefined && body.birthYear !== undefined)
      refuse('birthYear', 'give the date of birth or the year, not both');
    if (matchSubjects(body).every((s) => compoundInputs(s).length === 0))
      refuse('name', 'give a national id, or a given and a family name with a date or year of birth');
  })
  .meta({ id: 'MatchLookup' });
export type MatchBody = z.infer<typeof MatchBodySchema>;

/** The subjects a lookup describes: one per script its name is written in. */
export function matchSubjects(body: MatchBody) {
  return subjectsOf(body.name, {
    ...(body.nationalId !== undefined ? { nationalId: body.nationalId } : {}),
    ...(body.dateOfBirth !== undefined ? { dateOfBirth: body.dateOfBirth } : {}),
    ...(body.birthYear !== undefined ? { birthYear: body.birthYear } : {}),
  });
}

/** How the holder's case was confirmed: by Emirates ID, by full name + date of birth, or by name + year. */
export const MATCH_STRENGTHS = ['exact-id', 'name-dob', 'name-year'] as const;
export type MatchStrength = (typeof MATCH_STRENGTHS)[number];

export const MatchSchema = z
  .strictObject({
    agency: AgencyIdSchema,
    caseId: z.uuid(),
    strength: z.enum(MATCH_STRENGTHS),
  })
  .meta({ id: 'Match' });
export type Match = z.infer<typeof MatchSchema>;

export const MatchListSchema = z
  .strictObject({ matches: z.array(MatchSchema).max(MAX_MATCHES) })
  .meta({ id: 'MatchList' });
export type MatchList = z.infer<typeof MatchListSchema>;
