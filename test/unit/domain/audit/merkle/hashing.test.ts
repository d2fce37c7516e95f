import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleTreeError } from '../../../../../src/domain/audit/merkle/errors';
import { leafHash, nodeHash, rootHash } from '../../../../../src/domain/audit/merkle/hashing';
import { hex, LEAVES, MAX_LEAVES, refLeaf, refMth, sha256 } from './reference';

describe('leafHash and nodeHash', () => {
  it('prefix the input with 0x00 for leaves and 0x01 for nodes (domain separation)', () => {
    // Prepare
    const input = Buffer.from('event');
    const left = refLeaf(Buffer.from('l'));
    const right = refLeaf(Buffer.from('r'));

    // Act
    const leaf = leafHash(input);
    const node = nodeHash(left, right);

    // Assess
    expect(hex(leaf)).toBe(hex(sha256(Uint8Array.of(0), input)));
    expect(hex(node)).toBe(hex(sha256(Uint8Array.of(1), left, right)));
    expect(hex(leafHash(Buffer.concat([left, right])))).not.toBe(hex(node));
  });
});

describe('rootHash', () => {
  it('returns the empty-tree hash SHA-256("") for no leaves', () => {
    // Act
    const root = rootHash([]);

    // Assess
    expect(hex(root)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('equals the reference MTH for random trees of up to several thousand leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES }), (size) => {
        // Act
        const root = rootHash(LEAVES.slice(0, size));

        // Assess
        expect(hex(root)).toBe(hex(refMth(LEAVES.slice(0, size))));
      }),
      { numRuns: 60 },
    );
  });

  it('equals the reference MTH for small trees of random leaf inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), (inputs) => {
        // Prepare
        const leaves = inputs.map(leafHash);

        // Act
        const root = rootHash(leaves);

        // Assess
        expect(hex(root)).toBe(hex(refMth(inputs.map(refLeaf))));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a leaf hash that is not 32 bytes', () => {
    // Act + Assess
    expect(() => rootHash([new Uint8Array(31)])).toThrow(MerkleTreeError);
  });
});
