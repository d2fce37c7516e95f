/**
 * The classes of an event's outcome (its HTTP status) that compliance officers filter the log by: the
 * request was served, refused (the caller's fault or not permitted), or failed (the service's fault).
 * Platform-free: the API's listing filter and the console's colouring share it.
 */
export const OUTCOME_CLASSES = {
  allowed: { from: 100, to: 399 },
  denied: { from: 400, to: 499 },
  failed: { from: 500, to: 599 },
} as const;

export type OutcomeClass = keyof typeof OUTCOME_CLASSES;

export const OUTCOME_CLASS_NAMES = Object.keys(OUTCOME_CLASSES) as [OutcomeClass, ...OutcomeClass[]];

export function outcomeClass(outcome: number): OutcomeClass {
  if (outcome >= OUTCOME_CLASSES.failed.from) return 'failed';
  if (outcome >= OUTCOME_CLASSES.denied.from) return 'denied';
  return 'allowed';
}
