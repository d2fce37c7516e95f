import * as z from 'zod';

/**
 * How large a case may grow, and how much of it one response carries. Together with the schemas' bounds
 * they cap every case response well under Lambda's 6 MB payload (see the README, "Bounded growth").
 */

/** The JSON of one section, as stored encrypted and returned: at most this many bytes (UTF-8). */
export const MAX_SECTION_BYTES = 128 * 1024;
/** A note's text, in characters, before and after Unicode normalisation. */
export const MAX_NOTE_CHARACTERS = 10_000;
/** The most notes a case read carries (the newest); the rest are paged by `GET …/notes`. */
export const MAX_NOTES_IN_CASE_READ = 10;
/** The largest page of `GET /v1/cases/{caseId}/notes`. */
export const MAX_NOTES_PAGE = 20;

export interface NotesPolicy {
  /** Notes one agency may add to one case. */
  maxPerAgency: number;
  /** Notes a case read carries, newest first. */
  inCaseRead: number;
}

export const DEFAULT_NOTES_POLICY: NotesPolicy = { maxPerAgency: 200, inCaseRead: MAX_NOTES_IN_CASE_READ };

/** `NOTES_PER_AGENCY` (1–10,000) and `CASE_READ_NOTES` (1–10); invalid fails the function at cold start. */
export const NotesPolicyEnvSchema = z.object({
  NOTES_PER_AGENCY: z.coerce.number().int().min(1).max(10_000).optional(),
  CASE_READ_NOTES: z.coerce.number().int().min(1).max(MAX_NOTES_IN_CASE_READ).optional(),
});

export function notesPolicyFromEnvironment(env: z.infer<typeof NotesPolicyEnvSchema>): NotesPolicy {
  return {
    maxPerAgency: env.NOTES_PER_AGENCY ?? DEFAULT_NOTES_POLICY.maxPerAgency,
    inCaseRead: env.CASE_READ_NOTES ?? DEFAULT_NOTES_POLICY.inCaseRead,
  };
}
