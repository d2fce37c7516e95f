import { describe, expect, it } from 'vitest';
import { normalisePath } from '../../../src/http/resource-path';

describe('normalisePath', () => {
  it('gives two spellings of one resource one path', () => {
    expect(normalisePath('/v1/cases/%31%61b')).toBe('/v1/cases/1ab');
    expect(normalisePath('/v1/%63ases/./x/../1ab')).toBe('/v1/cases/1ab');
    expect(normalisePath('/v1/cases/a%2fb')).toBe(normalisePath('/v1/cases/a%2Fb'));
  });

  it('keeps an encoded slash or percent apart from the character, and encodes what a path may not hold', () => {
    expect(normalisePath('/v1/cases/a%2Fb')).toBe('/v1/cases/a%2Fb');
    expect(normalisePath('/v1/x%zz')).toBe('/v1/x%25zz');
    expect(normalisePath('/v1/حماية y')).toBe('/v1/%D8%AD%D9%85%D8%A7%D9%8A%D8%A9%20y');
    expect(normalisePath('/v1/%D8%AD')).toBe(normalisePath('/v1/ح'));
  });

  it('never climbs above the root', () => {
    expect(normalisePath('/../../v1/health')).toBe('/v1/health');
  });
});
