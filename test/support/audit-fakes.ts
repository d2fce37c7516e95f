import { generateKeyPairSync, sign } from 'node:crypto';
import type { BundleEntries } from '../../src/domain/audit/entry-bundles';
import type { AuditEvent } from '../../src/domain/audit/event';
import { hashesEqual } from '../../src/domain/audit/merkle/hashing';
import type {
  ArchivedCheckpoint,
  CheckpointArchive,
  CheckpointSigner,
  StoredCheckpoint,
  TreeHead,
  TreeStore,
} from '../../src/domain/audit/ports';
import { ArchiveConflictError, EMPTY_HEAD } from '../../src/domain/audit/sealer';
import { type TileHashes, tileKey } from '../../src/domain/audit/tiles';

/** A pause of 0-2 ms, so that concurrent sealers interleave their reads and writes. */
const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 2));

/**
 * The TreeStore contract in memory, with the same atomic, conditional commit as the DynamoDB adapter
 * (head unchanged, tile widths as implied, events unsealed), and every call yielding to other callers.
 */
export class MemoryTreeStore implements TreeStore {
  head: TreeHead = EMPTY_HEAD;
  readonly tiles = new Map<string, TileHashes>();
  readonly bundles = new Map<number, BundleEntries>();
  readonly events = new Map<string, AuditEvent>();
  checkpoints: StoredCheckpoint[] = [];
  commits = 0;

  addEvents(events: readonly AuditEvent[]): void {
    for (const event of events) this.events.set(event.eventId, { ...event });
  }

  async readHead() {
    await jitter();
    return this.head;
  }

  readTiles = async (refs: readonly { level: number; index: number }[]) => {
    await jitter();
    const found = new Map<string, TileHashes>();
    for (const ref of refs) {
      const hashes = this.tiles.get(tileKey(ref));
      if (hashes) found.set(tileKey(ref), [...hashes]);
    }
    return found;
  };

  readEntryBundles = async (indexes: readonly number[]) => {
    await jitter();
    const found = new Map<number, BundleEntries>();
    for (const index of indexes) {
      const entries = this.bundles.get(index);
      if (entries) found.set(index, [...entries]);
    }
    return found;
  };

  async latestCheckpoint() {
    await jitter();
    return [...this.checkpoints].sort((a, b) => a.size - b.size || (a.signedAt < b.signedAt ? -1 : 1)).at(-1);
  }

  async unsealedEvents(eventIds: readonly string[]) {
    await jitter();
    return new Set(
      eventIds.filter((id) => this.events.get(id) && this.events.get(id)?.leafIndex === undefined),
    );
  }

  async sealedEvents(from: number, to: number) {
    await jitter();
    return [...this.events.values()]
      .filter(({ leafIndex }) => leafIndex !== undefined && leafIndex >= from && leafIndex < to)
      .map((event) => ({ ...event }));
  }

  async commit(commit: Parameters<TreeStore['commit']>[0]) {
    await jitter();
    const { previous, head, tiles, bundles, leaves } = commit;
    if (this.head.size !== previous.size || !hashesEqual(this.head.rootHash, previous.rootHash)) {
      return { status: 'head-moved' as const };
    }
    const sealed = leaves
      .filter(({ eventId }) => this.events.get(eventId)?.leafIndex !== undefined || !this.events.has(eventId))
      .map(({ eventId }) => eventId);
    if (sealed.length > 0) return { status: 'already-sealed' as const, eventIds: sealed };
    for (const { tile, previousWidth } of tiles) {
      if ((this.tiles.get(tileKey(tile))?.length ?? 0) !== previousWidth)
        throw new Error('tile width condition');
    }
    for (const { index, previousWidth } of bundles) {
      if ((this.bundles.get(index)?.length ?? 0) !== previousWidth) throw new Error('bundle width condition');
    }
    this.head = head;
    for (const { tile, hashes } of tiles) this.tiles.set(tileKey(tile), [...hashes]);
    for (const { index, entries } of bundles) this.bundles.set(index, [...entries]);
    for (const { eventId, leafIndex } of leaves) {
      this.events.set(eventId, { ...(this.events.get(eventId) as AuditEvent), leafIndex });
    }
    this.commits++;
    return { status: 'committed' as const };
  }

  async putCheckpoint(checkpoint: StoredCheckpoint) {
    await jitter();
    this.checkpoints.push(checkpoint);
  }
}

/** An Ed25519 signer like the KMS key, counting its signatures. */
export function memorySigner(): CheckpointSigner & { signatures: number; publicKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const signer = {
    signatures: 0,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicKey: async () => new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    sign: async (message: Uint8Array) => {
      signer.signatures++;
      return new Uint8Array(sign(null, message, privateKey));
    },
  };
  return signer;
}

/** A write-once archive in memory. */
export class MemoryArchive implements CheckpointArchive {
  readonly entries = new Map<string, string>();

  async put({ name, note }: ArchivedCheckpoint) {
    const existing = this.entries.get(name);
    if (existing !== undefined && existing !== note) throw new ArchiveConflictError(name);
    this.entries.set(name, note);
  }

  async latest(after?: string) {
    const name = [...this.entries.keys()]
      .filter((n) => after === undefined || n > after)
      .sort()
      .at(-1);
    return name ? { name, note: this.entries.get(name) as string } : undefined;
  }
}

let counter = 0;

/** An audit event as the request functions write them; `minutesAgo` back-dates it. */
export function auditEvent(overrides: Partial<AuditEvent> = {}, at = new Date()): AuditEvent {
  counter++;
  return {
    eventId: `${at.getTime().toString(36).padStart(10, '0')}${counter.toString(16).padStart(20, '0')}`,
    time: at.toISOString(),
    agency: 'police',
    clientId: 'police',
    user: `officer-${counter % 7}`,
    action: 'case.read',
    resource: '/v1/cases/3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    caseId: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    purpose: 'criminal-investigation',
    outcome: 200,
    requestId: `req-${counter}`,
    sourceIp: '10.0.0.1',
    ...overrides,
  };
}
