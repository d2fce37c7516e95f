import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type BundleEntries,
  type BundleWrite,
  decodeEntryBundle,
  encodeEntryBundle,
} from '../../domain/audit/entry-bundles';
import type { AuditEvent } from '../../domain/audit/event';
import { frontierFromHashes } from '../../domain/audit/merkle/compact-range';
import { MerkleTreeError } from '../../domain/audit/merkle/errors';
import { HASH_SIZE, hashesEqual } from '../../domain/audit/merkle/hashing';
import type {
  CommitOutcome,
  Leaf,
  StoredCheckpoint,
  TreeCommit,
  TreeHead,
  TreeReader,
  TreeStore,
} from '../../domain/audit/ports';
import { EMPTY_HEAD, headFromFrontier, TreeIntegrityError } from '../../domain/audit/sealer';
import { type TileHashes, type TileRef, type TileWrite, tileKey } from '../../domain/audit/tiles';
import { eventFromItem, eventKey, LOG_PARTITION } from './audit-store';
import { type TransactItem, transactWrite } from './transactions';

/**
 * Tree state lives in the AuditLog table beside the events; only the sealer writes it.
 *
 * - head: `pk = TREE`, `sk = HEAD`: `size`, `frontier` (list of 32-byte binaries, largest subtree first),
 *   `rootHash` (follows from the frontier; kept for people reading the table, and checked on read),
 *   `updatedAt`. Every commit is conditional on `size` and `rootHash` being what it was computed from.
 * - tiles: `pk = TILE#<row>#<index>`, `sk = TILE`: `width` and `hashes` (32 * width bytes); see tiles.ts.
 *   A commit that extends a tile is conditional on its width.
 * - entry bundles: `pk = ENTRIES#<index>`, `sk = ENTRIES`: `width` and `entries`, the tlog-tiles encoding
 *   of the leaves' canonical bytes (entry-bundles.ts), raw-deflated (JSON compresses about fivefold, which
 *   keeps 256 events well inside DynamoDB's 400 KB items and each rewrite of a partial bundle cheap).
 *   Conditional on its width, like a tile.
 * - checkpoints: `pk = CHECKPOINT`, `sk = <size, 16 digits>#<signedAt>`: `size`, `rootHash`, `note` (the
 *   signed note), `signedAt`, `keyName`, `publicKey` (PEM), `archiveName`. The newest is the last key.
 * - events (`pk = EVENT#<eventId>`, audit-store.ts) gain `leafIndex` in the commit that seals them, on the
 *   condition that they have none.
 *
 * None of these items has index keys, so event listings never show them. Request functions may only put
 * `EVENT#` items (IAM `dynamodb:LeadingKeys`); the sealer's role is the only one that writes the others.
 */
const HEAD_KEY = { pk: 'TREE', sk: 'HEAD' };
const CHECKPOINT_PARTITION = 'CHECKPOINT';
/** DynamoDB's limits: items per transaction and keys per BatchGetItem. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_BATCH_GET = 100;

const tileItemKey = (tile: TileRef) => ({ pk: `TILE#${tile.level}#${tile.index}`, sk: 'TILE' });
const bundleItemKey = (index: number) => ({ pk: `ENTRIES#${index}`, sk: 'ENTRIES' });

/** A bundle item's entries, or undefined when it is malformed (as a missing one: the caller reports it). */
function bundleFromItem(
  item: Record<string, unknown>,
): { index: number; entries: BundleEntries } | undefined {
  const match = /^ENTRIES#(\d+)$/.exec(String(item.pk));
  if (!match || !(item.entries instanceof Uint8Array)) return undefined;
  try {
    const entries = decodeEntryBundle(new Uint8Array(inflateRawSync(item.entries)));
    return entries.length === Number(item.width) ? { index: Number(match[1]), entries } : undefined;
  } catch {
    return undefined;
  }
}

function concat(hashes: TileHashes): Uint8Array {
  const bytes = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((hash, i) => {
    bytes.set(hash, i * HASH_SIZE);
  });
  return bytes;
}

function split(bytes: Uint8Array): Uint8Array[] {
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += HASH_SIZE)
    hashes.push(bytes.slice(offset, offset + HASH_SIZE));
  return hashes;
}

function headFromItem(item: Record<string, unknown> | undefined): TreeHead {
  if (!item) return EMPTY_HEAD;
  try {
    const size = item.size;
    const frontier = item.frontier;
    if (
      typeof size !== 'number' ||
      !Array.isArray(frontier) ||
      !frontier.every((h) => h instanceof Uint8Array)
    ) {
      throw new MerkleTreeError('the tree head item is malformed');
    }
    const head = headFromFrontier(frontierFromHashes(size, frontier));
    if (!(item.rootHash instanceof Uint8Array) || !hashesEqual(item.rootHash, head.rootHash)) {
      throw new MerkleTreeError('the root hash of the tree head does not follow from its frontier');
    }
    return head;
  } catch (error) {
    if (error instanceof MerkleTreeError)
      throw new TreeIntegrityError('corrupt', error.message, { cause: error });
    throw error;
  }
}

