import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { CONSOLE_CONFIG_FILE, type ConsoleConfig } from '../console/config-file';
import { CONSOLE_CLIENT_ID, CONSOLE_PATH } from '../console/paths';
import { formatFingerprint } from '../src/domain/audit/log-verification';
import { scopeClaim } from '../src/domain/directory';
import { registeredConsoleOrigin } from './sign-in';

/**
 * Serves the compliance console at /console on the local gateway's origin, as CloudFront serves it in
 * AWS: the built files as they are, and config.json made for this stack. Every answer carries the strict
 * headers the console is built for (no inline script or style anywhere, so the CSP needs no exception).
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // The files change with every build and are small: the browser asks again each time.
  'Cache-Control': 'no-cache',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** One plain file name of the build: no folder, no dot file, nothing that could leave the folder. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/;

export interface ConsoleSiteOptions {
  /** The built console (CONSOLE_DIST_DIR). */
  distDir: string;
  /** config.json for the console as opened at `origin` (the gateway's own, or a loopback name for it). */
  config: (origin: string) => Promise<ConsoleConfig>;
  /** The gateway's own origin, once it listens. */
  origin: () => string;
}

/**
 * The origin the browser opened the console at, when it is one the sign-in accepts redirects to (a
 * loopback name for the gateway's port); the gateway's own origin otherwise. The console must call the API
 * and sign in on its own origin: its CSP allows no other, and the PKCE state it keeps is per origin.
 */
function openedAt(request: IncomingMessage, gatewayOrigin: string): string {
  const gateway = { url: gatewayOrigin, port: Number(new URL(gatewayOrigin).port) };
  return registeredConsoleOrigin(request.headers.host, gateway) ?? gatewayOrigin;
}

/** Answers a request when it is the console's (true), and leaves any other to the gateway (false). */
export type SiteHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

function answer(response: ServerResponse, status: number, headers: Record<string, string>, body = ''): void {
  const bytes = Buffer.from(body);
  response.writeHead(status, { ...CONSOLE_SECURITY_HEADERS, ...headers, 'Content-Length': bytes.length });
  response.end(bytes);
}

async function serveFile(distDir: string, name: string, response: ServerResponse) {
  const type = CONTENT_TYPES[extname(name)];
  if (!FILE_NAME.test(name) || !type)
    return answer(response, 404, { 'Content-Type': 'text/plain' }, 'Not found');
  let body: Buffer;
  try {
    body = await readFile(join(distDir, name));
  } catch {
    return answer(response, 404, { 'Content-Type': 'text/plain' }, 'Not found');
  }
  response.writeHead(200, {
    ...CONSOLE_SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': body.length,
  });
  // Node sends no body in answer to HEAD, and keeps the length the body would have.
  response.end(body);
}

async function serve(options: ConsoleSiteOptions, request: IncomingMessage, response: ServerResponse) {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    return answer(response, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'Method not allowed');
  }
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (pathname === CONSOLE_PATH.slice(0, -1)) return answer(response, 301, { Location: CONSOLE_PATH });
  const name = pathname.slice(CONSOLE_PATH.length) || 'index.html';
  if (name === CONSOLE_CONFIG_FILE) {
    const config = await options.config(openedAt(request, options.origin()));
    const body = `${JSON.stringify(config, null, 2)}\n`;
    return answer(response, 200, { 'Content-Type': CONTENT_TYPES['.json'] as string }, body);
  }
  return serveFile(options.distDir, name, response);
}

export function consoleSite(options: ConsoleSiteOptions): SiteHandler {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path !== CONSOLE_PATH.slice(0, -1) && !path.startsWith(CONSOLE_PATH)) return false;
    serve(options, request, response).catch(() => {
      if (!response.headersSent)
        answer(response, 500, { 'Content-Type': 'text/plain' }, 'The console failed.');
      else response.destroy();
    });
    return true;
  };
}

/** config.json for a console served by the local gateway at `origin`, signing in at its own issuer. */
export function localConsoleConfig(origin: string, spkiDer: Uint8Array, logOrigin: string): ConsoleConfig {
  return {
    apiBase: origin,
    authBase: origin,
    clientId: CONSOLE_CLIENT_ID,
    redirectUri: `${origin}${CONSOLE_PATH}`,
    scope: scopeClaim('audit.read'),
    // The console refuses a served key of any other fingerprint (the shared module's format).
    checkpointKeyFingerprint: formatFingerprint(spkiDer),
    logOrigin,
  };
}
