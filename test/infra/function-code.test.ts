import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleFunctionSync } from '../../lib/function-bundles';
import { HimayaStack } from '../../lib/himaya-stack';
import { TEST_STACK_PROPS } from '../support/stack-props';

/**
 * What deploys is what `npm start -- --bundles` serves: each function's code asset is its own bundle,
 * made by lib/function-bundles.ts, and nothing else. Synthesised with bundling, into a folder of its own.
 */
describe('the functions’ code', () => {
  let outdir: string;
  let template: Template;
  let functions: { name: string; handler: string; key: string }[];

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'himaya-cdk-out-'));
    const app = new App({ outdir });
    template = Template.fromStack(new HimayaStack(app, 'Himaya', TEST_STACK_PROPS));
    const resources = template.findResources('AWS::Lambda::Function');
    functions = Object.values(resources)
      .map((resource) => resource.Properties)
      .filter((properties) => String(properties.Description ?? '').startsWith('Himaya '))
      .map((properties) => ({
        name: String(properties.Description).replace('Himaya ', ''),
        handler: properties.Handler,
        key: String(properties.Code.S3Key),
      }));
  }, 180_000);
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('is one bundle per function, loaded as index.handler', () => {
    expect(functions.length).toBeGreaterThanOrEqual(8);
    expect(new Set(functions.map((fn) => fn.key)).size).toBe(functions.length);
    for (const fn of functions) expect(fn.handler).toBe('index.handler');
  });

  it('is byte for byte the bundle lib/function-bundles.ts makes', async () => {
    const cases = functions.find((fn) => fn.name === 'cases');
    const staged = join(outdir, `asset.${cases?.key.replace(/\.zip$/, '')}`, BUNDLE_FILE);
    const fresh = await mkdtemp(join(tmpdir(), 'himaya-bundle-'));
    try {
      bundleFunctionSync('cases', fresh);
      expect(await readFile(staged)).toEqual(await readFile(join(fresh, BUNDLE_FILE)));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
