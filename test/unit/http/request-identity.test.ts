import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/domain/directory';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../../src/http/errors';
import { authorize, identify } from '../../../src/http/request-identity';

const fixture = readFileSync(new URL('../../events/api-gateway-add-note.json', import.meta.url), 'utf8');
const directory: Directory = {
  agencies: [{ id: 'police', name: { en: 'Police', ar: 'الشرطة' }, kind: 'police' }],
  oversight: [{ id: 'compliance', name: { en: 'Compliance', ar: 'الامتثال' } }],
  clients: [
    { id: 'police', agency: 'police', scopes: ['cases.read', 'cases.write', 'exchange'] },
    { id: 'compliance', agency: 'compliance', scopes: ['audit.read', 'stats.read'] },
    { id: 'himaya-console', agency: 'compliance', scopes: ['audit.read'], kind: 'people' },
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

describe('authorize: a person signed in through the console', () => {
  /** The fixture's event as if an officer's user token had come through the console's client. */
  function officerEvent(claims: Record<string, string> = {}, user?: string): APIGatewayProxyEvent {
    const event = eventWith({
      client_id: 'himaya-console',
      scope: scopeOf('audit.read'),
      username: 'amal.officer',
      ...claims,
    });
    if (user === undefined) delete event.headers['x-himaya-user'];
    else event.headers['x-himaya-user'] = user;
    return event;
  }

  it('takes the officer from the token, with no X-Himaya-User', () => {
    const identity = identify(officerEvent(), directory);

    expect(authorize(identity, 'audit.read')).toMatchObject({ user: 'amal.officer', agency: 'compliance' });
  });

  it('accepts X-Himaya-User when it names the same officer', () => {
    const identity = identify(officerEvent({}, 'amal.officer'), directory);

    expect(authorize(identity, 'audit.read').user).toBe('amal.officer');
  });

  it.each([
    ['another officer', 'auditor-1'],
    ['an invalid value', 'drop table;'],
  ])('refuses X-Himaya-User naming %s', (_name, user) => {
    const identity = identify(officerEvent({}, user), directory);

    expect(() => authorize(identity, 'audit.read')).toThrow(ValidationError);
  });

  it('refuses a console token that names no person', () => {
    const event = officerEvent();
    const claims = event.requestContext.authorizer?.claims as Record<string, string>;
    delete claims.username;

    expect(() => authorize(identify(event, directory), 'audit.read')).toThrow(UnauthorizedError);
  });

  it('refuses a username the access log could not record as it is', () => {
    const identity = identify(officerEvent({ username: 'amal officer' }), directory);

    expect(() => authorize(identity, 'audit.read')).toThrow(UnauthorizedError);
  });

  it('refuses a machine client token that names a person', () => {
    const identity = identify(
      eventWith({ client_id: 'compliance', scope: scopeOf('audit.read'), username: 'x' }),
      directory,
    );

    expect(() => authorize(identity, 'audit.read')).toThrow(UnauthorizedError);
  });

  it('still refuses the routes beyond the console client scope', () => {
    const identity = identify(officerEvent({ scope: scopeOf('audit.read', 'stats.read') }), directory);

    expect(() => authorize(identity, 'stats.read')).toThrow(ForbiddenError);
  });
});
