/**
 * Reads a DynamoDB Local table's stream as Lambda's event-source mapping would: the local stand-in
 * shared by the audit sealer loop and the Cases stream loops (outbox processor, statistics aggregator).
 *
 * Shards are listed with DescribeStream (again every few seconds and whenever one closes); a child shard
 * is read only once its parent is closed, so per-item order holds. The shards found when the reader
 * opens are read from `start`; any shard found later, from its beginning. An expired or trimmed iterator
 * is replaced by a new one from TRIM_HORIZON.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';

export interface StreamReader {
  /** The records written since the last read, every shard in turn. */
  read(): Promise<StreamRecord[]>;
}

const SHARD_REFRESH_MS = 5000;

interface ShardState {
  parent: string | undefined;
  iterator: string | undefined;
  closed: boolean;
  /** Where a new iterator of this shard starts. */
  from: ShardIteratorType;
}

/** Where the reader is in the stream: the shards it knows and when it last listed them. */
interface StreamPosition {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  shards: Map<string, ShardState>;
  listedAt: number;
}

async function findStreamArn(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  return streamArn;
}

async function listShards(position: StreamPosition, from: ShardIteratorType): Promise<void> {
  let start: string | undefined;
  do {
    const page = await position.streams.send(
      new DescribeStreamCommand({
        StreamArn: position.streamArn,
        ...(start ? { ExclusiveStartShardId: start } : {}),
      }),
    );
    for (const shard of page.StreamDescription?.Shards ?? []) {
      if (shard.ShardId && !position.shards.has(shard.ShardId)) {
        position.shards.set(shard.ShardId, {
          parent: shard.ParentShardId,
          iterator: undefined,
          closed: false,
          from,
        });
      }
    }
    start = page.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  position.listedAt = Date.now();
}

async function iteratorOf(position: StreamPosition, shardId: string, shard: ShardState) {
  shard.iterator ??= (
    await position.streams.send(
      new GetShardIteratorCommand({
        StreamArn: position.streamArn,
        ShardId: shardId,
        ShardIteratorType: shard.from,
      }),
    )
  ).ShardIterator;
  return shard.iterator;
}

async function readShard(
  position: StreamPosition,
  shardId: string,
  shard: ShardState,
): Promise<StreamRecord[]> {
  const parent = shard.parent ? position.shards.get(shard.parent) : undefined;
  if (shard.closed || (parent && !parent.closed)) return [];
  const iterator = await iteratorOf(position, shardId, shard);
  if (!iterator) return [];
  try {
    const page = await position.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) shard.closed = true;
    return page.Records ?? [];
  } catch (error) {
    if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
      shard.iterator = undefined;
      shard.from = 'TRIM_HORIZON';
      return [];
    }
    throw error;
  }
}

/**
 * Opens the stream of `tableName`. From `LATEST`, the iterators of the shards that exist now are taken
 * before this returns, so every record written after it is read.
 */
export async function openStreamReader(
  dynamodb: DynamoDBClient,
  streams: DynamoDBStreamsClient,
  tableName: string,
  start: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON',
): Promise<StreamReader> {
  const streamArn = await findStreamArn(dynamodb, tableName);
  const position: StreamPosition = { streams, streamArn, shards: new Map(), listedAt: 0 };
  await listShards(position, start);
  for (const [shardId, shard] of position.shards) await iteratorOf(position, shardId, shard);
  return {
    async read() {
      const stale = Date.now() - position.listedAt > SHARD_REFRESH_MS;
      if (stale || [...position.shards.values()].some((s) => s.closed && !s.iterator)) {
        await listShards(position, 'TRIM_HORIZON');
      }
      const records: StreamRecord[] = [];
      for (const [shardId, shard] of position.shards) {
        records.push(...(await readShard(position, shardId, shard)));
      }
      return records;
    },
  };
}
