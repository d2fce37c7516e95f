/**
 * The key specs the emulator supports, with what KMS allows each to do.
 * One table so that CreateKey, DescribeKey, GetPublicKey and the usage checks of every operation agree.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export const KEY_SPECS = ['SYMMETRIC_DEFAULT', 'ECC_NIST_EDWARDS25519', 'ECC_NIST_P256', 'HMAC_256'] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** Every value of the AWS enums, so that a known-but-unsupported value is told apart from a typo. */
export const ENCRYPTION_ALGORITHMS = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

export const SIGNING_ALGORITHMS = [
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'ED25519_PH_SHA_512',
  'ED25519_SHA_512',
  'ML_DSA_SHAKE_256',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'SM2DSA',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

export interface KeySpecProfile {
  usage: KeyUsage;
  encryptionAlgorithms?: EncryptionAlgorithm[];
  /**
   * Ed25519 keys in AWS also offer ED25519_PH_SHA_512 (pre-hashed Ed25519ph); Node's crypto cannot
   * compute it, so the emulator does not advertise it rather than fake it.
   */
  signingAlgorithms?: SigningAlgorithm[];
  macAlgorithms?: MacAlgorithm[];
}

export const KEY_SPEC_PROFILES: Record<KeySpec, KeySpecProfile> = {
  SYMMETRIC_DEFAULT: { usage: 'ENCRYPT_DECRYPT', encryptionAlgorithms: ['SYMMETRIC_DEFAULT'] },
  ECC_NIST_EDWARDS25519: { usage: 'SIGN_VERIFY', signingAlgorithms: ['ED25519_SHA_512'] },
  ECC_NIST_P256: { usage: 'SIGN_VERIFY', signingAlgorithms: ['ECDSA_SHA_256'] },
  HMAC_256: { usage: 'GENERATE_VERIFY_MAC', macAlgorithms: ['HMAC_SHA_256'] },
};

/**
 * Fresh key material, as bytes to persist: the raw secret for symmetric and HMAC keys (32 bytes, like
 * AWS), the PKCS#8 DER private key for asymmetric ones.
 */
export function generateMaterial(spec: KeySpec): Buffer {
  switch (spec) {
    case 'SYMMETRIC_DEFAULT':
    case 'HMAC_256':
      return randomBytes(32);
    case 'ECC_NIST_EDWARDS25519':
      return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
    case 'ECC_NIST_P256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        format: 'der',
        type: 'pkcs8',
      });
  }
}

export function isAsymmetric(spec: KeySpec): boolean {
  return KEY_SPEC_PROFILES[spec].usage === 'SIGN_VERIFY';
}
