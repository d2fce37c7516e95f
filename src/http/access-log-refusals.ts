import * as z from 'zod';
import type { GatewayRefusal } from './gateway-refusal';

/** API Gateway writes `-` for a value it does not have (no token verified, no integration reached). */
const absent = (value: string) => (value === '-' || value === '' ? undefined : value);

/** The fields of one access-log line (lib/constructs/api.ts) that a refusal's event is made from. */
const AccessLogLineSchema = z.object({
  requestId: z.string().min(1).max(128),
  requestTimeEpoch: z.coerce.number().int().positive(),
  sourceIp: z.string().max(64),
  clientId: z.string().max(128),
  // Absent from lines written before the officers' sign-in.
  username: z.string().max(256).optional(),
  httpMethod: z.string().max(16),
  resourcePath: z.string().max(1024),
  path: z.string().max(8192),
  stage: z.string().max(128),
  status: z.coerce.number().int().min(400).max(599),
  integrationStatus: z.string(),
  errorType: z.string(),
});

/** What a CloudWatch Logs subscription hands a function, once decoded. */
const AccessLogBatchSchema = z.object({
  messageType: z.string(),
  logEvents: z.array(z.object({ message: z.string() })).default([]),
});

function refusalOf(message: string): GatewayRefusal | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const line = AccessLogLineSchema.safeParse(json);
  // Only what the gateway answered itself: a function that ran logged its own event; WAF keeps its own log.
  if (!line.success || absent(line.data.integrationStatus) || line.data.errorType === 'WAF_FILTERED') {
    return undefined;
  }
  const { data } = line;
  const stagePrefix = `/${data.stage}/`;
  return {
    method: data.httpMethod,
    path: data.path.startsWith(stagePrefix) ? data.path.slice(stagePrefix.length - 1) : data.path,
    resourcePath: absent(data.resourcePath),
    status: data.status,
    requestId: data.requestId,
    sourceIp: data.sourceIp,
    clientId: absent(data.clientId),
    username: data.username === undefined ? undefined : absent(data.username),
    time: new Date(data.requestTimeEpoch),
  };
}

/**
 * The refusals in a batch of API Gateway access-log lines: requests API Gateway answered itself with a
 * 4xx before any function ran (no token, a missing scope, no route, too large, throttled…). Lines of
 * any other kind (control messages, requests a function answered, WAF blocks) give nothing.
 */
export function refusalsInAccessLog(batch: unknown): GatewayRefusal[] {
  const parsed = AccessLogBatchSchema.safeParse(batch);
  if (!parsed.success || parsed.data.messageType !== 'DATA_MESSAGE') return [];
  return parsed.data.logEvents.flatMap((logEvent) => refusalOf(logEvent.message) ?? []);
}