function checkpointFromItem(item: Record<string, unknown>): StoredCheckpoint {
  return {
    size: item.size as number,
    rootHash: item.rootHash as Uint8Array,
    note: item.note as string,
    signedAt: item.signedAt as string,
    keyName: item.keyName as string,
    publicKeyPem: item.publicKey as string,
    archiveName: item.archiveName as string,
  };
}

/** BatchGetItem over any number of keys, retrying unprocessed keys; strongly consistent. */
async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: Record<string, string>[],
  projection?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_GET) {
    let request: Record<string, unknown>[] | undefined = keys.slice(start, start + MAX_BATCH_GET);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: request,
              ConsistentRead: true,
              ...(projection
                ? { ProjectionExpression: projection, ExpressionAttributeNames: { '#pk': 'pk' } }
                : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      request = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return items;
}

export interface ProofReader extends TreeReader {
  readEvent(eventId: string): Promise<AuditEvent | undefined>;
}

/** What the audit function reads: head, tiles, checkpoints and single events. */
export function dynamoDbTreeReader(client: DynamoDBDocumentClient, tableName: string): ProofReader {
  return {
    async readHead() {
      const result = await client.send(
        new GetCommand({ TableName: tableName, Key: HEAD_KEY, ConsistentRead: true }),
      );
      return headFromItem(result.Item);
    },

    async readTiles(tiles) {
      const items = await batchGet(client, tableName, tiles.map(tileItemKey));
      const byKey = new Map<string, TileHashes>();
      for (const item of items) {
        const match = /^TILE#(\d+)#(\d+)$/.exec(String(item.pk));
        const hashes = item.hashes;
        if (!match || !(hashes instanceof Uint8Array) || hashes.length !== HASH_SIZE * Number(item.width))
          continue;
        byKey.set(tileKey({ level: Number(match[1]), index: Number(match[2]) }), split(hashes));
      }
      return byKey;
    },

    async readEntryBundles(indexes) {
      const items = await batchGet(client, tableName, indexes.map(bundleItemKey));
      const byIndex = new Map<number, BundleEntries>();
      for (const item of items) {
        const bundle = bundleFromItem(item);
        if (bundle) byIndex.set(bundle.index, bundle.entries);
      }
      return byIndex;
    },

    async latestCheckpoint() {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': CHECKPOINT_PARTITION },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      const item = result.Items?.[0];
      return item ? checkpointFromItem(item) : undefined;
    },

    async readEvent(eventId) {
      const result = await client.send(
        new GetCommand({ TableName: tableName, Key: eventKey(eventId), ConsistentRead: true }),
      );
      return result.Item ? eventFromItem(result.Item) : undefined;
    },
  };
}

/** The sealer's store: the reader plus the conditional writes. */
export function dynamoDbTreeStore(
  client: DynamoDBDocumentClient,
  tableName: string,
): TreeStore & ProofReader {
  return {
    ...dynamoDbTreeReader(client, tableName),
    unsealedEvents: (eventIds) => listUnsealed(client, tableName, eventIds),
    sealedEvents: (from, to) => findSealed(client, tableName, from, to),
    commit: (commit) => commitTree(client, tableName, commit),
    putCheckpoint: (checkpoint) => putCheckpoint(client, tableName, checkpoint),
  };
}

async function listUnsealed(client: DynamoDBDocumentClient, tableName: string, eventIds: readonly string[]) {
  const unique = [...new Set(eventIds)];
  const items = await batchGet(client, tableName, unique.map(eventKey), '#pk, leafIndex');
  return new Set(
    items
      .filter((item) => item.leafIndex === undefined)
      .map((item) => String(item.pk).slice('EVENT#'.length)),
  );
}

/**
 * The events sealed at leaves [from, to): the `byTime` index read newest first, filtered on `leafIndex`,
 * until as many are found as the range holds. The leaves wanted are the newest sealed (the head's partial
 * bundle), so this reads about as many items as there are unsealed events after them; an event sealed late
 * with an old time (or a range with an event missing) makes it read further, at worst the whole log once.
 */
async function findSealed(
  client: DynamoDBDocumentClient,
  tableName: string,
  from: number,
  to: number,
): Promise<AuditEvent[]> {
  const found: AuditEvent[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byTime',
        KeyConditionExpression: 'gsi1pk = :log',
        FilterExpression: 'leafIndex BETWEEN :from AND :last',
        ExpressionAttributeValues: { ':log': LOG_PARTITION, ':from': from, ':last': to - 1 },
        ScanIndexForward: false,
        ExclusiveStartKey,
      }),
    );
    found.push(...(page.Items ?? []).map(eventFromItem));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && found.length < to - from);
  return found;
}

