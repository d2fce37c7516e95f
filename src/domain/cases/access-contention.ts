import { AccessContentionError } from '../errors';
import { AccessChangedError } from './ports';

/** How often a read-decide-write step runs by default when access to the case keeps changing under it. */
const MAX_ATTEMPTS = 3;

/**
 * Runs a read-decide-write step again when who may see the case changed between its read and its write
 * (`AccessChangedError`, which the store raises before writing anything). `attempt` starts at 1.
 */
export async function retryOnAccessChange<T>(
  step: (attempt: number) => Promise<T>,
  maxAttempts = MAX_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (!(error instanceof AccessChangedError)) throw error;
      if (attempt >= maxAttempts) throw new AccessContentionError();
    }
  }
}
