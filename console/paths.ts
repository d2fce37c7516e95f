import { join } from 'node:path';

/**
 * The folder the console is built into: everything in it is served as-is, locally at /console by the
 * gateway and in AWS from S3 behind CloudFront (the stack deploys this folder, plus its config.json).
 */
export const CONSOLE_DIST_DIR = join(import.meta.dirname, 'dist');

/** Where the console is served from, under the API's own origin locally. */
export const CONSOLE_PATH = '/console/';

/** The OAuth2 client the console signs officers in as. */
export const CONSOLE_CLIENT_ID = 'himaya-console';
