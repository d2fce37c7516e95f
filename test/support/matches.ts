import { randomInt } from 'node:crypto';
import { CANARIES, minimalCaseBody } from './cases';
import { call } from './client';

/** Helpers for the matching tests: children no other test writes, cases about them, lookups. */

/** A date of birth no other file's cases use (they use 2015-03-02), random per call. */
export function randomBirthDate(): string {
  const year = randomInt(2006, 2024);
  const month = String(randomInt(1, 13)).padStart(2, '0');
  const day = String(randomInt(1, 29)).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

/** A random date of birth in another year than `date`'s: a lookup with it can match by neither date nor year. */
export function birthDateInAnotherYear(date: string): string {
  for (;;) {
    const other = randomBirthDate();
    if (other.slice(0, 4) !== date.slice(0, 4)) return other;
  }
}

/** A well-formed Emirates ID (784, a year, seven digits, a check digit), random per call. */
export function randomEmiratesId(): string {
  return `784-${randomInt(2006, 2024)}-${String(randomInt(0, 10_000_000)).padStart(7, '0')}-${randomInt(0, 10)}`;
}

export interface Child {
  name: { ar?: string; en?: string };
  dateOfBirth?: string;
  nationalId?: string;
}

/** A case body whose identity section is about `children`; the run's marker rides in each child's school. */
export function caseAbout(...children: Child[]) {
  const base = minimalCaseBody();
  return {
    ...base,
    sections: {
      ...base.sections,
      identity: { children: children.map((child) => ({ ...child, school: CANARIES.school })) },
    },
  };
}

export function lookup(token: string, body: unknown, purpose = 'criminal-investigation') {
  return call('POST', '/v1/matches', { token, user: 'officer-3', purpose, body });
}
