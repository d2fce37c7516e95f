import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { HimayaLogGroup } from './log-group';

export interface FirewallProps {
  /** The stage the web ACL protects. */
  stage: apigateway.Stage;
  /** The stage's configured name (`stage.stageName` is a token): part of the WAF log group's name. */
  stageName: string;
  /** Encrypts the WAF logs. */
  logsKey: kms.IKey;
  retention: logs.RetentionDays;
  /** Requests per 5 minutes from one IP address before WAF blocks it. @default 2000 */
  rateLimitPerIp?: number;
}

export interface Firewall {
  webAcl: wafv2.CfnWebACL;
  /** WAF's decisions, without the bearer token. */
  logGroup: logs.LogGroup;
}

/** A rule that applies an AWS managed rule group, counting (not blocking) the rules named in `overrides`. */
function managedRule(priority: number, name: string, overrides: string[] = []): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(overrides.length > 0
          ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
          : {}),
      },
    },
    overrideAction: { none: {} },
    visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
  };
}

function rateLimitPerIp(limit: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name: 'RateLimitPerIp',
    priority: 3,
    statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP' } },
    action: { block: {} },
    visibilityConfig: {
      sampledRequestsEnabled: true,
      cloudWatchMetricsEnabled: true,
      metricName: 'RateLimitPerIp',
    },
  };
}

/**
 * Firewall: a WAF web ACL in front of the stage (AWS managed rule groups and a per-IP rate limit), logging
 * its decisions to an encrypted log group. Its resources sit directly in `scope` (the API), not in a
 * construct of their own, so that their logical IDs do not change: the web ACL and its log group have fixed
 * names, and a replacement would collide with them.
 */
export function protectWithFirewall(scope: Construct, props: FirewallProps): Firewall {
  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    name: 'himaya-api',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: {
      sampledRequestsEnabled: true,
      cloudWatchMetricsEnabled: true,
      metricName: 'himaya-api',
    },
    rules: [
      managedRule(0, 'AWSManagedRulesAmazonIpReputationList'),
      // Case records may exceed the 8 KB body limit of the common rule set; the function caps bodies.
      managedRule(1, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
      managedRule(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
      rateLimitPerIp(props.rateLimitPerIp ?? 2000),
    ],
  });
  const logGroup = logWafDecisions(scope, webAcl, props);
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: props.stage.stageArn,
    webAclArn: webAcl.attrArn,
  });
  return { webAcl, logGroup };
}

/** WAF logs (the name must start with `aws-waf-logs-`), without the bearer token. */
function logWafDecisions(scope: Construct, webAcl: wafv2.CfnWebACL, props: FirewallProps): logs.LogGroup {
  const logGroup = new HimayaLogGroup(scope, 'WafLogs', {
    logGroupName: `aws-waf-logs-himaya-${props.stageName}`,
    retention: props.retention,
    encryptionKey: props.logsKey,
  });
  const logging = new wafv2.CfnLoggingConfiguration(scope, 'WafLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [
      Stack.of(scope).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
    redactedFields: [{ singleHeader: { Name: 'authorization' } }],
  });
  logging.node.addDependency(logGroup);
  return logGroup;
}
