import { vi } from 'vitest';

/** A JSON log line, parsed (Powertools logger records are one JSON object a line). */
export type LogRecord = Record<string, unknown>;

function parsedRecord(line: string): LogRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as LogRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes what this process writes to stdout and stderr (the log lines of functions run in it) instead of
 * printing it, so that a green run stays silent and a test can assert on what was logged.
 */
export function captureOutput() {
  const lines: string[] = [];
  const keep = (chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(keep as typeof process.stdout.write),
    vi.spyOn(process.stderr, 'write').mockImplementation(keep as typeof process.stderr.write),
  ];
  return {
    /** Every line written since the capture began (or since `clear()`). */
    lines,
    /** The lines that are not log records: stray output. */
    strayLines: () => lines.filter((line) => parsedRecord(line) === undefined),
    records: (): LogRecord[] =>
      lines.map(parsedRecord).filter((record): record is LogRecord => record !== undefined),
    clear: () => {
      lines.length = 0;
    },
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
