import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { NoteView } from '../../src/domain/cases/schemas';
import { minimalCaseBody } from '../support/cases';
import { call, stack } from '../support/client';
import { auditEventsOf, createCase, localTables, MISSING_CASE, share } from '../support/exchange';
import { MAX_CASE_READ_BYTES } from '../support/json-bounds';
import { tokensFor } from '../support/tokens';

const [cfpc, police, compliance] = await tokensFor('cfpc', 'police', 'compliance');

const addNote = (token: string, caseId: string, text: string) =>
  call('POST', `/v1/cases/${caseId}/notes`, { token, body: { kind: 'update', text } });

const notesPage = (token: string, path: string) =>
  call('GET', path, { token, user: 'officer-3', purpose: 'criminal-investigation' });

/** Every note the caller may read, following `nextCursor` from the first page. */
async function allNotes(token: string, caseId: string): Promise<NoteView[]> {
  const notes: NoteView[] = [];
  let path: string | undefined = `/v1/cases/${caseId}/notes?limit=20`;
  while (path) {
    const page = await notesPage(token, path);
    expect(page.status, page.text).toBe(200);
    notes.push(...(page.json.items as NoteView[]));
    const cursor = page.json.nextCursor as string | undefined;
    path = cursor ? `/v1/cases/${caseId}/notes?limit=20&cursor=${cursor}` : undefined;
  }
  return notes;
}

/** Runs `count` calls, `width` at a time. */
async function inBatches<T>(count: number, width: number, make: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, i) => make(start + i));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

const arabic = (length: number) => 'ح'.repeat(length);
const latin = (length: number) => 'x'.repeat(length);