async function commitTree(
  client: DynamoDBDocumentClient,
  tableName: string,
  commit: TreeCommit,
): Promise<CommitOutcome> {
  const { tiles, bundles, leaves } = commit;
  const count = 1 + tiles.length + bundles.length + leaves.length;
  if (count > MAX_TRANSACTION_ITEMS) throw new RangeError(`a commit of ${count} items exceeds a transaction`);
  const items = [
    headPut(tableName, commit),
    ...tiles.map((tile) => tilePut(tableName, tile)),
    ...bundles.map((bundle) => bundlePut(tableName, bundle)),
    ...leaves.map((leaf) => leafUpdate(tableName, leaf)),
  ];
  try {
    await transactWrite(client, items);
    return { status: 'committed' };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    return outcomeOfCancellation(error, commit);
  }
}

/** The new head, on the condition that the head is still the one the commit was computed from. */
function headPut(tableName: string, { previous, head, at }: TreeCommit): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...HEAD_KEY,
        size: head.size,
        frontier: [...head.frontier.hashes],
        rootHash: head.rootHash,
        updatedAt: at,
      },
      ...(previous.size === 0
        ? {
            ConditionExpression: 'attribute_not_exists(pk) OR #size = :zero',
            ExpressionAttributeNames: { '#size': 'size' },
            ExpressionAttributeValues: { ':zero': 0 },
          }
        : {
            ConditionExpression: '#size = :size AND #root = :root',
            ExpressionAttributeNames: { '#size': 'size', '#root': 'rootHash' },
            ExpressionAttributeValues: { ':size': previous.size, ':root': previous.rootHash },
          }),
    },
  };
}

/** The extended tile, on the condition that it holds what the previous head implies. */
function tilePut(tableName: string, { tile, previousWidth, hashes }: TileWrite): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...tileItemKey(tile), width: hashes.length, hashes: concat(hashes) },
      ...(previousWidth === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#width = :width',
            ExpressionAttributeNames: { '#width': 'width' },
            ExpressionAttributeValues: { ':width': previousWidth },
          }),
    },
  };
}

/** The extended entry bundle, on the condition that it holds what the previous head implies. */
function bundlePut(tableName: string, { index, previousWidth, entries }: BundleWrite): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...bundleItemKey(index),
        width: entries.length,
        entries: new Uint8Array(deflateRawSync(encodeEntryBundle(entries))),
      },
      ...(previousWidth === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#width = :width',
            ExpressionAttributeNames: { '#width': 'width' },
            ExpressionAttributeValues: { ':width': previousWidth },
          }),
    },
  };
}

function leafUpdate(tableName: string, { eventId, leafIndex }: Leaf): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: eventKey(eventId),
      UpdateExpression: 'SET leafIndex = :index',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(leafIndex)',
      ExpressionAttributeValues: { ':index': leafIndex },
    },
  };
}

/** What a cancelled commit means, from the failed item's position: head, tiles, bundles, then leaves. */
function outcomeOfCancellation(
  error: TransactionCanceledException,
  { tiles, bundles, leaves }: TreeCommit,
): CommitOutcome {
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
  // A concurrent transaction on the same items, or another head: the caller re-reads and retries.
  if (codes[0] === 'ConditionalCheckFailed' || codes.includes('TransactionConflict'))
    return { status: 'head-moved' };
  const sealed = leaves
    .filter((_, i) => codes[1 + tiles.length + bundles.length + i] === 'ConditionalCheckFailed')
    .map((leaf) => leaf.eventId);
  if (sealed.length > 0) return { status: 'already-sealed', eventIds: sealed };
  const tile = tiles.find((_, i) => codes[1 + i] === 'ConditionalCheckFailed');
  if (tile) {
    throw new TreeIntegrityError(
      'corrupt',
      `tile ${tileKey(tile.tile)} does not hold the ${tile.previousWidth} entries the tree head implies`,
    );
  }
  const bundle = bundles.find((_, i) => codes[1 + tiles.length + i] === 'ConditionalCheckFailed');
  if (bundle) {
    throw new TreeIntegrityError(
      'corrupt',
      `entry bundle ${bundle.index} does not hold the ${bundle.previousWidth} entries the tree head implies`,
    );
  }
  throw error;
}

async function putCheckpoint(
  client: DynamoDBDocumentClient,
  tableName: string,
  checkpoint: StoredCheckpoint,
) {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: checkpointItem(checkpoint),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // The same checkpoint, signed in the same millisecond by a racing sealer: nothing to add.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

function checkpointItem(checkpoint: StoredCheckpoint) {
  return {
    pk: CHECKPOINT_PARTITION,
    sk: `${String(checkpoint.size).padStart(16, '0')}#${checkpoint.signedAt}`,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash,
    note: checkpoint.note,
    signedAt: checkpoint.signedAt,
    keyName: checkpoint.keyName,
    publicKey: checkpoint.publicKeyPem,
    archiveName: checkpoint.archiveName,
  };
}
