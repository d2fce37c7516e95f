import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, type LambdaHandler, startGateway } from '../../local/gateway';
import { openIssuer } from '../../local/issuer';
import { type Directory, DirectorySchema } from '../../src/domain/directory';
import { fullCaseBody } from '../support/cases';
import { stack } from '../support/client';
import { fetchChecked } from '../support/contract';
import { createCase } from '../support/exchange';
import { tokensFor } from '../support/tokens';

/**
 * The emergency policy as configured (EMERGENCY_ACCESS_SECTIONS, EMERGENCY_ACCESS_DAILY_CAP), on a gateway
 * of this file's own over the shared tables. The cap counts per agency and day across the whole suite, so
 * the calls come from an agency added for this run alone: no other file moves its count.
 */
const RESCUE = `rescue-${randomBytes(4).toString('hex')}`;
const [cfpc] = await tokensFor('cfpc');
let gateway: Gateway;
let rescue: string;

async function send(method: string, path: string, options: { purpose?: string; body?: unknown } = {}) {
  const response = await fetchChecked(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${rescue}`,
      'x-himaya-user': 'paramedic-2',
      ...(options.purpose ? { 'x-himaya-purpose': options.purpose } : {}),
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text || '{}') };
}

const breakGlass = (caseId: string, sections: string[]) =>
  send('POST', `/v1/cases/${caseId}/emergency-access`, {
    purpose: 'emergency',
    body: { justification: 'Ambulance called to the home', sections },
  });

describe('emergency access as configured', () => {
  beforeAll(async () => {
    const deployed = DirectorySchema.parse(JSON.parse(stack.environment.AGENCY_DIRECTORY ?? ''));
    const directory: Directory = {
      ...deployed,
      agencies: [...deployed.agencies, { id: RESCUE, name: { en: 'Rescue', ar: 'الإسعاف' }, kind: 'health' }],
      clients: [...deployed.clients, { id: RESCUE, agency: RESCUE, scopes: ['cases.read', 'exchange'] }],
    };
    // The functions read their configuration at import: set before the first request loads them.
    Object.assign(process.env, stack.environment, {
      AGENCY_DIRECTORY: JSON.stringify(directory),
      EMERGENCY_ACCESS_SECTIONS: 'identity,report',
      EMERGENCY_ACCESS_DAILY_CAP: '2',
    });
    const issuer = await openIssuer(stack.issuerKeyFile, directory);
    gateway = await startGateway({
      port: 0,
      issuer,
      loadHandler: async (fn) =>
        ((await import(`../../functions/${fn}.ts`)) as { handler: LambdaHandler }).handler,
    });
    rescue = await issuer.issue(RESCUE);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('opens only the configured sections, caps the agency’s day with 429 and Retry-After', async () => {
    // Prepare
    const cases = await Promise.all([1, 2, 3].map(() => createCase(cfpc, fullCaseBody())));
    const [first, second, third] = cases as [string, string, string];

    // Act
    const closed = await breakGlass(first, ['identity', 'assessment']);
    const granted = await breakGlass(first, ['identity', 'report']);
    const read = await send('GET', `/v1/cases/${first}`, { purpose: 'emergency' });
    const again = await breakGlass(second, ['report']);
    const capped = await breakGlass(third, ['report']);
    const hidden = await send('GET', `/v1/cases/${third}`, { purpose: 'emergency' });

    // Assess
    expect(closed.status).toBe(422);
    expect(closed.json.code).toBe('emergency-section-closed');
    expect(granted.status).toBe(201);
    expect(Object.keys(read.json.sections).sort()).toEqual(['identity', 'report']);
    expect(again.status).toBe(201);
    expect(capped.status).toBe(429);
    expect(capped.json.code).toBe('emergency-cap-reached');
    const retryAfter = Number(capped.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    expect(hidden.status).toBe(404);
  });
});