describe('notes of a case, bounded', () => {
  it('caps an agency at 200 notes a case, reads the newest 10 with the case and pages the rest', async () => {
    // Prepare: a case the police may read and add notes to.
    const caseId = await createCase(cfpc, minimalCaseBody());
    expect((await share(cfpc, caseId, { sections: ['report'] })).status).toBe(201);

    // Act
    const added = await inBatches(200, 8, (n) => addNote(police, caseId, `patrol ${n}`));
    const over = await addNote(police, caseId, 'one note too many');
    const owners = await inBatches(3, 3, (n) => addNote(cfpc, caseId, `centre ${n}`));
    const read = await notesPage(police, `/v1/cases/${caseId}`);
    const policeNotes = await allNotes(police, caseId);
    const centreNotes = await allNotes(cfpc, caseId);

    // Assess
    expect(added.every((response) => response.status === 201)).toBe(true);
    expect(over.status, over.text).toBe(422);
    expect(over.json.code).toBe('note-limit-reached');
    expect(owners.map((response) => response.status)).toEqual([201, 201, 201]);
    const readNotes = read.json.notes as NoteView[];
    expect(readNotes).toHaveLength(10);
    expect(readNotes.every((note) => note.agency === 'police')).toBe(true);
    expect(read.json.notesNext).toMatch(new RegExp(`^/v1/cases/${caseId}/notes\\?cursor=[\\w-]+$`));
    const linked = await notesPage(police, read.json.notesNext as string);
    expect((linked.json.items as NoteView[])[0]?.noteId).toBe(policeNotes[10]?.noteId);
    expect(policeNotes).toHaveLength(200);
    expect(new Set(policeNotes.map((note) => note.noteId)).size).toBe(200);
    expect(policeNotes.slice(0, 10)).toEqual(readNotes);
    const times = policeNotes.map((note) => note.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(centreNotes).toHaveLength(203);

    const events = await auditEventsOf(compliance, caseId);
    const listings = events.filter((event) => event.action === 'note.list');
    expect(listings.length).toBeGreaterThanOrEqual(10);
    expect(listings.every((event) => event.outcome === 200 && event.purpose !== undefined)).toBe(true);
  });

  it('reads the notes of a case stored before its note authors were kept, whoever added them', async () => {
    // Prepare: the police add a note; then the case is as one stored before (no note authors item),
    // and the Centre's note after that makes one that names the Centre alone.
    const caseId = await createCase(cfpc, minimalCaseBody());
    expect((await share(cfpc, caseId, { sections: ['report'] })).status).toBe(201);
    expect((await addNote(police, caseId, 'patrol sent')).status).toBe(201);
    await localTables().send(
      new DeleteCommand({ TableName: stack.tables.Cases, Key: { pk: `CASE#${caseId}`, sk: 'AUTHORS' } }),
    );
    expect((await addNote(cfpc, caseId, 'internal')).status).toBe(201);

    // Act
    const polices = await notesPage(police, `/v1/cases/${caseId}`);
    const centres = await notesPage(cfpc, `/v1/cases/${caseId}`);

    // Assess
    expect((polices.json.notes as NoteView[]).map((note) => note.text)).toEqual(['patrol sent']);
    expect((centres.json.notes as NoteView[]).map((note) => note.text)).toEqual(['internal', 'patrol sent']);
  });

  it('answers the notes of a case the caller may not see exactly as those of no case', async () => {
    const unshared = await createCase(cfpc, minimalCaseBody());

    const hidden = await notesPage(police, `/v1/cases/${unshared}/notes`);
    const missing = await notesPage(police, `/v1/cases/${MISSING_CASE}/notes`);
    const noPurpose = await call('GET', `/v1/cases/${unshared}/notes`, { token: cfpc });
    const foreignCursor = await notesPage(cfpc, `/v1/cases/${unshared}/notes?cursor=eyJwayI6IngifQ`);

    expect(hidden.status).toBe(404);
    expect(hidden.text).toBe(missing.text);
    expect(noPurpose.status).toBe(400);
    expect(foreignCursor.status).toBe(400);
  });

  it('keeps the largest case read within the bound the README states', async () => {
    // Prepare: every section near its limits (two PATCHes: a body is at most 256 KiB), and 11 long notes.
    const person = { ar: arabic(200), en: latin(200) };
    const caseId = await createCase(cfpc, {
      ...minimalCaseBody(),
      sections: {
        identity: {
          children: Array.from({ length: 20 }, () => ({
            name: person,
            nationality: latin(80),
            school: latin(200),
          })),
          familyMembers: Array.from({ length: 30 }, () => ({ name: person, relation: 'relative' })),
          addresses: Array.from({ length: 10 }, () => ({
            emirate: 'dubai',
            city: latin(80),
            notes: arabic(1000),
          })),
        },
        report: {
          receivedAt: '2026-11-20T08:15:00Z',
          channel: 'school',
          narrative: arabic(20_000),
          concerns: Array.from({ length: 20 }, () => latin(200)),
        },
        reporter: { anonymous: false, name: person, notes: arabic(5000) },
      },
    });
    const patch = (version: number, sections: Record<string, unknown>) =>
      call('PATCH', `/v1/cases/${caseId}`, {
        token: cfpc,
        body: { sections },
        headers: { 'if-match': `"${version}"` },
      });
    const assessment = {
      riskLevel: 'high',
      summary: latin(10_000),
      findings: Array.from({ length: 50 }, () => latin(2000)),
      recommendations: latin(10_000),
    };
    const action = { at: '2026-11-21T10:00:00Z', action: latin(2000), outcome: latin(2000) };
    const policeSection = { actions: Array.from({ length: 28 }, () => action), outcome: latin(5000) };
    expect((await patch(1, { assessment })).status).toBe(200);
    expect((await patch(2, { police: policeSection })).status).toBe(200);
    await inBatches(11, 4, () => addNote(cfpc, caseId, arabic(10_000)));

    // Act
    const read = await call('GET', `/v1/cases/${caseId}`, { token: cfpc, purpose: 'child-protection' });

    // Assess
    expect(read.status).toBe(200);
    const bytes = Buffer.byteLength(read.text, 'utf8');
    expect(bytes).toBeGreaterThan(500_000);
    expect(bytes).toBeLessThanOrEqual(MAX_CASE_READ_BYTES);
    expect(read.json.notes).toHaveLength(10);
    expect(read.json.notesNext).toBeDefined();
  });
});
