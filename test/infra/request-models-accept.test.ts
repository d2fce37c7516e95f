import Ajv04 from 'ajv-draft-04';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelNameOf } from '../../lib/constructs/api-routes';
import { HimayaStack } from '../../lib/himaya-stack';
import { type RouteSpec, routes } from '../../src/http/routes';
import { fullCaseBody, minimalCaseBody } from '../support/cases';
import { TEST_STACK_PROPS } from '../support/stack-props';

/**
 * The request models API Gateway validates bodies with, as synthesised, run through a draft-04 validator:
 * every body the functions accept must pass them (a model stricter than the zod schema would refuse valid
 * requests in AWS only), and what they refuse, the zod schema refuses too.
 */
const inADay = new Date(Date.now() + 86_400_000).toISOString();
const VALID_BODIES: Record<string, unknown[]> = {
  createCase: [fullCaseBody(), minimalCaseBody(), minimalCaseBody({ status: 'referred' })],
  updateCase: [
    { status: 'under-assessment' },
    { urgency: 'low', region: { emirate: 'ajman' } },
    {
      sections: { reporter: null, assessment: { riskLevel: 'critical', summary: 'خطر مرتفع', findings: [] } },
    },
    { sections: (fullCaseBody() as { sections: unknown }).sections },
  ],
  addNote: [{ text: 'زيارة منزلية اليوم' }, { kind: 'police-response', text: 'Patrol visited the home' }],
  createShare: [
    {
      agency: 'police',
      sections: ['identity', 'report'],
      purpose: 'criminal-investigation',
      expiresAt: inADay,
    },
  ],
  createRequest: [
    {
      caseId: '5d4c1e0b-8a0e-4f57-9a31-1c0f7f4a6b20',
      agency: 'cfpc',
      sections: ['identity', 'report', 'assessment'],
      purpose: 'criminal-investigation',
      legalBasis: 'Federal Law No. 3 of 2016 (Wadeema), art. 44',
      urgency: 'high',
      justification: 'Investigating a neglect report at the same address',
    },
  ],
  decideRequest: [
    { decision: 'approve', sections: ['identity', 'report'], reason: 'Joint investigation agreed' },
    { decision: 'deny', reason: 'No legal basis for the assessment' },
  ],
  requestEmergencyAccess: [
    { justification: 'Child reported missing tonight', sections: ['identity', 'report'] },
  ],
  closeReview: [{ outcome: 'justified', finding: 'Missing-child report confirmed' }],
  findMatches: [
    { nationalId: '784-2015-1234567-1' },
    { name: { ar: 'مريم أحمد' }, dateOfBirth: '2015-03-02' },
    { name: { en: 'Maryam Ahmed' }, birthYear: '2015' },
  ],
};

describe('API Gateway request models', () => {
  const validators = new Map<string, (body: unknown) => boolean>();
  const bodyRoutes = routes.filter((route: RouteSpec) => route.request?.body !== undefined) as RouteSpec[];

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new HimayaStack(app, 'Himaya', TEST_STACK_PROPS));
    const ajv = new Ajv04({ strict: false, allErrors: true });
    for (const resource of Object.values(template.findResources('AWS::ApiGateway::Model'))) {
      const { Name, Schema } = resource.Properties as { Name: string; Schema: Record<string, unknown> };
      validators.set(Name, ajv.compile(Schema) as (body: unknown) => boolean);
    }
  });

  it('has valid example bodies for every route with a body, each accepted by its zod schema', () => {
    expect(Object.keys(VALID_BODIES).sort()).toEqual(bodyRoutes.map((route) => route.operationId).sort());
    for (const route of bodyRoutes) {
      for (const body of VALID_BODIES[route.operationId] ?? []) {
        expect(
          route.request?.body?.safeParse(body).success,
          `${route.operationId} ${JSON.stringify(body)}`,
        ).toBe(true);
      }
    }
  });

  it('accepts every body the functions accept', () => {
    for (const route of bodyRoutes) {
      const validate = validators.get(modelNameOf(route));
      expect(validate, modelNameOf(route)).toBeDefined();
      for (const body of VALID_BODIES[route.operationId] ?? []) {
        expect(
          validate?.(JSON.parse(JSON.stringify(body))),
          `${route.operationId} ${JSON.stringify(body)}`,
        ).toBe(true);
      }
    }
  });

  it('refuses unknown keys and wrong types, as the functions do', () => {
    for (const route of bodyRoutes) {
      const validate = validators.get(modelNameOf(route));
      const [example] = VALID_BODIES[route.operationId] ?? [];
      expect(validate?.({ ...(example as object), unexpected: true }), route.operationId).toBe(false);
      expect(validate?.([example]), route.operationId).toBe(false);
      expect(validate?.('text'), route.operationId).toBe(false);
    }
  });
});
