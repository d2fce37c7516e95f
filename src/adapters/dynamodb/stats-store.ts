import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StatsCounterStore } from '../../domain/stats/ports';
import type { Counter, TableId } from '../../domain/stats/tables';
import { failClosed, failedConditions } from './errors';
import { type TransactItem, transactWrite } from './transactions';

/**
 * The Stats table, item by item:
 *
 * - `pk = COUNTER#<table>`, `sk = <month>#<agency>#<dims joined by |>`: one item per table, month, agency
 *   and dimension values; `table`, `month`, `agency`, `dims` in clear, and each measure an attribute
 *   `m_<measure>` (`m_count`, `m_met`, `m_missed`, `m_h0` … `m_h81`) kept with `ADD`. A table's counters of
 *   a period are one Query of its partition between two months, however many cases they count: at most
 *   months × agencies × dimension values items.
 * - `pk = APPLIED#<contribution key>`, `sk = APPLIED`: a change already counted (see `contributionKey`),
 *   put on condition it is new, in the transaction that adds its deltas; TTL well past the stream's 24 h
 *   retention, after which no redelivery can bring the change back.
 *
 * No item names a case, a request or a person: the contribution keys hold ids, the counters none.
 */
const MEASURE_PREFIX = 'm_';
const APPLIED_TTL_SECONDS = 7 * 24 * 3600;

export const counterPartition = (table: TableId) => `COUNTER#${table}`;
const counterSortKey = (counter: Counter) => `${counter.month}#${counter.agency}#${counter.dims.join('|')}`;
export const appliedKey = (contributionKey: string) => ({ pk: `APPLIED#${contributionKey}`, sk: 'APPLIED' });

/** The deltas of one counter item (one table, month, agency and dimension values), measure by measure. */
function groupByItem(deltas: readonly Counter[]): Map<string, { first: Counter; measures: Counter[] }> {
  const items = new Map<string, { first: Counter; measures: Counter[] }>();
  for (const delta of deltas) {
    const id = `${counterPartition(delta.table)}\n${counterSortKey(delta)}`;
    const item = items.get(id) ?? { first: delta, measures: [] };
    item.measures.push(delta);
    items.set(id, item);
  }
  return items;
}

function counterUpdate(tableName: string, first: Counter, measures: readonly Counter[]): TransactItem {
  const names: Record<string, string> = { '#t': 'table', '#mo': 'month', '#ag': 'agency', '#d': 'dims' };
  const values: Record<string, unknown> = {
    ':t': first.table,
    ':mo': first.month,
    ':ag': first.agency,
    ':d': [...first.dims],
  };
  const adds = measures.map((delta, index) => {
    names[`#m${index}`] = `${MEASURE_PREFIX}${delta.measure}`;
    values[`:v${index}`] = delta.value;
    return `#m${index} :v${index}`;
  });
  return {
    Update: {
      TableName: tableName,
      Key: { pk: counterPartition(first.table), sk: counterSortKey(first) },
      UpdateExpression: `SET #t = :t, #mo = :mo, #ag = :ag, #d = :d ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** The counters of one stored item: one per measure attribute. */
function countersOf(item: Record<string, unknown>): Counter[] {
  const key = {
    table: item.table as TableId,
    month: String(item.month),
    agency: String(item.agency),
    dims: (item.dims as string[]) ?? [],
  };
  return Object.entries(item)
    .filter(([name, value]) => name.startsWith(MEASURE_PREFIX) && typeof value === 'number')
    .map(([name, value]) => ({ ...key, measure: name.slice(MEASURE_PREFIX.length), value: value as number }));
}

async function apply(
  client: DynamoDBDocumentClient,
  tableName: string,
  contributionKey: string,
  deltas: readonly Counter[],
  now: () => Date,
): Promise<boolean> {
  const marker: TransactItem = {
    Put: {
      TableName: tableName,
      Item: {
        ...appliedKey(contributionKey),
        ttl: Math.ceil(now().getTime() / 1000) + APPLIED_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const updates = [...groupByItem(deltas).values()].map(({ first, measures }) =>
    counterUpdate(tableName, first, measures),
  );
  return failClosed(async () => {
    try {
      await transactWrite(client, [marker, ...updates]);
      return true;
    } catch (error) {
      // Counted before (a redelivered record): the marker's condition failed, nothing was added.
      if (failedConditions(error)?.some((failed) => failed.index === 0)) return false;
      throw error;
    }
  });
}

async function read(
  client: DynamoDBDocumentClient,
  tableName: string,
  table: TableId,
  months: readonly string[],
  agency: string | undefined,
): Promise<Counter[]> {
  const first = months[0];
  const last = months.at(-1);
  if (first === undefined || last === undefined) return [];
  const counters: Counter[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await failClosed(() =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          // `~` sorts after every character of an agency id and of the dimension values.
          KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
          ...(agency === undefined
            ? {}
            : { FilterExpression: '#ag = :ag', ExpressionAttributeNames: { '#ag': 'agency' } }),
          ExpressionAttributeValues: {
            ':p': counterPartition(table),
            ':from': `${first}#`,
            ':to': `${last}#~`,
            ...(agency === undefined ? {} : { ':ag': agency }),
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    for (const item of page.Items ?? []) counters.push(...countersOf(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counters;
}

export function dynamoDbStatsStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  now: () => Date = () => new Date(),
): StatsCounterStore {
  return {
    apply: (contributionKey, deltas) => apply(client, tableName, contributionKey, deltas, now),
    read: (table, months, agency) => read(client, tableName, table, months, agency),
  };
}
