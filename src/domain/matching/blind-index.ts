import { normaliseBirthDate, normaliseBirthYear, normaliseNationalId } from './identifiers';
import { NORMALISER_VERSION, normaliseName, type PersonName } from './normalise-name';

/** What a lookup or a stored case says about the child; any identifier may be missing. */
export interface MatchSubject extends PersonName {
  nationalId?: string;
  /** ISO `YYYY-MM-DD`. */
  dateOfBirth?: string;
  /** `YYYY`, when only the year is known; the date of birth gives it otherwise. */
  birthYear?: string;
}

export const BLIND_INDEX_NAMES = ['national-id', 'name-dob', 'name-year'] as const;
export type BlindIndexName = (typeof BLIND_INDEX_NAMES)[number];

/** The MAC input for one index: never a low-entropy field alone (a year, a date, a family name). */
export interface BlindIndexInput {
  index: BlindIndexName;
  input: string;
}

/**
 * Domain separation: the application, "blind index", the input layout version, the index and the
 * normaliser version, so that no two indexes (or two normaliser versions) can produce the same input.
 */
export const BLIND_INDEX_PREFIX = 'himaya/bi/v1';

function blindIndexInput(index: BlindIndexName, ...values: string[]): BlindIndexInput {
  return { index, input: [BLIND_INDEX_PREFIX, index, NORMALISER_VERSION, ...values].join('|') };
}

/**
 * The inputs of the compound indexes the subject has values for: `national-id` (the 15 digits);
 * `name-dob` (full name | date of birth); `name-year` (given and family name | year of birth). A name
 * index needs both a given and a family name left after normalising. Identifiers that do not normalise
 * (see identifiers.ts) give no input: the caller refuses them before asking (a 400), it does not match
 * on less. Normalised names contain no `|`, so the fields cannot run into each other.
 */
export function compoundInputs(subject: MatchSubject): BlindIndexInput[] {
  const inputs: BlindIndexInput[] = [];
  const nationalId = subject.nationalId === undefined ? null : normaliseNationalId(subject.nationalId);
  if (nationalId !== null) inputs.push(blindIndexInput('national-id', nationalId));
  const name = normaliseName(subject);
  if (name.given === '' || name.family === '') return inputs;
  const dateOfBirth = subject.dateOfBirth === undefined ? null : normaliseBirthDate(subject.dateOfBirth);
  if (dateOfBirth !== null) inputs.push(blindIndexInput('name-dob', name.full, dateOfBirth));
  const year =
    dateOfBirth?.slice(0, 4) ??
    (subject.birthYear === undefined ? null : normaliseBirthYear(subject.birthYear));
  if (year !== null) inputs.push(blindIndexInput('name-year', `${name.given} ${name.family}`, year));
  return inputs;
}

/** Expected unrelated candidates per lookup and index that truncation aims at (CipherSweet: at least 2). */
export const MIN_COINCIDENCES = 2;

/**
 * How many bits of each HMAC-SHA-256 token the index keeps, for an expected number of indexed records.
 *
 * A truncated token must collide: if every child had a token of its own, the index alone would tell who
 * is who (and let anyone holding it count and link records). CipherSweet's planner counts the expected
 * coincidences C = R / 2^L for R records and L bits, and keeps C ≥ 2. So L = floor(log2(R / 2)), which
 * gives 2 ≤ C < 4 unrelated candidates per lookup and index (about log2(R) − 1 bits): enough cover, and
 * few enough that confirming each candidate against its full token (kept in the encrypted identity
 * section) stays cheap. At least 1 bit; at most 256, the MAC's length.
 */
export function tokenTruncation(expectedRecords: number): number {
  if (!Number.isInteger(expectedRecords) || expectedRecords < 1) {
    throw new RangeError('expectedRecords must be a positive integer');
  }
  const bits = Math.floor(Math.log2(expectedRecords / MIN_COINCIDENCES));
  return Math.min(256, Math.max(1, bits));
}
