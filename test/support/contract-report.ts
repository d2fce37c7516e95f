import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_REPORT_DIR, CONTRACT_VIOLATIONS_FILE, type ContractViolation } from './contract';

export const CONTRACT_SUMMARY_FILE = join(CONTRACT_REPORT_DIR, 'summary.json');

interface SummaryEntry {
  operationId: string | null;
  status: number;
  kind: ContractViolation['kind'];
  count: number;
  /** One occurrence, to show what drifted. */
  example: string;
}

/** The violations of a run, one entry per operation, status and kind, most frequent first. */
export function summarizeViolations(violations: ContractViolation[]): SummaryEntry[] {
  const entries = new Map<string, SummaryEntry>();
  for (const violation of violations) {
    const key = `${violation.operationId} ${violation.status} ${violation.kind}`;
    const entry = entries.get(key);
    if (entry) entry.count += 1;
    else
      entries.set(key, {
        operationId: violation.operationId,
        status: violation.status,
        kind: violation.kind,
        count: 1,
        example: `${violation.method} ${violation.path}: ${violation.message}`,
      });
  }
  return [...entries.values()].sort(
    (a, b) =>
      String(a.operationId).localeCompare(String(b.operationId)) || a.status - b.status || b.count - a.count,
  );
}

/**
 * Global setup of the integration project. In report mode (`HIMAYA_CONTRACT=report`) it starts the run
 * with an empty violations file and, at the end, writes the deduplicated summary beside it. In strict mode
 * a violation fails its test, so there is nothing to collect.
 */
export default function setup() {
  if (process.env.HIMAYA_CONTRACT !== 'report') return;
  rmSync(CONTRACT_REPORT_DIR, { recursive: true, force: true });
  return () => {
    const violations: ContractViolation[] = existsSync(CONTRACT_VIOLATIONS_FILE)
      ? readFileSync(CONTRACT_VIOLATIONS_FILE, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
    const summary = summarizeViolations(violations);
    mkdirSync(CONTRACT_REPORT_DIR, { recursive: true });
    writeFileSync(CONTRACT_SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
    // Report mode is asked for by hand: say where the checklist is.
    console.log(
      `contract report: ${summary.length} distinct violations (${violations.length} in all) in ${CONTRACT_SUMMARY_FILE}`,
    );
  };
}
