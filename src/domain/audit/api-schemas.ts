import * as z from 'zod';
import { AgencyIdSchema } from '../directory';
import { decimalIntegerQuery, pageSchema, pagingQuery } from '../paging';
import { AuditEventSchema } from './event';
import { OUTCOME_CLASS_NAMES } from './outcomes';

export const ListAuditEventsQuerySchema = z.strictObject({
  caseId: z.uuid().optional(),
  agency: AgencyIdSchema.optional(),
  user: z.string().min(1).max(128).optional(),
  action: z
    .string()
    .regex(/^[a-z]+\.[a-z-]+$/)
    .max(64)
    .optional(),
  /** `allowed` (status below 400), `denied` (4xx) or `failed` (5xx). */
  outcome: z.enum(OUTCOME_CLASS_NAMES).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  // Up to 2,000 events (about 1 MB) a page: a verifier lists the whole log, and each page is a request.
  ...pagingQuery({ max: 2000, default: 100 }),
});

export const AuditEventListSchema = pageSchema(AuditEventSchema, 'AuditEventList');

/** Event ids as `newEventId` makes them: 10 base-36 digits of time, 20 hex digits of randomness. */
export const EventIdSchema = z.string().regex(/^[0-9a-z]{10}[0-9a-f]{20}$/, 'an audit event id');
const TreeSizeSchema = decimalIntegerQuery({ min: 1, max: Number.MAX_SAFE_INTEGER });
/** A SHA-256 hash, standard base64 (as in checkpoints). */
const HashSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256 hash');

export const InclusionProofQuerySchema = z.strictObject({
  eventId: EventIdSchema,
  /** Defaults to the size of the latest checkpoint. */
  treeSize: TreeSizeSchema.optional(),
});

export const ConsistencyProofQuerySchema = z.strictObject({
  from: TreeSizeSchema,
  /** Defaults to the size of the latest checkpoint. */
  to: TreeSizeSchema.optional(),
});

export const InclusionProofSchema = z
  .strictObject({
    eventId: z.string(),
    leafIndex: z.number().int().nonnegative(),
    treeSize: z.number().int().positive(),
    /** The leaf hash sealed at `leafIndex`: SHA-256(0x00 || canonical event bytes). */
    leafHash: HashSchema,
    /** RFC 9162 inclusion proof, bottom-up. */
    proof: z.array(HashSchema),
  })
  .meta({ id: 'InclusionProof' });

export const ConsistencyProofSchema = z
  .strictObject({
    from: z.number().int().positive(),
    to: z.number().int().positive(),
    /** RFC 9162 consistency proof. */
    proof: z.array(HashSchema),
  })
  .meta({ id: 'ConsistencyProof' });

export const SignedCheckpointSchema = z.string().meta({
  id: 'SignedCheckpoint',
  description:
    'C2SP signed note: origin, tree size and base64 root hash lines, a blank line, then "— <key name> <base64(key id || Ed25519 signature)>"',
});

export const PublicKeyPemSchema = z.string().meta({
  id: 'CheckpointPublicKey',
  description: 'The Ed25519 checkpoint signing key, PEM SubjectPublicKeyInfo',
});

/** Tile coordinates: row (level) 0 to 5 covers 256^6 leaves, more than any log will hold. */
const TileIndexSchema = decimalIntegerQuery({ min: 0, max: 2 ** 45 });

export const HashTileParamsSchema = z.strictObject({
  level: decimalIntegerQuery({ min: 0, max: 5 }),
  index: TileIndexSchema,
});

export const EntryBundleParamsSchema = z.strictObject({ index: TileIndexSchema });

/** Full entry bundles one request may read at once: 2,048 events, about 1 MB. */
export const MAX_BUNDLES_PER_RANGE = 8;

export const EntryBundleRangeParamsSchema = z.strictObject({
  index: TileIndexSchema,
  count: decimalIntegerQuery({ min: 1, max: MAX_BUNDLES_PER_RANGE }),
});

export const TileQuerySchema = z.strictObject({
  /** A partial tile (tlog-tiles `.p/W`): its first `width` entries; absent: the full tile of 256. */
  width: decimalIntegerQuery({ min: 1, max: 255 }).optional(),
});

export const HashTileSchema = z.string().meta({
  id: 'HashTile',
  contentMediaType: 'application/octet-stream',
  description:
    'C2SP tlog-tiles hash tile: `width` (256 for a full tile) concatenated 32-byte SHA-256 hashes of one row of the tree',
});

export const EntryBundleSchema = z.string().meta({
  id: 'EntryBundle',
  contentMediaType: 'application/octet-stream',
  description:
    "C2SP tlog-tiles entry bundle: for each leaf, a big-endian uint16 length, then the event's canonical bytes (the leaf input)",
});

export const EntryBundleRangeSchema = z.string().meta({
  id: 'EntryBundleRange',
  contentMediaType: 'application/octet-stream',
  description:
    'Consecutive full C2SP tlog-tiles entry bundles, one after the other: 256 entries each, every entry a big-endian uint16 length, then its bytes',
});
