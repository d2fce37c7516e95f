import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { CheckpointArchive } from '../domain/audit/ports';
import { ArchiveConflictError } from '../domain/audit/sealer';

/**
 * Write-once archives of signed checkpoints. Entry names come from `archiveName` (size, then time), so
 * the greatest name is the newest checkpoint of the largest tree. Writing an entry again with the same
 * note is accepted (a retried seal); with another note it is refused, so history cannot be rewritten
 * through the archive.
 */
const ENTRY_NAME = /^\d{16}-[0-9TZ]+\.txt$/;

function checkName(name: string): string {
  if (!ENTRY_NAME.test(name)) throw new RangeError(`not an archive entry name: ${name.slice(0, 80)}`);
  return name;
}

/**
 * Locally: one file per checkpoint in a folder, created exclusively ('wx') and made read-only.
 */
export function folderCheckpointArchive(directory: string): CheckpointArchive {
  return {
    async put({ name, note }) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const file = join(directory, checkName(name));
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(file, 'wx', 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if ((await readFile(file, 'utf8')) !== note) throw new ArchiveConflictError(name);
        return;
      }
      try {
        await handle.writeFile(note, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(file, 0o400);
    },

    async latest(after) {
      let names: string[];
      try {
        names = (await readdir(directory)).filter((name) => ENTRY_NAME.test(name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const newest = names
        .filter((name) => after === undefined || name > after)
        .sort()
        .at(-1);
      return newest ? { name: newest, note: await readFile(join(directory, newest), 'utf8') } : undefined;
    },
  };
}

/**
 * In AWS: an S3 bucket with Object Lock (default retention in COMPLIANCE mode, set on the bucket by the
 * stack), written with `If-None-Match: *` so that an existing key is never overwritten, not even by a
 * new version.
 */
export function s3CheckpointArchive(
  client: S3Client,
  bucket: string,
  prefix = 'checkpoints/',
): CheckpointArchive {
  const read = async (key: string): Promise<string> => {
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await result.Body?.transformToString('utf-8')) ?? '';
  };
  return {
    async put({ name, note }) {
      const key = `${prefix}${checkName(name)}`;
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: note,
            ContentType: 'text/plain; charset=utf-8',
            IfNoneMatch: '*',
            // Object Lock needs an integrity checksum on every put.
            ChecksumAlgorithm: 'SHA256',
          }),
        );
      } catch (error) {
        const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
        // 412: the key exists; 409: a concurrent put of the same key is in flight.
        if (status !== 412 && status !== 409) throw error;
        let existing: string;
        try {
          existing = await read(key);
        } catch (readError) {
          if (readError instanceof NoSuchKey) throw error;
          throw readError;
        }
        if (existing !== note) throw new ArchiveConflictError(name);
      }
    },

    async latest(after) {
      let newest: string | undefined;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(after ? { StartAfter: `${prefix}${after}` } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(prefix.length);
          if (name && ENTRY_NAME.test(name) && (newest === undefined || name > newest)) newest = name;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return newest ? { name: newest, note: await read(`${prefix}${newest}`) } : undefined;
    },
  };
}
