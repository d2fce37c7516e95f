/** The transparency-dev/merkle test vectors (see test/fixtures/merkle/README.md). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const FIXTURES = join(import.meta.dirname, '../../../../fixtures/merkle');

function loadVectors<T>(folder: string): { file: string; vector: T }[] {
  return readdirSync(join(FIXTURES, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      file: relative(FIXTURES, join(FIXTURES, folder, file)),
      vector: JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as T,
    }));
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ReferenceTree {
  leafInputsHex: string[];
  rootHashesHexBySize: string[];
}

export const inclusionVectors = loadVectors<InclusionVector>('inclusion');
export const consistencyVectors = loadVectors<ConsistencyVector>('consistency');
export const referenceTree = JSON.parse(
  readFileSync(join(FIXTURES, 'reference-tree.json'), 'utf8'),
) as ReferenceTree;
