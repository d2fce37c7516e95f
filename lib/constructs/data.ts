import { RemovalPolicy } from 'aws-cdk-lib';
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
      // The sealer needs each new audit event, and nothing else: the log is append-only.
      ...(definition.stream ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
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
 * recovery, deletion protection, retained on stack deletion, encrypted with one customer-managed key.
 */
export class HimayaData extends Construct {
  readonly key: kms.Key;
  readonly tables: Record<TableDefinition['id'], HimayaTable>;

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
  }
}
