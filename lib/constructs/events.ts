import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../src/domain/exchange/events';
import type { HimayaFunction } from './himaya-function';

/**
 * The exchange's events: a custom EventBridge bus for the domain events agency systems subscribe to
 * (source `himaya.exchange`; a rule per agency matching its id in `detail.recipients`), and the schedule
 * that runs the deadline sweep every minute.
 *
 * The bus is encrypted with an AWS-owned key: its events carry ids, agency ids, section names and times,
 * never case content or free text (src/domain/exchange/events.ts).
 */
export class HimayaEvents extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: 'himaya',
      description: `Himaya domain events (source ${EVENT_SOURCE}): shares, requests, decisions, emergency access, overdue items`,
    });
  }

  /** Lets a function put events on the bus, and tells it which bus (EVENT_BUS_NAME). */
  grantPublish(fn: HimayaFunction): void {
    this.bus.grantPutEventsTo(fn);
    fn.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
  }

  /** Invokes the function every minute (the deadline sweep). */
  runEveryMinute(fn: lambda.IFunction): events.Rule {
    return new events.Rule(this, 'DeadlineSchedule', {
      description: 'Himaya: escalate overdue requests and reports, publish what the outbox holds',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
  }
}
