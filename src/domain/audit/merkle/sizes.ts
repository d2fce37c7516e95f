/**
 * Tree sizes and leaf indices. They are JavaScript numbers and must be safe integers (< 2^53); arithmetic
 * uses division rather than 32-bit bitwise operators so every safe size works.
 */
import { MerkleTreeError } from './errors';

export function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function requireSize(value: unknown, what: string): number {
  if (!isSize(value))
    throw new MerkleTreeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
  return value;
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** The number of set bits of a safe integer. */
export function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = half(rest)) if (isOdd(rest)) count++;
  return count;
}

/** The largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
