import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KEY_STORE_NAME } from '../../src/adapters/table-definitions';
import type { HimayaData } from './data';
import type { HimayaKeys } from './keys';

export interface KeyOperatorsProps {
  data: HimayaData;
  keys: HimayaKeys;
}

/**
 * What operators need for `npm run keys`, as two managed policies that nothing holds by default: attach
 * them to the role operators assume, for the time of the operation.
 * - `BranchKeyAdmin` (`create`, `rotate`): writes branch keys to the key store through KMS
 *   GenerateDataKeyWithoutPlaintext and ReEncrypt under the agency keys; it never sees a key in clear and
 *   can decrypt nothing.
 * - `SectionReencryption` (`reencrypt`): reads the cases' sections and notes and writes them back under the
 *   branch keys, so it decrypts them: hold it only while the job runs.
 */
export class KeyOperators extends Construct {
  readonly branchKeyAdmin: iam.ManagedPolicy;
  readonly sectionReencryption: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KeyOperatorsProps) {
    super(scope, id);
    const { data, keys } = props;
    const agencyKeys = [...keys.agencyKeys.values()].map((key) => key.keyArn);
    const branchKeys = data.tables.BranchKeys;
    const viaDynamoDb = {
      StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
    };
    const keyStoreContext = { StringEquals: { 'kms:EncryptionContext:tablename': KEY_STORE_NAME } };
    const tablesKey = new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [data.key.keyArn],
      conditions: viaDynamoDb,
    });
    const describeAgencyKeys = new iam.PolicyStatement({
      actions: ['kms:DescribeKey'],
      resources: agencyKeys,
    });

    this.branchKeyAdmin = new iam.ManagedPolicy(this, 'BranchKeyAdmin', {
      description: 'Himaya: create and rotate the agencies branch keys (npm run keys -- create|rotate)',
      statements: [
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
          resources: [branchKeys.tableArn],
        }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
          resources: agencyKeys,
          conditions: keyStoreContext,
        }),
        tablesKey,
        describeAgencyKeys,
      ],
    });

    this.sectionReencryption = new iam.ManagedPolicy(this, 'SectionReencryption', {
      description: 'Himaya: move first-version sections to the branch keys (npm run keys -- reencrypt)',
      statements: [
        new iam.PolicyStatement({
          actions: ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          resources: [data.tables.Cases.tableArn],
        }),
        new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [branchKeys.tableArn] }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: agencyKeys,
          conditions: keyStoreContext,
        }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: agencyKeys,
          conditions: { StringEquals: { 'kms:EncryptionContext:app': 'himaya' } },
        }),
        tablesKey,
        describeAgencyKeys,
      ],
    });
  }
}
