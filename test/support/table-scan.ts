import { type AttributeValue, paginateScan } from '@aws-sdk/client-dynamodb';
import { type LocalDynamoDbAccess, localDynamoDb } from './local-dynamodb';

export interface Finding {
  table: string;
  key: string;
  attribute: string;
  needle: string;
}

function* leaves(value: AttributeValue, path: string): Generator<[string, Uint8Array]> {
  if (value.S !== undefined) yield [path, Buffer.from(value.S, 'utf8')];
  else if (value.N !== undefined) yield [path, Buffer.from(value.N, 'utf8')];
  else if (value.B !== undefined) yield [path, value.B];
  else if (value.SS) for (const s of value.SS) yield [path, Buffer.from(s, 'utf8')];
  else if (value.BS) for (const b of value.BS) yield [path, b];
  else if (value.L) for (const [i, v] of value.L.entries()) yield* leaves(v, `${path}[${i}]`);
  else if (value.M) for (const [k, v] of Object.entries(value.M)) yield* leaves(v, `${path}.${k}`);
}

/**
 * Scans whole tables, raw (strings and binaries alike), for any of the needles' UTF-8 bytes. Used to
 * prove that no plaintext a test wrote into an encrypted section ever reached DynamoDB.
 */
export async function findInTables(
  access: LocalDynamoDbAccess,
  tables: string[],
  needles: string[],
): Promise<Finding[]> {
  const client = localDynamoDb(access);
  const encoded = needles.map((needle) => [needle, Buffer.from(needle, 'utf8')] as const);
  const findings: Finding[] = [];
  try {
    for (const table of tables) {
      for await (const page of paginateScan({ client }, { TableName: table })) {
        for (const item of page.Items ?? []) {
          const key = `${item.pk?.S ?? item.id?.S ?? '?'} ${item.sk?.S ?? ''}`.trim();
          for (const [attribute, value] of Object.entries(item)) {
            for (const [path, bytes] of leaves(value, attribute)) {
              for (const [needle, needleBytes] of encoded) {
                if (Buffer.from(bytes).includes(needleBytes))
                  findings.push({ table, key, attribute: path, needle });
              }
            }
          }
        }
      }
    }
  } finally {
    client.destroy();
  }
  return findings;
}
