import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/domain/directory';
import { ForbiddenError } from '../../../src/http/errors';
import { authorize, identify } from '../../../src/http/request-identity';

const fixture = readFileSync(new URL('../../events/api-gateway-add-note.json', import.meta.url), 'utf8');
const directory: Directory = {
  agencies: [{ id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' }],
  oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'الامتثال' } }],
  clients: [
    { id: 'police', agency: 'police', scopes: ['cases.read', 'cases.write', 'exchange'] },
    { id: 'compliance', agency: 'compliance', scopes: ['audit.read', 'stats.read'] },
  ],
};

/** The fixture's event with the token claims given. */
function eventWith(claims: Record<string, string>): APIGatewayProxyEvent {
  const event = JSON.parse(fixture) as APIGatewayProxyEvent;
  const current = event.requestContext.authorizer?.claims as Record<string, string>;
  event.requestContext.authorizer = { claims: { ...current, ...claims } };
  return event;
}

const scopeOf = (...scopes: string[]) => scopes.map((scope) => `himaya/${scope}`).join(' ');

describe('identify: the token scopes held against the directory', () => {
  it('keeps the token scopes the directory grants the client', () => {
    const identity = identify(eventWith({ scope: scopeOf('cases.read', 'exchange') }), directory);

    expect(identity.scopes).toEqual(['cases.read', 'exchange']);
  });

  it('drops a scope the token carries but the directory does not give the client', () => {
    const identity = identify(
      eventWith({ scope: scopeOf('cases.read', 'audit.read', 'stats.read') }),
      directory,
    );

    expect(identity.scopes).toEqual(['cases.read']);
  });

  it('never adds a directory scope the token does not carry', () => {
    const identity = identify(eventWith({ scope: scopeOf('cases.read') }), directory);

    expect(identity.scopes).toEqual(['cases.read']);
  });

  it('gives an unknown client no scopes at all', () => {
    const identity = identify(eventWith({ client_id: 'stranger', scope: scopeOf('cases.read') }), directory);

    expect(identity.scopes).toEqual([]);
    expect(identity.agency).toBeNull();
  });

  it('refuses with insufficient-scope a police token that carries audit.read', () => {
    const identity = identify(eventWith({ scope: scopeOf('cases.read', 'audit.read') }), directory);

    expect(() => authorize(identity, 'audit.read')).toThrow(ForbiddenError);
    expect(authorize(identity, 'cases.read').scopes).toEqual(['cases.read']);
  });

  it('still names an unregistered client as such', () => {
    const identity = identify(eventWith({ client_id: 'stranger', scope: scopeOf('cases.read') }), directory);

    expect(() => authorize(identity, 'cases.read')).toThrow('This client is not registered with an agency.');
  });
});
