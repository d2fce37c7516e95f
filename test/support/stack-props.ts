import { fileURLToPath } from 'node:url';
import type { HimayaStackProps } from '../../lib/himaya-stack';

/**
 * What the infra tests synthesise with: a fixed Cognito domain prefix, and a stand-in for the built
 * console (its build is the console's own and is not what these tests check).
 */
export const TEST_STACK_PROPS = {
  cognitoDomainPrefix: 'himaya-test',
  consoleFiles: fileURLToPath(new URL('../fixtures/console', import.meta.url)),
} satisfies HimayaStackProps;
