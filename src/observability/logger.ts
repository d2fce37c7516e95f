import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function. Log lines carry ids, names and statuses; never a body, a token or a section. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName: `himaya-${serviceName}` });
}
