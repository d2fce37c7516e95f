import * as z from 'zod';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { failClosed } from '../src/adapters/dynamodb/errors';
import { dynamoDbTreeReader } from '../src/adapters/dynamodb/tree-store';
import { BaseEnvSchema, readEnv } from '../src/config';
import { latestCheckpoint, proveConsistency, proveInclusion } from '../src/domain/audit/proof-service';
import {
  readEntryBundle,
  readEntryBundleRange,
  readHashTile,
  type ServedTile,
} from '../src/domain/audit/tile-service';
import { apiHandler } from '../src/http/api-handler';
import { createLogger } from '../src/observability/logger';

/**
 * The compliance side: reads the access log, its signed checkpoints and proofs. This function's role
 * can neither decrypt a case nor write tree state nor sign: the public key is stored with each checkpoint
 * at seal time, so serving it needs no KMS call.
 */
const env = readEnv(BaseEnvSchema.extend({ AUDIT_TABLE: z.string().min(1) }));
const logger = createLogger('audit');
const documents = documentClient(dynamoDbClient(env));
const audit = dynamoDbAuditStore(documents, env.AUDIT_TABLE);
const tree = dynamoDbTreeReader(documents, env.AUDIT_TABLE);
/** Storage calls fail closed (503, no SDK detail); integrity failures keep their own status. */
const reader = {
  latestCheckpoint: () => failClosed(() => tree.latestCheckpoint()),
  readEvent: (eventId: string) => failClosed(() => tree.readEvent(eventId)),
  readTiles: (tiles: Parameters<typeof tree.readTiles>[0]) => failClosed(() => tree.readTiles(tiles)),
  readEntryBundles: (indexes: readonly number[]) => failClosed(() => tree.readEntryBundles(indexes)),
};
/** The tile routes ask for the latest checkpoint only for a tile beyond the largest size seen. */
const tiles = { ...reader, seen: { size: 0 } };

/** A full tile never changes: cacheable for a year; a partial one is revalidated (it is the tree's edge). */
const tileResponse = (tile: ServedTile) => ({
  status: 200,
  body: tile.bytes,
  contentType: 'application/octet-stream',
  headers: {
    ETag: tile.etag,
    'Cache-Control': tile.full ? 'private, max-age=31536000, immutable' : 'private, no-cache',
  },
});

export const handler = apiHandler({
  fn: 'audit',
  logger,
  directory: env.AGENCY_DIRECTORY,
  audit,
  operations: {
    listAuditEvents: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      return { status: 200, body: await audit.list(filter, limit, cursor) };
    },

    getAuditCheckpoint: async () => {
      const { note } = await latestCheckpoint(reader);
      return { status: 200, body: note, contentType: 'text/plain; charset=utf-8' };
    },

    getAuditPublicKey: async () => {
      const { publicKeyPem } = await latestCheckpoint(reader);
      return { status: 200, body: publicKeyPem, contentType: 'application/x-pem-file' };
    },

    getInclusionProof: async ({ query }) => ({
      status: 200,
      body: await proveInclusion(reader, query.eventId, query.treeSize),
    }),

    getConsistencyProof: async ({ query }) => ({
      status: 200,
      body: await proveConsistency(reader, query.from, query.to),
    }),

    getAuditHashTile: async ({ params, query }) =>
      tileResponse(await readHashTile(tiles, { level: params.level, index: params.index }, query.width)),

    getAuditEntryBundle: async ({ params, query }) =>
      tileResponse(await readEntryBundle(tiles, params.index, query.width)),

    getAuditEntryBundleRange: async ({ params }) =>
      tileResponse(await readEntryBundleRange(tiles, params.index, params.count)),
  },
});
