import { compoundInputs, type MatchSubject } from './blind-index';

/** Two records of a child, and whether they are the same child (the label). */
export interface LabelledPair {
  id: string;
  same: boolean;
  a: MatchSubject;
  b: MatchSubject;
}

export interface MatchingEvaluation {
  pairs: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Of the pairs the keys call the same child, the share that are. */
  precision: number;
  /** Of the pairs that are the same child, the share the keys find. */
  recall: number;
  /** Ids of the labelled-same pairs the keys miss, and of the labelled-different pairs they join. */
  missed: string[];
  joined: string[];
}

/**
 * What a lookup would answer with full tokens: the same child when any compound index input of one
 * record equals the same index's input of the other (national id, or name + date, or name + year).
 */
export function sameChildByKeys(a: MatchSubject, b: MatchSubject): boolean {
  const inputsOfA = new Set(compoundInputs(a).map((entry) => entry.input));
  return compoundInputs(b).some((entry) => inputsOfA.has(entry.input));
}

/** Precision and recall of `sameChildByKeys` over a labelled set (test/fixtures/matching/evaluation.json). */
export function evaluateMatching(pairs: readonly LabelledPair[]): MatchingEvaluation {
  const missed: string[] = [];
  const joined: string[] = [];
  let truePositives = 0;
  let trueNegatives = 0;
  for (const pair of pairs) {
    const predicted = sameChildByKeys(pair.a, pair.b);
    if (predicted && pair.same) truePositives++;
    else if (!predicted && !pair.same) trueNegatives++;
    else (pair.same ? missed : joined).push(pair.id);
  }
  const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
  return {
    pairs: pairs.length,
    truePositives,
    falsePositives: joined.length,
    falseNegatives: missed.length,
    trueNegatives,
    precision: ratio(truePositives, truePositives + joined.length),
    recall: ratio(truePositives, truePositives + missed.length),
    missed,
    joined,
  };
}
