import type { ConsoleConfig } from '../config-file';

export type { ConsoleConfig };

const REQUIRED: (keyof ConsoleConfig)[] = [
  'apiBase',
  'authBase',
  'clientId',
  'redirectUri',
  'scope',
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
  const pinned = config.checkpointKeyFingerprint;
  if (pinned !== null && typeof pinned !== 'string') missing.push('checkpointKeyFingerprint');
  if (missing.length > 0) throw new ConfigError(`config.json lacks ${missing.join(', ')}`);
  const typed = config as unknown as ConsoleConfig;
  return {
    ...typed,
    apiBase: typed.apiBase.replace(/\/+$/, ''),
    authBase: typed.authBase.replace(/\/+$/, ''),
  };
}
