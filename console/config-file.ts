/**
 * `/console/config.json`: what the console is told about where it runs. The same fields locally (served by
 * local/console-server.ts) and in AWS (deployed beside the build by the stack).
 */
export interface ConsoleConfig {
  /** The API's base URL: the console's own origin (its CSP lets it call no other for the API). */
  apiBase: string;
  /** The authorization server's base URL: `/oauth2/authorize`, `/oauth2/token` and `/logout` under it. */
  authBase: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  /**
   * The fingerprint of the checkpoint signing key the console trusts: SHA-256 of its DER
   * SubjectPublicKeyInfo, lowercase hex, with or without the `SHA256:` prefix. Null when none is pinned:
   * the console then says verification is not configured, and never that the log verified.
   */
  checkpointKeyFingerprint: string | null;
  /** The origin line the log's checkpoints carry. */
  logOrigin: string;
}

export const CONSOLE_CONFIG_FILE = 'config.json';
