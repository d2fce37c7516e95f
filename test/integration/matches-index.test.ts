import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/bootstrap';
import { type Gateway, type LambdaHandler, startGateway } from '../../local/gateway';
import { openIssuer } from '../../local/issuer';
import { runKeysCli } from '../../scripts/keys/cli';
import { caseKey, INDEXES, tokenPartition } from '../../src/adapters/dynamodb/cases-layout';
import { CASES_TABLE } from '../../src/adapters/table-definitions';
import { type Directory, DirectorySchema } from '../../src/domain/directory';
import { truncatedKey } from '../../src/domain/matching/case-index';
import { identityInputs } from '../../src/domain/matching/subjects';
import { stack } from '../support/client';
import { fetchChecked } from '../support/contract';
import { localTables } from '../support/exchange';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { localDynamoDb } from '../support/local-dynamodb';
import { type Child, caseAbout, randomBirthDate, randomEmiratesId } from '../support/matches';

/**
 * The blind index beneath the API, on a gateway of this file's own over the shared tables: its functions
 * reach KMS through a proxy that counts their `GenerateMac` calls, size the index for 2^33 records (full
 * 32-bit keys, so that no other case shares a key with this file's children), and allow 5 lookups a
 * minute to agencies added for this run alone (no other file moves their counts).
 */
const SEARCHER = `searcher-${randomBytes(4).toString('hex')}`;
const LIMITED = `limited-${randomBytes(4).toString('hex')}`;
const BITS = 32;
const LIMIT = 5;
let gateway: Gateway;
let kms: FaultProxy;
let kmsClient: KMSClient;
const tokens: Record<string, string> = {};

