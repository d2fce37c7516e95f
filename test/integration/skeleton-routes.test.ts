import { describe, expect, it } from 'vitest';
import { call } from '../support/client';
import { tokenFor } from '../support/tokens';

describe('the local gateway serving the skeleton routes', () => {
  it('answers GET /v1/health without a token', async () => {
    const response = await call('GET', '/v1/health', { user: null });

    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('lists both agencies, with Arabic and English names, for a token with cases.read', async () => {
    const token = await tokenFor('police');

    const response = await call('GET', '/v1/agencies', { token });

    expect(response.status).toBe(200);
    const agencies = response.json.agencies as { id: string; name: { en: string; ar: string } }[];
    expect(agencies.map((a) => a.id).sort()).toEqual(['cfpc', 'police']);
    expect(agencies.find((a) => a.id === 'cfpc')?.name.ar).toBe('مركز حماية الطفل والأسرة');
    expect(JSON.stringify(agencies)).not.toMatch(/keyArn|arn:aws/);
  });

  it('refuses GET /v1/agencies without a token with 401 problem+json', async () => {
    const response = await call('GET', '/v1/agencies');

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 401, code: 'unauthorized', title: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('needs X-Himaya-User on authenticated routes (400 naming the header)', async () => {
    const token = await tokenFor('cfpc');

    const response = await call('GET', '/v1/agencies', { token, user: null });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'headers.x-himaya-user', message: 'required' }]);
  });

  it('serves an OpenAPI 3.1 document whose paths are the route table', async () => {
    const { routes } = await import('../../src/http/routes');

    const response = await call('GET', '/v1/openapi.json', { user: null });

    expect(response.status).toBe(200);
    expect(response.json.openapi).toBe('3.1.0');
    const paths = response.json.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('answers an unknown path with 404 and a known path with another method with 405', async () => {
    const unknown = await call('GET', '/v1/nothing-here');
    const wrongMethod = await call('DELETE', '/v1/health');

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.json.code).toBe('method-not-allowed');
  });

  it('refuses a body over the limit with 413 before authorizing', async () => {
    const response = await call('POST', '/v1/agencies', {
      rawBody: 'x'.repeat(300 * 1024),
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(413);
    expect(response.json.code).toBe('payload-too-large');
  });
});
