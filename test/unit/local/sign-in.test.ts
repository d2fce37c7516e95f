import { describe, expect, it } from 'vitest';
import { consoleRedirectUris, registeredConsoleOrigin } from '../../../local/sign-in';

const gateway = { port: 3000, url: 'http://127.0.0.1:3000' };

describe('consoleRedirectUris', () => {
  it('registers the console at localhost, 127.0.0.1 and [::1] on the gateway port, each exactly', () => {
    expect(consoleRedirectUris(gateway)).toEqual([
      'http://localhost:3000/console/',
      'http://127.0.0.1:3000/console/',
      'http://[::1]:3000/console/',
    ]);
  });

  it('adds the gateway own address when it listens on another host', () => {
    expect(consoleRedirectUris({ port: 4000, url: 'http://192.0.2.10:4000' })).toContain(
      'http://192.0.2.10:4000/console/',
    );
  });
});

describe('registeredConsoleOrigin', () => {
  it('answers the origin a request came by when it is registered', () => {
    expect(registeredConsoleOrigin('localhost:3000', gateway)).toBe('http://localhost:3000');
    expect(registeredConsoleOrigin('[::1]:3000', gateway)).toBe('http://[::1]:3000');
  });

  it('answers nothing for another host or port, or no Host at all', () => {
    expect(registeredConsoleOrigin('evil.example:3000', gateway)).toBeUndefined();
    expect(registeredConsoleOrigin('localhost:3001', gateway)).toBeUndefined();
    expect(registeredConsoleOrigin(undefined, gateway)).toBeUndefined();
  });
});
