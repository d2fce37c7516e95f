import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * DynamoDB Local cannot be bound to 127.0.0.1 and checks no signature, but without `-sharedDb` it keeps
 * one database per access key id and region. So the local stack uses an access key id made at random,
 * once per installation, and kept in `.himaya/` readable by its owner only: a client on the network with
 * any other credentials finds an empty database, not our tables.
 */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const CREDENTIALS_FILE = 'dynamodb-credentials.json';

/** DynamoDB Local takes access key ids of letters and digits only. */
const CredentialsSchema = z.strictObject({
  accessKeyId: z.string().regex(/^[A-Z0-9]{20}$/),
  secretAccessKey: z.string().regex(/^[A-Za-z0-9]{40}$/),
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `length` characters of `alphabet`, without modulo bias (bytes past the last whole multiple are dropped). */
function randomText(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && text.length < length) text += alphabet[byte % alphabet.length];
    }
  }
  return text;
}

export function newLocalCredentials(): LocalCredentials {
  return {
    accessKeyId: `HIMAYA${randomText(14, ALPHABET)}`,
    secretAccessKey: randomText(40, `${ALPHABET}abcdefghijklmnopqrstuvwxyz`),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * An installation whose DynamoDB Local ran with `-sharedDb` kept its tables in `shared-local-instance.db`;
 * DynamoDB Local now looks for `<access key id>_<region>.db`, so the first start with credentials of its
 * own moves that file there instead of starting empty.
 */
async function adoptSharedDatabase(dynamodbDir: string, credentials: LocalCredentials, region: string) {
  const shared = join(dynamodbDir, 'shared-local-instance.db');
  const own = join(dynamodbDir, `${credentials.accessKeyId}_${region}.db`);
  if ((await exists(shared)) && !(await exists(own))) await rename(shared, own);
}

/**
 * The installation's credentials from `dataDir`, made (mode 0600) on the first start. With `dynamodbDir`
 * a database left by an older `-sharedDb` run is taken over.
 */
export async function installationCredentials(
  dataDir: string,
  options: { dynamodbDir?: string; region: string },
): Promise<LocalCredentials> {
  const file = join(dataDir, CREDENTIALS_FILE);
  if (await exists(file)) return CredentialsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const credentials = newLocalCredentials();
  if (options.dynamodbDir) await adoptSharedDatabase(options.dynamodbDir, credentials, options.region);
  // `wx`: two first starts at once cannot both write; the loser fails rather than overwrite.
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return credentials;
}
