/**
 * Keys and aliases of the emulator, how AWS key identifiers resolve to them, and their persistence.
 *
 * Persistence is a JSON file (mode 0600: it holds key material) rewritten atomically — temp file then
 * rename — so that a crash never leaves a half-written file that would lose every key. Several emulators
 * may share one file (the local server and a test run): each merges what the others wrote before it
 * writes, and re-reads the file before answering NotFoundException. Synchronous file I/O is deliberate:
 * mutations are rare, and it keeps a read-merge-write from interleaving with another request.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KmsError } from './errors';
import type { Tag } from './input';
import { generateMaterial, isAsymmetric, KEY_SPECS, type KeySpec, type KeyUsage } from './key-specs';

export type KeyMaterial =
  | { kind: 'secret'; secret: Buffer }
  | { kind: 'key-pair'; privateKey: KeyObject; publicKey: KeyObject };

export interface KmsKey {
  keyId: string;
  spec: KeySpec;
  usage: KeyUsage;
  description: string;
  creationDate: Date;
  tags: Tag[];
  material: KeyMaterial;
}

export interface Alias {
  aliasName: string;
  targetKeyId: string;
  creationDate: Date;
}

export interface NewKey {
  spec: KeySpec;
  usage: KeyUsage;
  description: string;
  tags: Tag[];
}

export interface KeyStoreOptions {
  region: string;
  accountId: string;
  stateFile?: string;
}

const STATE_FORMAT = 'himaya-kms-emulator/1';

interface PersistedKey {
  keyId: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  description: string;
  creationDate: string;
  tags: Tag[];
  /** base64 of the raw secret (symmetric, HMAC) or of the PKCS#8 DER private key (asymmetric). */
  material: string;
}

interface PersistedAlias {
  aliasName: string;
  targetKeyId: string;
  creationDate: string;
}

interface PersistedState {
  format: typeof STATE_FORMAT;
  keys: PersistedKey[];
  aliases: PersistedAlias[];
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):((?:key|alias)\/.+)$/;

type Identifier = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string };

export class KeyStore {
  readonly region: string;
  readonly accountId: string;
  private readonly stateFile: string | undefined;
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, Alias>();

  private constructor({ region, accountId, stateFile }: KeyStoreOptions) {
    this.region = region;
    this.accountId = accountId;
    this.stateFile = stateFile;
  }