async function send(agency: string, method: string, path: string, body?: unknown, headers = {}) {
  const response = await fetchChecked(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[agency]}`,
      'x-himaya-user': 'officer-5',
      'x-himaya-purpose': 'child-protection',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text || '{}') };
}

const macCalls = () => kms.calls().filter((call) => call.target === 'TrentService.GenerateMac').length;

/** The lookup keys a child's identity is indexed under, computed here with the deployment's HMAC key. */
async function keysOf(...children: Child[]): Promise<string[]> {
  const inputs = identityInputs(caseAbout(...children).sections.identity as never);
  return Promise.all(
    inputs.map(async ({ index, input }) => {
      const { Mac } = await kmsClient.send(
        new GenerateMacCommand({
          KeyId: stack.environment.HMAC_KEY_ARN,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: new TextEncoder().encode(input),
        }),
      );
      return truncatedKey(index, Mac as Uint8Array, BITS);
    }),
  );
}

async function entriesUnder(key: string, table = stack.tables.Cases) {
  const page = await localTables().send(
    new QueryCommand({
      TableName: table,
      IndexName: INDEXES.byToken,
      KeyConditionExpression: 'gsi6pk = :key',
      ExpressionAttributeValues: { ':key': tokenPartition(key) },
    }),
  );
  const items = page.Items ?? [];
  // The index projects only the owner and the sealed pointer: read each entry whole from the table.
  return Promise.all(
    items.map(async (item) => {
      const got = await localTables().send(
        new GetCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }),
      );
      return got.Item as Record<string, unknown>;
    }),
  );
}

const caseItem = async (caseId: string, table = stack.tables.Cases) =>
  (await localTables().send(new GetCommand({ TableName: table, Key: caseKey(caseId) }))).Item;

describe('the blind index beneath POST /v1/matches', () => {
  beforeAll(async () => {
    const deployed = DirectorySchema.parse(JSON.parse(stack.environment.AGENCY_DIRECTORY ?? ''));
    const added = [SEARCHER, LIMITED];
    const directory: Directory = {
      ...deployed,
      agencies: [
        ...deployed.agencies,
        ...added.map((id) => ({ id, name: { en: id, ar: id }, kind: 'police' as const })),
      ],
      clients: [
        ...deployed.clients,
        ...added.map((id) => ({ id, agency: id, scopes: ['exchange' as const] })),
      ],
    };
    kms = await startFaultProxy(stack.kms);
    Object.assign(process.env, stack.environment, {
      AGENCY_DIRECTORY: JSON.stringify(directory),
      KMS_ENDPOINT: kms.url,
      MATCH_EXPECTED_RECORDS: String(2 ** 33),
      MATCH_LOOKUPS_PER_MINUTE: String(LIMIT),
    });
    const issuer = await openIssuer(stack.issuerKeyFile, directory);
    gateway = await startGateway({
      port: 0,
      issuer,
      loadHandler: async (fn) =>
        ((await import(`../../functions/${fn}.ts`)) as { handler: LambdaHandler }).handler,
    });
    for (const agency of ['cfpc', ...added]) tokens[agency] = await issuer.issue(agency);
    kmsClient = new KMSClient({ region: stack.environment.AWS_REGION, endpoint: stack.kms });
  });

  afterAll(async () => {
    await gateway?.close();
    await kms?.close();
    kmsClient?.destroy();
  });

  it('writes one entry per index input with the case, replaces them on an identity update, removes them with it', async () => {
    // Prepare
    const first: Child = {
      name: { ar: 'حصة علي الظاهري', en: 'Hessa Ali Al Dhaheri' },
      dateOfBirth: randomBirthDate(),
      nationalId: randomEmiratesId(),
    };
    const second: Child = { name: { ar: 'شما علي الظاهري' }, dateOfBirth: randomBirthDate() };
    const [firstKeys, secondKeys] = [await keysOf(first), await keysOf(second)];
    kms.reset();

    // Act
    const created = await send('cfpc', 'POST', '/v1/cases', caseAbout(first));
    const caseId = created.json.caseId as string;
    const macsOfCreate = macCalls();
    const afterCreate = await Promise.all(firstKeys.map((key) => entriesUnder(key)));
    const refsAfterCreate = (await caseItem(caseId))?.indexRefs;
    kms.reset();
    const patch = (version: number, identity: unknown) =>
      send(
        'cfpc',
        'PATCH',
        `/v1/cases/${caseId}`,
        { sections: { identity } },
        { 'if-match': `"${version}"` },
      );
    const updated = await patch(1, caseAbout(second).sections.identity);
    const macsOfUpdate = macCalls();
    const oldAfterUpdate = await Promise.all(firstKeys.map((key) => entriesUnder(key)));
    const newAfterUpdate = await Promise.all(secondKeys.map((key) => entriesUnder(key)));
    const removed = await patch(2, null);
    const afterRemoval = await Promise.all(secondKeys.map((key) => entriesUnder(key)));
    const itemAfterRemoval = await caseItem(caseId);

    // Assess: national-id, name-dob and name-year; both scripts give the same name keys here
    expect(created.status).toBe(201);
    expect(firstKeys).toHaveLength(3);
    expect(macsOfCreate).toBe(3);
    for (const entries of afterCreate) {
      expect(entries).toHaveLength(1);
      const entry = entries[0] as Record<string, unknown>;
      // Nothing on an entry names its case or links it to the case's other entries.
      expect(Object.keys(entry).sort()).toEqual([
        'gsi6pk',
        'gsi6sk',
        'ownerAgency',
        'pk',
        'sealed',
        'sk',
        'type',
      ]);
      expect(entry.ownerAgency).toBe('cfpc');
      expect(JSON.stringify(entry)).not.toContain(caseId);
      expect(Buffer.from(entry.sealed as Uint8Array).includes(caseId)).toBe(false);
    }
    expect(refsAfterCreate).toBeInstanceOf(Uint8Array);
    expect(updated.status).toBe(200);
    expect(macsOfUpdate).toBe(secondKeys.length);
    expect(oldAfterUpdate.every((entries) => entries.length === 0)).toBe(true);
    expect(newAfterUpdate.map((entries) => entries.length)).toEqual(secondKeys.map(() => 1));
    expect(removed.status).toBe(200);
    expect(afterRemoval.every((entries) => entries.length === 0)).toBe(true);
    expect(itemAfterRemoval?.indexRefs).toBeUndefined();
  });

  it('makes one GenerateMac per index probed, no more', async () => {
    // Prepare
    const child: Child = {
      name: { ar: 'عائشة محمد الحمادي', en: 'Aisha Mohammed Al Hammadi' },
      dateOfBirth: randomBirthDate(),
      nationalId: randomEmiratesId(),
    };
    const created = await send('cfpc', 'POST', '/v1/cases', caseAbout(child));
    kms.reset();

    // Act
    const all = await send(SEARCHER, 'POST', '/v1/matches', child);
    const macsOfAll = macCalls();
    kms.reset();
    const byId = await send(SEARCHER, 'POST', '/v1/matches', { nationalId: child.nationalId });
    const macsOfId = macCalls();
    kms.reset();
    const byYear = await send(SEARCHER, 'POST', '/v1/matches', {
      name: { en: 'Aisha Al Hammadi' },
      birthYear: child.dateOfBirth?.slice(0, 4),
    });
    const macsOfYear = macCalls();

    // Assess: id, name + date, name + year; the two scripts of one name probe the same inputs once
    expect(all.json.matches).toEqual([{ agency: 'cfpc', caseId: created.json.caseId, strength: 'exact-id' }]);
    expect(macsOfAll).toBe(3);
    expect(byId.json.matches).toHaveLength(1);
    expect(macsOfId).toBe(1);
    expect(byYear.json.matches).toHaveLength(1);
    expect(macsOfYear).toBe(1);
  });

  it('npm run reindex: rebuilds the entries of a case written without them, in a table of its own', async () => {
    // Prepare: a copy of a created case in a Cases table of this test alone (a re-index of the shared
    // table would renew every other file's entries), without its list of entries, as before matching
    const child: Child = { name: { ar: 'موزة سعيد الكعبي' }, dateOfBirth: randomBirthDate() };
    const created = await send('cfpc', 'POST', '/v1/cases', caseAbout(child));
    const original = await caseItem(created.json.caseId as string);
    const copyTable = `cases-reindex-${randomBytes(4).toString('hex')}`;
    const dynamodb = localDynamoDb(stack);
    await ensureTable(dynamodb, CASES_TABLE, copyTable);
    const { indexRefs: _dropped, ...withoutRefs } = original as Record<string, unknown>;
    await localTables().send(new PutCommand({ TableName: copyTable, Item: withoutRefs }));
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await runKeysCli(
      ['reindex'],
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      {
        ...stack.environment,
        CASES_TABLE: copyTable,
        MATCH_EXPECTED_RECORDS: String(2 ** 33),
      },
    );
    const entries = await Promise.all((await keysOf(child)).map((key) => entriesUnder(key, copyTable)));
    const copied = await caseItem(created.json.caseId as string, copyTable);
    await dynamodb.send(new DeleteTableCommand({ TableName: copyTable }));
    dynamodb.destroy();

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      '1 cases read, 1 re-indexed (32-bit keys), 0 changed meanwhile (indexed by that change)',
    ]);
    expect(entries.map((found) => found.length)).toEqual([1, 1]);
    expect(copied?.indexRefs).toBeInstanceOf(Uint8Array);
  });

  it('answers 429 with Retry-After once an agency has made its lookups of the minute', async () => {
    // Act: at most two minutes' worth, should a minute end between two calls
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 2 * LIMIT + 1 && !refused; i++) {
      const answer = await send(LIMITED, 'POST', '/v1/matches', { nationalId: randomEmiratesId() });
      statuses.push(answer.status);
      if (answer.status === 429) refused = answer;
    }

    // Assess
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(LIMIT);
    expect(refused?.json.code).toBe('match-rate-limited');
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
