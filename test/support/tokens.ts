import { openIssuer } from '../../local/issuer';
import { readDirectoryFile } from '../../local/stack';
import type { Scope } from '../../src/domain/directory';
import { stack } from './client';

/** A bearer token from the shared stack's issuer for a client of the agency directory. */
export async function tokenFor(clientId: string, scopes?: Scope[]): Promise<string> {
  const issuer = await openIssuer(stack.issuerKeyFile, await readDirectoryFile());
  return issuer.issue(clientId, scopes ? { scopes } : {});
}

/** Tokens for several clients, in the order named: `const [cfpc, police] = await tokensFor('cfpc', 'police')`. */
export async function tokensFor<const ClientIds extends readonly string[]>(
  ...clientIds: ClientIds
): Promise<{ -readonly [I in keyof ClientIds]: string }> {
  const issuer = await openIssuer(stack.issuerKeyFile, await readDirectoryFile());
  return (await Promise.all(clientIds.map((clientId) => issuer.issue(clientId)))) as {
    -readonly [I in keyof ClientIds]: string;
  };
}