  static open(options: KeyStoreOptions): KeyStore {
    const store = new KeyStore(options);
    store.mergeFromDisk();
    return store;
  }

  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${aliasName}`;
  }

  createKey({ spec, usage, description, tags }: NewKey): KmsKey {
    const key: KmsKey = {
      keyId: randomUUID(),
      spec,
      usage,
      description,
      creationDate: new Date(),
      tags,
      material: materialFrom(spec, generateMaterial(spec)),
    };
    this.mergeFromDisk();
    this.keys.set(key.keyId, key);
    this.save();
    return key;
  }

  createAlias(aliasName: string, targetKeyId: string): Alias {
    this.mergeFromDisk();
    if (this.aliases.has(aliasName)) {
      throw new KmsError(
        'AlreadyExistsException',
        `An alias with the name ${this.aliasArn(aliasName)} already exists`,
      );
    }
    const alias: Alias = { aliasName, targetKeyId, creationDate: new Date() };
    this.aliases.set(aliasName, alias);
    this.save();
    return alias;
  }

  listAliases(): Alias[] {
    this.mergeFromDisk();
    return [...this.aliases.values()].sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  }

  /** A key by the identifiers AWS accepts: key id, key ARN, alias name, alias ARN. */
  resolve(identifier: string): KmsKey {
    const parsed = this.parseIdentifier(identifier);
    const keyId = parsed?.kind === 'alias' ? this.aliasTarget(parsed.aliasName) : parsed?.keyId;
    const key = keyId === undefined ? undefined : this.findKey(keyId);
    if (key === undefined) throw notFound(identifier, parsed);
    return key;
  }

  /** A key id or key ARN only, as CreateAlias's TargetKeyId and ListAliases's KeyId take. */
  resolveKeyOnly(identifier: string): KmsKey {
    if (this.parseIdentifier(identifier)?.kind === 'alias') {
      throw new KmsError('ValidationException', 'Expected a key ID or key ARN, not an alias');
    }
    return this.resolve(identifier);
  }

  findKey(keyId: string): KmsKey | undefined {
    if (!this.keys.has(keyId)) this.mergeFromDisk();
    return this.keys.get(keyId);
  }

  private aliasTarget(aliasName: string): string | undefined {
    if (!this.aliases.has(aliasName)) this.mergeFromDisk();
    return this.aliases.get(aliasName)?.targetKeyId;
  }

  /** ARNs of another region or account name keys this emulator cannot have: they resolve to nothing. */
  private parseIdentifier(identifier: string): Identifier | undefined {
    if (KEY_ID.test(identifier)) return { kind: 'key', keyId: identifier };
    if (identifier.startsWith('alias/')) return { kind: 'alias', aliasName: identifier };
    const arn = KMS_ARN.exec(identifier);
    if (arn === null || arn[1] !== this.region || arn[2] !== this.accountId) return undefined;
    const resource = arn[3] ?? '';
    if (resource.startsWith('alias/')) return { kind: 'alias', aliasName: resource };
    const keyId = resource.slice('key/'.length);
    return KEY_ID.test(keyId) ? { kind: 'key', keyId } : undefined;
  }

  /** Adds the keys and aliases other emulators wrote to the shared file; what this one knows wins. */
  private mergeFromDisk(): void {
    const state = this.stateFile === undefined ? undefined : readState(this.stateFile);
    if (state === undefined) return;
    for (const persisted of state.keys) {
      if (!this.keys.has(persisted.keyId)) this.keys.set(persisted.keyId, fromPersistedKey(persisted));
    }
    for (const persisted of state.aliases) {
      if (!this.aliases.has(persisted.aliasName)) {
        this.aliases.set(persisted.aliasName, {
          ...persisted,
          creationDate: new Date(persisted.creationDate),
        });
      }
    }
  }

  private save(): void {
    if (this.stateFile === undefined) return;
    const state: PersistedState = {
      format: STATE_FORMAT,
      keys: [...this.keys.values()].map(toPersistedKey),
      aliases: [...this.aliases.values()].map((alias) => ({
        ...alias,
        creationDate: alias.creationDate.toISOString(),
      })),
    };
    writeAtomically(this.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }
}

function notFound(identifier: string, parsed: Identifier | undefined): KmsError {
  if (parsed === undefined) return new KmsError('NotFoundException', `Invalid keyId '${identifier}'`);
  if (parsed.kind === 'alias')
    return new KmsError('NotFoundException', `Alias '${identifier}' is not found.`);
  return new KmsError('NotFoundException', `Key '${identifier}' does not exist`);
}

function materialFrom(spec: KeySpec, bytes: Buffer): KeyMaterial {
  if (!isAsymmetric(spec)) return { kind: 'secret', secret: bytes };
  const privateKey = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  return { kind: 'key-pair', privateKey, publicKey: createPublicKey(privateKey) };
}

function materialBytes(material: KeyMaterial): Buffer {
  return material.kind === 'secret'
    ? material.secret
    : material.privateKey.export({ format: 'der', type: 'pkcs8' });
}

function toPersistedKey(key: KmsKey): PersistedKey {
  return {
    keyId: key.keyId,
    keySpec: key.spec,
    keyUsage: key.usage,
    description: key.description,
    creationDate: key.creationDate.toISOString(),
    tags: key.tags,
    material: materialBytes(key.material).toString('base64'),
  };
}

function fromPersistedKey(persisted: PersistedKey): KmsKey {
  return {
    keyId: persisted.keyId,
    spec: persisted.keySpec,
    usage: persisted.keyUsage,
    description: persisted.description,
    creationDate: new Date(persisted.creationDate),
    tags: persisted.tags,
    material: materialFrom(persisted.keySpec, Buffer.from(persisted.material, 'base64')),
  };
}

/**
 * The state in the file, or undefined when there is no file yet. A file that is not a state file is an
 * error, not an empty state: overwriting it would destroy keys that existing ciphertexts depend on.
 */
function readState(file: string): PersistedState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state: unknown = JSON.parse(text);
  if (!isPersistedState(state)) throw new Error(`${file} is not a KMS emulator state file (${STATE_FORMAT})`);
  return state;
}

function isPersistedState(value: unknown): value is PersistedState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<PersistedState>;
  return (
    state.format === STATE_FORMAT &&
    Array.isArray(state.keys) &&
    Array.isArray(state.aliases) &&
    state.keys.every(
      (key) => KEY_ID.test(key.keyId) && (KEY_SPECS as readonly string[]).includes(key.keySpec),
    )
  );
}

function writeAtomically(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temp, content, { mode: 0o600 });
    // The mode given at creation is filtered by the umask; set it explicitly so it is exactly 0600.
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}
