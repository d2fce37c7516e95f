import { describe, expect, it } from 'vitest';
import { refusalLog } from '../../../local/refusal-log';
import type { AuditEvent } from '../../../src/domain/audit/event';
import type { Directory } from '../../../src/domain/directory';

const directory = {
  agencies: [{ id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' }],
  clients: [{ id: 'police', agency: 'police', scopes: ['cases.read'] }],
  oversight: [],
} as unknown as Directory;

function setup(max = 2) {
  const recorded: AuditEvent[] = [];
  const log = refusalLog({
    recorder: { record: async (e) => void recorded.push(e) },
    directory,
    max,
    windowMs: 60_000,
  });
  let n = 0;
  /** One refused request from an address at a time, answered as the gateway would. */
  const refuse = async (sourceIp: string, at: number, clientId?: string) => {
    const status = (!clientId && log.overBudget(sourceIp, at)?.statusCode) || (clientId ? 403 : 401);
    const refusal = {
      method: 'GET',
      path: '/v1/agencies',
      requestId: `r-${n++}`,
      sourceIp,
      time: new Date(at),
      status,
    };
    await log.record(clientId ? { ...refusal, clientId } : refusal);
    return status;
  };
  return { recorded, refuse };
}

describe('refusalLog', () => {
  it('answers an address 429 past its budget of anonymous refusals, and logs one 429 a window', async () => {
    const { recorded, refuse } = setup();

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await refuse('198.51.100.1', 1_000 + i));

    expect(statuses).toEqual([401, 401, 429, 429, 429]);
    expect(recorded.map((event) => event.outcome)).toEqual([401, 401, 429]);
  });

  it('keeps addresses apart, starts again with the next window, and never throttles a verified client', async () => {
    const { recorded, refuse } = setup();
    for (let i = 0; i < 3; i++) await refuse('198.51.100.1', 1_000);

    expect(await refuse('198.51.100.2', 1_000)).toBe(401);
    expect(await refuse('198.51.100.1', 61_001)).toBe(401);
    expect(await refuse('198.51.100.1', 1_000, 'police')).toBe(403);
    expect(recorded.at(-1)).toMatchObject({ outcome: 403, clientId: 'police', agency: 'police' });
  });
});
