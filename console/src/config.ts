/** What the console is told about where it runs: served beside it as config.json. */
export interface ConsoleConfig {
  /** The API's base URL (no trailing slash). */
  apiBase: string;
  /** The authorization server's base URL: `/oauth2/authorize` and `/oauth2/token` under it. */
  authBase: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  /** The fingerprint of the checkpoint signing key this console trusts; any other key is refused. */
  checkpointKeyFingerprint: string;
  /** The origin line the log's checkpoints carry. */
  logOrigin: string;
}

const REQUIRED: (keyof ConsoleConfig)[] = [
  'apiBase',
  'authBase',
  'clientId',
  'redirectUri',
  'scope',
  'checkpointKeyFingerprint',
  'logOrigin',
];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) throw new ConfigError(`config.json answered ${response.status}`);
  const config = (await response.json()) as Record<string, unknown>;
  const missing = REQUIRED.filter((key) => typeof config[key] !== 'string' || config[key] === '');
  if (missing.length > 0) throw new ConfigError(`config.json lacks ${missing.join(', ')}`);
  const typed = config as unknown as ConsoleConfig;
  return {
    ...typed,
    apiBase: typed.apiBase.replace(/\/+$/, ''),
    authBase: typed.authBase.replace(/\/+$/, ''),
  };
}
