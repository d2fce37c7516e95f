/**
 * The DynamoDB tables, described once: the CDK stack and the local bootstrap both build from this.
 * All keys are strings. Item layouts are documented beside the code that writes them.
 */
export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /** Attributes copied into the index besides the keys; absent means all of them. */
  nonKeyAttributes?: string[];
}

export interface TableDefinition {
  /** Construct id in CDK and the base of the local table name. */
  id: 'Cases' | 'AuditLog' | 'Idempotency' | 'BranchKeys' | 'Stats';
  partitionKey: string;
  sortKey?: string;
  indexes: IndexDefinition[];
  /** Time-to-live attribute (epoch seconds). */
  ttlAttribute?: string;
  /**
   * Whether a stream carries changes to a consumer (the audit sealer, the outbox processor, the statistics
   * aggregator), and what it carries: the new image, or the old one beside it.
   */
  stream: false | 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
}

export const CASES_TABLE: TableDefinition = {
  id: 'Cases',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    {
      indexName: 'byAgency',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      // Listing shows metadata only: the encrypted sections stay out of the index.
      nonKeyAttributes: [
        'caseId',
        'ownerAgency',
        'category',
        'urgency',
        'status',
        'region',
        'createdAt',
        'updatedAt',
        'version',
        // A grantee's listing entry ends with its grants: filtered out at once, not only by TTL.
        'expiresAt',
      ],
    },
    // The exchange (see src/adapters/dynamodb/cases-layout.ts): requests by the agency asked and by the
    // agency asking; the due items and the event outbox for the scheduled sweep; the compliance review list.
    { indexName: 'byInbox', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'byOutbox', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    {
      indexName: 'byQueue',
      partitionKey: 'gsi4pk',
      sortKey: 'gsi4sk',
      // What the sweep needs, and no section: case heads sit here until their owner's first action.
      nonKeyAttributes: [
        'caseId',
        'ownerAgency',
        'fromAgency',
        'toAgency',
        'urgency',
        'createdAt',
        'requestId',
        'event',
        'withheld',
      ],
    },
    { indexName: 'byReview', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    // Matching's blind index: truncated tokens → entries (owner agency and the sealed pointer only).
    {
      indexName: 'byToken',
      partitionKey: 'gsi6pk',
      sortKey: 'gsi6sk',
      nonKeyAttributes: ['ownerAgency', 'sealed'],
    },
  ],
  ttlAttribute: 'ttl',
  // Carries new outbox items to the outbox processor, which publishes them, and every change to the
  // statistics aggregator, which needs the metadata before an update as well as after it.
  stream: 'NEW_AND_OLD_IMAGES',
};

export const AUDIT_TABLE: TableDefinition = {
  id: 'AuditLog',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { indexName: 'byTime', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'byCase', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  stream: 'NEW_IMAGE',
};

export const IDEMPOTENCY_TABLE: TableDefinition = {
  id: 'Idempotency',
  partitionKey: 'id',
  indexes: [],
  ttlAttribute: 'expiration',
  stream: false,
};

/**
 * The logical name of the branch key store: bound into every branch key's KMS encryption context
 * (`tablename`), whatever the physical table is called; key policies and IAM conditions name it.
 */
export const KEY_STORE_NAME = 'himaya-branch-keys';

/**
 * The Encryption SDK's branch key store (its documented layout, written by the SDK's `createKey` and
 * `versionKey`): `branch-key-id` (one per agency: the agency id) and `type` (`branch:ACTIVE`,
 * `branch:version:<uuid>`, `beacon:ACTIVE`); each item holds a branch key wrapped by the agency's KMS key
 * (`enc`), the key's ARN (`kms-arn`), `create-time`, `hierarchy-version` and the custom context.
 */
export const BRANCH_KEYS_TABLE: TableDefinition = {
  id: 'BranchKeys',
  partitionKey: 'branch-key-id',
  sortKey: 'type',
  indexes: [],
  stream: false,
};

/**
 * The statistics' counters, kept by the aggregator from the Cases stream (see
 * src/adapters/dynamodb/stats-store.ts): metadata counts only, never a case or request id in a counter.
 */
export const STATS_TABLE: TableDefinition = {
  id: 'Stats',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [],
  // The aggregator's markers of contributions applied expire once no redelivery can bring them back.
  ttlAttribute: 'ttl',
  stream: false,
};

export const TABLE_DEFINITIONS = [
  CASES_TABLE,
  AUDIT_TABLE,
  IDEMPOTENCY_TABLE,
  BRANCH_KEYS_TABLE,
  STATS_TABLE,
] as const;
