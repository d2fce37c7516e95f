import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { HimayaStack, LIMIT_SETTINGS } from '../../lib/himaya-stack';
import { TEST_STACK_PROPS } from '../support/stack-props';

/** The functions' limits as context values (`-c himaya:…`): each reaches the one function that reads it. */
type Resource = { Type: string; Properties?: Record<string, unknown> };

const LIMIT_VARIABLES: readonly string[] = LIMIT_SETTINGS.map((setting) => setting.variable);

function synthesise(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new HimayaStack(app, 'Himaya', TEST_STACK_PROPS));
}

/** Each Lambda function's environment, by its service name (`himaya-<fn>`) or else its logical id. */
function environments(template: Template): Map<string, Record<string, unknown>> {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return new Map(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => {
        const variables =
          (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        return [String(variables.POWERTOOLS_SERVICE_NAME ?? id), variables];
      }),
  );
}

/** The limit variables of each function that has any. */
function limitsOf(template: Template): Record<string, Record<string, unknown>> {
  const found: Record<string, Record<string, unknown>> = {};
  for (const [name, variables] of environments(template)) {
    const limits = Object.fromEntries(
      Object.entries(variables).filter(([key]) => LIMIT_VARIABLES.includes(key)),
    );
    if (Object.keys(limits).length > 0) found[name] = limits;
  }
  return found;
}

describe('HimayaStack limits from the context', () => {
  it('sets no limit variable without the context: the functions keep their defaults', () => {
    expect(limitsOf(synthesise())).toEqual({});
  });

  it('gives each limit to the function that reads it, and to no other', () => {
    const template = synthesise({
      'himaya:emergencyAccessDailyCap': '5',
      'himaya:emergencyAccessSections': 'identity,report',
      'himaya:emergencyAfterRevocationDays': '0',
      'himaya:openRequestsPerCase': '3',
      'himaya:notesPerAgency': '500',
      'himaya:caseReadNotes': '4',
    });
    expect(limitsOf(template)).toEqual({
      'himaya-exchange': {
        EMERGENCY_ACCESS_DAILY_CAP: '5',
        EMERGENCY_ACCESS_SECTIONS: 'identity,report',
        EMERGENCY_AFTER_REVOCATION_DAYS: '0',
        OPEN_REQUESTS_PER_CASE: '3',
      },
      'himaya-cases': { NOTES_PER_AGENCY: '500', CASE_READ_NOTES: '4' },
    });
  });

  it('sets only the limits given, and takes numbers as cdk.json gives them', () => {
    expect(limitsOf(synthesise({ 'himaya:caseReadNotes': 2 }))).toEqual({
      'himaya-cases': { CASE_READ_NOTES: '2' },
    });
  });

  it('keeps the other variables of the function as they were', () => {
    const before = environments(synthesise()).get('himaya-exchange');
    const after = environments(synthesise({ 'himaya:openRequestsPerCase': '7' })).get('himaya-exchange');
    expect(after).toEqual({ ...before, OPEN_REQUESTS_PER_CASE: '7' });
  });

  it.each([
    ['himaya:emergencyAccessDailyCap', '0'],
    ['himaya:emergencyAccessDailyCap', 'ten'],
    ['himaya:emergencyAccessSections', 'identity,reporter'],
    ['himaya:emergencyAccessSections', 'identity,medical-history'],
    ['himaya:emergencyAfterRevocationDays', '367'],
    ['himaya:openRequestsPerCase', '101'],
    ['himaya:notesPerAgency', '2.5'],
    ['himaya:caseReadNotes', '11'],
  ])('fails the synth on %s = %s, as the function would fail at cold start', (key, value) => {
    expect(() => synthesise({ [key]: value })).toThrow(new RegExp(`invalid limit.*${key}`));
  });

  it('names every invalid limit at once, of either function', () => {
    expect(() => synthesise({ 'himaya:openRequestsPerCase': '0', 'himaya:notesPerAgency': '10001' })).toThrow(
      /himaya:openRequestsPerCase \(OPEN_REQUESTS_PER_CASE\).*; himaya:notesPerAgency \(NOTES_PER_AGENCY\)/,
    );
  });
});
