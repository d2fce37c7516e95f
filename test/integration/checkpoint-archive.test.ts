import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderCheckpointArchive } from '../../src/adapters/checkpoint-archive';
import { ArchiveConflictError, archiveName } from '../../src/domain/audit/sealer';

describe('the local checkpoint archive', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'himaya-archive-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes each checkpoint once, read-only, and accepts the same note again', async () => {
    const archive = folderCheckpointArchive(directory);
    const name = archiveName(12, '2026-11-20T08:00:00.123Z');

    await archive.put({ name, note: 'note 12\n' });
    await archive.put({ name, note: 'note 12\n' });

    expect(name).toBe('0000000000000012-20261120T080000123Z.txt');
    expect((await stat(join(directory, name))).mode & 0o777).toBe(0o400);
    expect(await archive.latest()).toEqual({ name, note: 'note 12\n' });
  });

  it('refuses to rewrite an entry with another note', async () => {
    const archive = folderCheckpointArchive(directory);
    const name = archiveName(12, '2026-11-20T08:00:00.123Z');
    await archive.put({ name, note: 'note 12\n' });

    await expect(archive.put({ name, note: 'forged\n' })).rejects.toBeInstanceOf(ArchiveConflictError);
  });

  it('finds the entry of the largest tree, then the latest time, ignoring other files', async () => {
    const archive = folderCheckpointArchive(directory);
    await archive.put({ name: archiveName(9, '2026-11-20T09:00:00.000Z'), note: 'a\n' });
    await archive.put({ name: archiveName(10, '2026-11-20T08:00:00.000Z'), note: 'b\n' });
    await archive.put({ name: archiveName(10, '2026-11-20T08:05:00.000Z'), note: 'c\n' });
    await writeFile(join(directory, 'notes.md'), 'not a checkpoint');

    const latest = await archive.latest();
    const after = await archive.latest(archiveName(10, '2026-11-20T08:05:00.000Z'));

    expect(latest?.note).toBe('c\n');
    expect(after).toBeUndefined();
  });

  it('has no entry before the first checkpoint', async () => {
    const archive = folderCheckpointArchive(join(directory, 'not-yet'));

    expect(await archive.latest()).toBeUndefined();
  });
});
