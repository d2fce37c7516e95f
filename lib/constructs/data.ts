import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_DEFINITIONS, type TableDefinition } from '../../src/adapters/table-definitions';

/** A table built from its definition; the definition travels with it so grants can name each index. */
export class HimayaTable extends dynamodb.Table {
  readonly definition: TableDefinition;
  /** Customer-managed key the table (and its stream) is encrypted with. */
  readonly key: kms.IKey;

  constructor(scope: Construct, definition: TableDefinition, key: kms.IKey) {
    const attribute = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    super(scope, definition.id, {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
      // The sealer needs each new audit event (the log is append-only); the statistics aggregator needs the
      // metadata of a case before and after each update.
      ...(definition.stream ? { stream: dynamodb.StreamViewType[definition.stream] } : {}),
    });
    this.definition = definition;
    this.key = key;
    for (const index of definition.indexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        // As the definition says: an index that lists attributes carries those only (no case section).
        ...(index.nonKeyAttributes
          ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: index.nonKeyAttributes }
          : { projectionType: dynamodb.ProjectionType.ALL }),
      });
    }
  }

  /** ARNs of the table and of each of its indexes, named: grants never need `index/*`. */
  get arnsWithIndexes(): string[] {
    return [
      this.tableArn,
      ...this.definition.indexes.map((index) => `${this.tableArn}/index/${index.indexName}`),
    ];
  }
}

/**
 * The three tables of `TABLE_DEFINITIONS` (Cases, AuditLog, Idempotency): on-demand, point-in-time
 * recovery, deletion protection, retained on stack deletion, encrypted with one customer-managed key, and
 * in an AWS Backup plan (daily backups kept 35 days, monthly kept a year) beside the 35 days of PITR.
 */
export class HimayaData extends Construct {
  readonly key: kms.Key;
  readonly tables: Record<TableDefinition['id'], HimayaTable>;
  readonly backupVault: backup.BackupVault;
  readonly backupPlan: backup.BackupPlan;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'TablesKey', {
      description: 'Himaya: encrypts the DynamoDB tables and the audit stream at rest',
      alias: 'alias/himaya-tables',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const tables = Object.fromEntries(
      TABLE_DEFINITIONS.map((definition) => [definition.id, new HimayaTable(this, definition, this.key)]),
    );
    this.tables = tables as Record<TableDefinition['id'], HimayaTable>;

    this.backupVault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: 'himaya',
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = backup.BackupPlan.dailyMonthly1YearRetention(this, 'BackupPlan', this.backupVault);
    const selection = this.backupPlan.addSelection('Tables', {
      resources: Object.values(this.tables).map((table) => backup.BackupResource.fromDynamoDbTable(table)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's service role for taking the tables' backups; this AWS-managed policy is the documented one for it, maintained by AWS as the service changes, and used by no function.",
    });
  }
}
