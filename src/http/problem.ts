import type { APIGatewayProxyResult } from 'aws-lambda';
import { InvalidCursorError } from '../domain/cases/ports';
import { HttpError, ValidationError } from './errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
}

/** Errors thrown by middy's own middlewares carry a status but not our shape. */
interface StatusError {
  statusCode: number;
  expose?: boolean;
}

function isStatusError(error: unknown): error is StatusError {
  return typeof error === 'object' && error !== null && typeof (error as StatusError).statusCode === 'number';
}

function middyProblem(error: StatusError): HttpError {
  switch (error.statusCode) {
    case 415:
      return new HttpError(
        415,
        'unsupported-media-type',
        'Unsupported Media Type',
        'Send the body as application/json.',
      );
    case 413:
      return new HttpError(413, 'payload-too-large', 'Payload Too Large', 'The request body is too large.');
    case 422:
    case 400:
      // The JSON body parser reports unparseable JSON as 422; for a client it is bad input (400).
      return new HttpError(400, 'malformed-json', 'Bad Request', 'The body is not valid JSON.');
    default:
      return new HttpError(500, 'internal', 'Internal Server Error', 'The request could not be completed.');
  }
}

/** The one mapping from any error to an RFC 9457 problem: never a stack trace, never SDK text. */
export function toProblem(error: unknown): { problem: Problem; headers: Record<string, string> } {
  const known =
    error instanceof HttpError
      ? error
      : error instanceof InvalidCursorError
        ? // Every listing's store refuses a cursor that is not one of its own keys.
          new ValidationError('The cursor is not valid.', [
            { path: 'query.cursor', message: 'invalid cursor' },
          ])
        : isStatusError(error) && error.statusCode < 500
          ? middyProblem(error)
          : new HttpError(500, 'internal', 'Internal Server Error', 'The request could not be completed.');
  const problem: Problem = {
    type: `https://himaya.example/problems/${known.code}`,
    title: known.title,
    status: known.statusCode,
    detail: known.message,
    code: known.code,
  };
  if (known.errors && known.errors.length > 0) problem.errors = known.errors;
  return { problem, headers: known.headers };
}

/** The body carries no request id, so a denied case and a missing case give byte-identical bodies. */
export function problemResponse(error: unknown): APIGatewayProxyResult {
  const { problem, headers } = toProblem(error);
  return {
    statusCode: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}
