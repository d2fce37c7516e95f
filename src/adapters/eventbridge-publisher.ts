import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ConfigurationError } from '../config';
import { type DomainEvent, EVENT_SOURCE } from '../domain/exchange/events';
import type { EventPublisher } from '../domain/exchange/ports';
import { SDK_CLIENT_SETTINGS } from './aws-clients';
import { localEventPublisher } from './local-event-bus';

/** PutEvents takes at most 10 entries. */
const MAX_ENTRIES = 10;

export class PublishError extends Error {
  constructor(failed: number) {
    super(`${failed} event(s) were not accepted by the bus`);
    this.name = 'PublishError';
  }
}

/**
 * Domain events to an EventBridge bus: source `himaya.exchange`, detail-type the event type, detail the
 * event. An agency system subscribes with a rule matching its id in `detail.recipients`.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  return {
    async publish(events: readonly DomainEvent[]) {
      for (let start = 0; start < events.length; start += MAX_ENTRIES) {
        const batch = events.slice(start, start + MAX_ENTRIES);
        const result = await client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: busName,
              Source: EVENT_SOURCE,
              DetailType: event.type,
              Time: new Date(event.time),
              Resources: [],
              Detail: JSON.stringify(event),
            })),
          }),
        );
        if (result.FailedEntryCount) throw new PublishError(result.FailedEntryCount);
      }
    },
  };
}

/**
 * EventBridge when `EVENT_BUS_NAME` is set (the stack sets it); the in-process bus on the local stack
 * (recognised by its DynamoDB endpoint). Anything else is a deployment mistake and fails at cold start,
 * rather than dropping notifications.
 */
export function eventPublisherFor(env: {
  AWS_REGION: string;
  EVENT_BUS_NAME?: string | undefined;
  DYNAMODB_ENDPOINT?: string | undefined;
}): EventPublisher {
  if (env.EVENT_BUS_NAME) {
    return eventBridgePublisher(
      new EventBridgeClient({ region: env.AWS_REGION, ...SDK_CLIENT_SETTINGS }),
      env.EVENT_BUS_NAME,
    );
  }
  if (env.DYNAMODB_ENDPOINT) return localEventPublisher;
  throw new ConfigurationError('EVENT_BUS_NAME is not set: domain events would have nowhere to go');
}
