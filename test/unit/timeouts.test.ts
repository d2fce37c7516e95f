import { describe, expect, it } from 'vitest';
import { dynamoDbClient, kmsClient, SDK_CLIENT_SETTINGS } from '../../src/adapters/aws-clients';
import { DEADLINES, FAILED_REQUEST_BUDGET_MS, SDK_CALL_BUDGET_MS } from '../../src/timeouts';

describe('the deadlines of a request', () => {
  it('nest: a failed request ends inside the function timeout, with room to spare, which ends inside API Gateway’s', () => {
    // Prepare
    const functionMs = DEADLINES.functionTimeoutSeconds * 1000;
    const gatewayMs = DEADLINES.gatewayTimeoutSeconds * 1000;

    // Assess
    expect(DEADLINES.connectMs).toBeLessThan(DEADLINES.requestMs);
    expect(SDK_CALL_BUDGET_MS).toBeLessThan(DEADLINES.maxAttempts * DEADLINES.requestMs + 1000);
    expect(FAILED_REQUEST_BUDGET_MS + 2000).toBeLessThanOrEqual(functionMs);
    expect(functionMs).toBeLessThan(gatewayMs);
  });

  it('are what the SDK clients are made with: timeouts that throw, and one retry', async () => {
    // Prepare
    const env = { AWS_REGION: 'me-central-1' };
    const clients = [dynamoDbClient(env), kmsClient(env)];

    // Act
    const attempts = await Promise.all(clients.map((client) => client.config.maxAttempts()));
    for (const client of clients) client.destroy();

    // Assess
    expect(attempts).toEqual([DEADLINES.maxAttempts, DEADLINES.maxAttempts]);
    expect(SDK_CLIENT_SETTINGS.requestHandler).toEqual({
      connectionTimeout: DEADLINES.connectMs,
      requestTimeout: DEADLINES.requestMs,
      throwOnRequestTimeout: true,
      socketTimeout: DEADLINES.requestMs,
    });
  });
});
