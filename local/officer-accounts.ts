import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';
import { UserHeaderSchema } from '../src/http/schemas';

/**
 * The demo compliance officers who sign in to the console locally, as people in the officers' Cognito user
 * pool do in AWS. Their passwords are random per data directory, so that no password is in the repo, and
 * kept in a file only its owner can read.
 */
export const OFFICERS_FILE = 'console-officers.json';
export const DEMO_OFFICERS = ['amal.officer', 'salem.officer'] as const;
/** The Cognito group every officer belongs to (the group the stack creates). */
export const OFFICERS_GROUP = 'compliance-officers';

const OfficerSchema = z.strictObject({
  username: UserHeaderSchema,
  password: z.string().min(16).max(128),
  sub: z.uuid(),
});
const OfficersFileSchema = z.strictObject({ officers: z.array(OfficerSchema).min(1) });
export type OfficerAccount = z.infer<typeof OfficerSchema>;

export interface OfficerAccounts {
  readonly accounts: readonly OfficerAccount[];
  /** The account when the password is its own; compared in constant time, whichever name is given. */
  check(username: string, password: string): OfficerAccount | undefined;
}

function newAccounts(): z.infer<typeof OfficersFileSchema> {
  return {
    officers: DEMO_OFFICERS.map((username) => ({
      username,
      password: randomBytes(18).toString('base64url'),
      sub: randomUUID(),
    })),
  };
}

async function readAccounts(file: string): Promise<z.infer<typeof OfficersFileSchema> | undefined> {
  try {
    const parsed = OfficersFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    // Whoever copied the file may have loosened it: it holds passwords.
    await chmod(file, 0o600);
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} is not a valid officers file; delete it to make new passwords`, {
      cause: error,
    });
  }
}

async function loadOrCreate(file: string): Promise<z.infer<typeof OfficersFileSchema>> {
  const existing = await readAccounts(file);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const created = newAccounts();
  try {
    // 'wx': if another process created it first, use theirs.
    await writeFile(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readAccounts(file)) ?? created;
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal strings, in a time that does not depend on where they differ or on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export async function openOfficerAccounts(file: string): Promise<OfficerAccounts> {
  const { officers } = await loadOrCreate(file);
  // An unknown name is compared against this, so that it takes as long as a known one.
  const nobody = randomBytes(18).toString('base64url');
  return {
    accounts: officers,
    check(username, password) {
      const account = officers.find((officer) => officer.username === username);
      const matches = constantTimeEqual(password, account?.password ?? nobody);
      return account && matches ? account : undefined;
    },
  };
}
