import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problemResponse } from '../problem';
import type { ApiMiddleware } from './types';

/** Logs how a request failed: for a 5xx the error's and its cause's names only (SDK text can echo data). */
export function logFailure(
  logger: Logger,
  error: unknown,
  result: APIGatewayProxyResult,
  operation?: string,
) {
  if (result.statusCode >= 500) {
    const cause = (error as Error)?.cause as Error | undefined;
    logger.error('request failed', { operation, errorName: (error as Error)?.name, causeName: cause?.name });
  } else {
    logger.info('request refused', { operation, status: result.statusCode });
  }
}

/**
 * Any error, from a middleware or the operation, becomes problem+json: the first `onError` to run (it is
 * used last), so that the access log and the metrics see the status the caller gets.
 */
export function problemJson(logger: Logger): ApiMiddleware {
  return {
    onError: (request) => {
      const result = problemResponse(request.error);
      logFailure(logger, request.error, result, request.context.api?.route.operationId);
      request.response = result;
    },
  };
}
