/**
 * ECDSA P-256 over a caller-supplied SHA-256 digest (KMS MessageType DIGEST).
 *
 * Node's crypto.sign/verify always hash the message themselves, and no digest name means "none", so
 * signing an existing digest needs the curve arithmetic done here. RAW messages still go through
 * node:crypto. This code is neither constant-time nor hardened: it exists for a local emulator only.
 * Signatures are DER (SEQUENCE of two INTEGERs), as KMS returns them.
 */
import { type KeyObject, randomBytes } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Affine = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

interface Affine {
  x: bigint;
  y: bigint;
}

/** Jacobian coordinates (x = X/Z², y = Y/Z³) avoid a modular inversion per step; Z = 0 is infinity. */
interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

const INFINITY: Jacobian = { X: 1n, Y: 1n, Z: 0n };

export function signDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const d = jwkInteger(privateKey, 'd');
  const z = toBigInt(digest) % N;
  for (;;) {
    const k = randomScalar();
    const point = toAffine(multiply(k, G));
    const r = point === undefined ? 0n : point.x % N;
    const s = (modInverse(k, N) * (z + r * d)) % N;
    if (r !== 0n && s !== 0n) return encodeDer(r, s);
  }
}

export function verifyDigest(publicKey: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const decoded = decodeDer(signature);
  if (decoded === undefined) return false;
  const { r, s } = decoded;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const q = { x: jwkInteger(publicKey, 'x'), y: jwkInteger(publicKey, 'y') };
  const w = modInverse(s, N);
  const u1 = ((toBigInt(digest) % N) * w) % N;
  const u2 = (r * w) % N;
  const point = toAffine(add(multiply(u1, G), multiply(u2, q)));
  return point !== undefined && point.x % N === r;
}

function jwkInteger(key: KeyObject, member: 'd' | 'x' | 'y'): bigint {
  const value = key.export({ format: 'jwk' })[member];
  if (value === undefined) throw new Error(`P-256 key has no ${member}`);
  return toBigInt(Buffer.from(value, 'base64url'));
}

function randomScalar(): bigint {
  for (;;) {
    const k = toBigInt(randomBytes(32));
    if (k > 0n && k < N) return k;
  }
}

function multiply(scalar: bigint, point: Affine): Jacobian {
  let result = INFINITY;
  const base: Jacobian = { X: point.x, Y: point.y, Z: 1n };
  for (let bit = BigInt(scalar.toString(2).length - 1); bit >= 0n; bit--) {
    result = double(result);
    if ((scalar >> bit) & 1n) result = add(result, base);
  }
  return result;
}

/** Point doubling for a = -3 (EFD dbl-2001-b). */
function double({ X, Y, Z }: Jacobian): Jacobian {
  if (Z === 0n || Y === 0n) return INFINITY;
  const delta = mod(Z * Z);
  const gamma = mod(Y * Y);
  const beta = mod(X * gamma);
  const alpha = mod(3n * (X - delta) * (X + delta));
  const X3 = mod(alpha * alpha - 8n * beta);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta);
  const Y3 = mod(alpha * (4n * beta - X3) - 8n * gamma * gamma);
  return { X: X3, Y: Y3, Z: Z3 };
}

/** General point addition (EFD add-1998-cmo-2). */
function add(p: Jacobian, q: Jacobian): Jacobian {
  if (p.Z === 0n) return q;
  if (q.Z === 0n) return p;
  const pz2 = mod(p.Z * p.Z);
  const qz2 = mod(q.Z * q.Z);
  const u1 = mod(p.X * qz2);
  const u2 = mod(q.X * pz2);
  const s1 = mod(p.Y * q.Z * qz2);
  const s2 = mod(q.Y * p.Z * pz2);
  const h = mod(u2 - u1);
  const r = mod(s2 - s1);
  if (h === 0n) return r === 0n ? double(p) : INFINITY;
  const hh = mod(h * h);
  const hhh = mod(h * hh);
  const v = mod(u1 * hh);
  const X3 = mod(r * r - hhh - 2n * v);
  const Y3 = mod(r * (v - X3) - s1 * hhh);
  const Z3 = mod(p.Z * q.Z * h);
  return { X: X3, Y: Y3, Z: Z3 };
}

function toAffine({ X, Y, Z }: Jacobian): Affine | undefined {
  if (Z === 0n) return undefined;
  const zInverse = modInverse(Z, P);
  const zInverse2 = mod(zInverse * zInverse);
  return { x: mod(X * zInverse2), y: mod(Y * zInverse2 * zInverse) };
}

function mod(value: bigint, modulus = P): bigint {
  const result = value % modulus;
  return result >= 0n ? result : result + modulus;
}

/** Extended Euclid; the moduli here are prime, so every non-zero value has an inverse. */
function modInverse(value: bigint, modulus: bigint): bigint {
  let [oldR, r] = [mod(value, modulus), modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return mod(oldS, modulus);
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function encodeDer(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

/** Minimal big-endian bytes, with a leading zero when the top bit is set (DER INTEGERs are signed). */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
}

/** Strict parse of SEQUENCE { INTEGER r, INTEGER s } with short-form lengths (all P-256 needs). */
function decodeDer(signature: Buffer): { r: bigint; s: bigint } | undefined {
  if (signature[0] !== 0x30 || signature[1] !== signature.length - 2) return undefined;
  const r = readDerInteger(signature, 2);
  const s = r === undefined ? undefined : readDerInteger(signature, r.next);
  if (r === undefined || s === undefined || s.next !== signature.length) return undefined;
  return { r: r.value, s: s.value };
}

function readDerInteger(bytes: Buffer, offset: number): { value: bigint; next: number } | undefined {
  const length = bytes[offset + 1];
  if (bytes[offset] !== 0x02 || length === undefined || length === 0 || length > 33) return undefined;
  const next = offset + 2 + length;
  if (next > bytes.length) return undefined;
  return { value: toBigInt(bytes.subarray(offset + 2, next)), next };
}
