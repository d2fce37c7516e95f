import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HimayaStack, readDirectory } from '../../lib/himaya-stack';
import { type FunctionName, type RouteSpec, routes } from '../../src/http/routes';
import { TEST_STACK_PROPS } from '../support/stack-props';

/** The exchange's part of the stack: its functions' roles, the event bus, the schedule, the indexes. */
type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown> };

const directory = readDirectory();
let template: Template;
let resources: Record<string, Resource>;

const idsOf = (type: string, predicate: (r: Resource) => boolean = () => true) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type && predicate(r))
    .map(([id]) => id);

function propertiesOf(id: string | undefined): Record<string, unknown> {
  const resource = id === undefined ? undefined : resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties ?? {};
}

const getAttTarget = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

function functionId(fn: FunctionName | 'outbox' | 'stats-aggregator'): string {
  const [id] = idsOf('AWS::Lambda::Function', (r) => {
    const variables = (r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables;
    return variables?.POWERTOOLS_SERVICE_NAME === `himaya-${fn}`;
  });
  if (!id) throw new Error(`no function ${fn}`);
  return id;
}

function statementsOf(fn: FunctionName | 'outbox' | 'stats-aggregator'): Statement[] {
  const role = getAttTarget(propertiesOf(functionId(fn)).Role);
  const attached = (p: Resource) =>
    ((p.Properties?.Roles ?? []) as { Ref: string }[]).some((ref) => ref.Ref === role);
  // Grants sit in a customer-managed policy per role (lib/constructs/himaya-function.ts FunctionRole).
  return [...idsOf('AWS::IAM::Policy', attached), ...idsOf('AWS::IAM::ManagedPolicy', attached)].flatMap(
    (id) => (propertiesOf(id).PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function agencyKeys(): string[] {
  return directory.agencies.map((agency) => {
    const [alias] = idsOf(
      'AWS::KMS::Alias',
      (r) => r.Properties?.AliasName === `alias/himaya-agency-${agency.id}`,
    );
    return getAttTarget(propertiesOf(alias).TargetKeyId);
  });
}

const tableId = (name: string) =>
  idsOf('AWS::DynamoDB::Table', (r) =>
    ((r.Properties?.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).some(
      (i) => i.IndexName === name,
    ),
  )[0] as string;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new HimayaStack(app, 'Himaya', TEST_STACK_PROPS));
  resources = template.toJSON().Resources as Record<string, Resource>;
});

describe('HimayaStack exchange', () => {
  it.each(['exchange', 'reviews', 'deadlines'] as const)(
    'lets %s use no agency key: it decrypts no case',
    (fn) => {
      const keys = agencyKeys();
      for (const statement of statementsOf(fn)) {
        for (const key of keys) expect(JSON.stringify(statement.Resource)).not.toContain(`"${key}"`);
      }
    },
  );

  it.each(['outbox', 'deadlines'] as const)(
    'lets %s put events on the himaya bus, and tells it which',
    (fn) => {
      const [bus] = idsOf('AWS::Events::EventBus');
      const publish = statementsOf(fn).filter((s) => actionsOf(s).includes('events:PutEvents'));
      expect(publish).toHaveLength(1);
      expect(JSON.stringify(publish[0]?.Resource)).toContain(`"${bus}"`);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: `himaya-${fn}`,
            EVENT_BUS_NAME: { Ref: bus },
          }),
        },
      });
    },
  );

  it('gives no other function the bus', () => {
    for (const fn of ['public', 'directory', 'cases', 'audit', 'reviews', 'exchange'] as const) {
      expect(statementsOf(fn).flatMap(actionsOf)).not.toContain('events:PutEvents');
    }
  });

  it('feeds the outbox processor new outbox items of the Cases stream, failed batches to a queue', () => {
    const cases = tableId('byQueue');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('outbox') },
      EventSourceArn: { 'Fn::GetAtt': [cases, 'StreamArn'] },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { type: { S: ['outbox'] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    const writes = statementsOf('outbox').filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'));
    expect(writes).toHaveLength(1);
    expect(writes[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OUTBOX#*'] },
    });
  });

  it('feeds the statistics aggregator changes of case heads, requests and reviews, failed batches to a queue', () => {
    const cases = tableId('byQueue');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('stats-aggregator') },
      EventSourceArn: { 'Fn::GetAtt': [cases, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { type: { S: ['case', 'request', 'review'] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'byQueue' })]),
    });
  });

  it('lets the aggregator only mark contributions and add to counters, and the stats function only read counters', () => {
    const writes = statementsOf('stats-aggregator').filter((s) =>
      actionsOf(s).some((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
    );
    expect(writes.map(actionsOf)).toEqual([['dynamodb:PutItem', 'dynamodb:UpdateItem']]);
    expect(writes[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APPLIED#*', 'COUNTER#*'] },
    });
    const reads = statementsOf('stats').filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COUNTER#*'] },
    });
    const keys = agencyKeys();
    for (const statement of [...statementsOf('stats'), ...statementsOf('stats-aggregator')]) {
      for (const key of keys) expect(JSON.stringify(statement.Resource)).not.toContain(`"${key}"`);
      expect(actionsOf(statement)).not.toContain('events:PutEvents');
    }
  });

  it('has the bus named himaya', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'himaya' });
  });

  it('runs the deadline sweep every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId('deadlines'), 'Arn'] } })],
    });
  });

  it('lets reviews reach only REVIEW# items of Cases and the byReview index, and append its audit events', () => {
    const cases = tableId('byReview');
    const onCases = statementsOf('reviews').filter(
      (s) =>
        actionsOf(s).some((a) => a.startsWith('dynamodb:')) &&
        JSON.stringify(s.Resource).includes(`"${cases}"`),
    );
    expect(onCases).toHaveLength(2);
    const items = onCases.find((s) => !actionsOf(s).includes('dynamodb:Query'));
    expect(items?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REVIEW#*'] } });
    expect(actionsOf(items as Statement)).not.toContain('dynamodb:DeleteItem');
    const query = onCases.find((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(actionsOf(query as Statement)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(query?.Resource)).toContain('/index/byReview');
  });

  it('lets every function serving a route that takes Idempotency-Key read and write the Idempotency table', () => {
    const [idempotency] = idsOf('AWS::DynamoDB::Table', (r) =>
      ((r.Properties?.KeySchema ?? []) as { AttributeName: string }[]).some((k) => k.AttributeName === 'id'),
    );
    const idempotent = new Set(
      (routes as readonly RouteSpec[]).filter((route) => route.idempotent).map((route) => route.fn),
    );

    expect([...idempotent].sort()).toEqual(['cases', 'exchange', 'reviews']);
    for (const fn of idempotent) {
      const onTable = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes(`"${idempotency}"`));
      expect(onTable.flatMap(actionsOf), fn).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
        ]),
      );
    }
  });

  it('indexes Cases for listings, boxes, due items, reviews and blind-index tokens, keeping sections out of the queue index', () => {
    const indexes = resources[tableId('byQueue')]?.Properties?.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual([
      'byAgency',
      'byInbox',
      'byOutbox',
      'byQueue',
      'byReview',
      'byToken',
    ]);
    const byQueue = indexes.find((i) => i.IndexName === 'byQueue');
    const byAgency = indexes.find((i) => i.IndexName === 'byAgency');
    expect(byQueue?.Projection.ProjectionType).toBe('INCLUDE');
    expect(byQueue?.Projection.NonKeyAttributes).not.toContain('sections');
    expect(byAgency?.Projection).toMatchObject({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: expect.arrayContaining(['expiresAt']),
    });
  });
});
