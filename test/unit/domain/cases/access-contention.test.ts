import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryOnAccessChange } from '../../../../src/domain/cases/access-contention';
import { AccessChangedError, CaseGoneError, StaleVersionError } from '../../../../src/domain/cases/ports';
import { AccessContentionError, DependencyUnavailableError } from '../../../../src/domain/errors';
import { GrantChangedError } from '../../../../src/domain/exchange/ports';

/** A step that fails with the given errors, one per attempt, then answers `done`; it notes each attempt. */
function stepFailingWith(...errors: Error[]) {
  const attempts: number[] = [];
  const step = async (attempt: number) => {
    attempts.push(attempt);
    const error = errors[attempts.length - 1];
    if (error) throw error;
    return 'done';
  };
  return { step, attempts };
}

describe('retryOnAccessChange', () => {
  it('answers what the step answers, running it once as attempt 1', async () => {
    const { step, attempts } = stepFailingWith();

    const result = await retryOnAccessChange(step);

    expect(result).toBe('done');
    expect(attempts).toEqual([1]);
  });

  it('runs the step again, with the next attempt number, when access changed under it', async () => {
    const { step, attempts } = stepFailingWith(new AccessChangedError(), new GrantChangedError());

    const result = await retryOnAccessChange(step);

    expect(result).toBe('done');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('gives up after the third change of access, with a contention error', async () => {
    const { step, attempts } = stepFailingWith(
      new AccessChangedError(),
      new AccessChangedError(),
      new GrantChangedError(),
      new AccessChangedError(),
    );

    await expect(retryOnAccessChange(step)).rejects.toBeInstanceOf(AccessContentionError);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('passes any other error through at once, unchanged', async () => {
    for (const error of [
      new StaleVersionError(),
      new CaseGoneError(),
      new DependencyUnavailableError(),
      new Error('boom'),
    ]) {
      const { step, attempts } = stepFailingWith(error, new AccessChangedError());

      await expect(retryOnAccessChange(step)).rejects.toBe(error);
      expect(attempts).toEqual([1]);
    }
  });

  it('passes through another error met on a retry, without further attempts', async () => {
    const stale = new StaleVersionError();
    const { step, attempts } = stepFailingWith(new AccessChangedError(), stale, new AccessChangedError());

    await expect(retryOnAccessChange(step)).rejects.toBe(stale);
    expect(attempts).toEqual([1, 2]);
  });

  it('succeeds after fewer than three changes of access and gives up at three, for any number of them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 6 }), fc.boolean(), async (changes, grantLevel) => {
        const errors = Array.from({ length: changes }, () =>
          grantLevel ? new GrantChangedError() : new AccessChangedError(),
        );
        const { step, attempts } = stepFailingWith(...errors);

        const outcome = await retryOnAccessChange(step).catch((error: unknown) => error);

        if (changes < 3) {
          expect(outcome).toBe('done');
          expect(attempts).toHaveLength(changes + 1);
        } else {
          expect(outcome).toBeInstanceOf(AccessContentionError);
          expect(attempts).toHaveLength(3);
        }
      }),
    );
  });
});
