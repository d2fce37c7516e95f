import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import * as z from 'zod';
import { documentClient, dynamoDbClient } from '../src/adapters/aws-clients';
import { dynamoDbAuditStore } from '../src/adapters/dynamodb/audit-store';
import { BaseEnvSchema, readEnv } from '../src/config';
import { refusalsInAccessLog } from '../src/http/access-log-refusals';
import { refusalEvent } from '../src/http/gateway-refusal';
import { createLogger } from '../src/observability/logger';

/**
 * The requests API Gateway refused itself, from its access log (a subscription filter), written to the
 * access log as audit events: what the local gateway does in-line. A failed write fails the batch, which
 * Lambda retries (an event already written is not written twice) and then keeps in the dead-letter queue.
 */
const env = readEnv(BaseEnvSchema.extend({ AUDIT_TABLE: z.string().min(1) }));
const logger = createLogger('gateway-refusals');
const audit = dynamoDbAuditStore(documentClient(dynamoDbClient(env)), env.AUDIT_TABLE);

export async function handler(event: CloudWatchLogsEvent): Promise<void> {
  const batch: unknown = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
  const refusals = refusalsInAccessLog(batch);
  await Promise.all(refusals.map((refusal) => audit.recordOnce(refusalEvent(refusal, env.AGENCY_DIRECTORY))));
  if (refusals.length > 0) logger.debug('gateway refusals logged', { count: refusals.length });
}
