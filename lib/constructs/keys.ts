import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { Agency, Directory } from '../../src/domain/directory';

/** Every key is kept on stack deletion, and a key scheduled for deletion can be recovered for 30 days. */
const RETAINED = { removalPolicy: RemovalPolicy.RETAIN, pendingWindow: Duration.days(30) };

export interface HimayaKeysProps {
  directory: Directory;
}

/**
 * The KMS keys: one per agency (its cases' sections are encrypted under it), the Ed25519 key that signs
 * audit checkpoints, the HMAC key behind the blind indexes used for matching, and a key for the log groups.
 * Every key is retained on stack deletion: losing one loses the data or the proofs it protects.
 */
export class HimayaKeys extends Construct {
  /** Agency id → its key. */
  readonly agencyKeys: ReadonlyMap<string, kms.Key>;
  readonly signingKey: kms.Key;
  readonly hmacKey: kms.Key;
  /** Encrypts the CloudWatch log groups (function, access, execution and WAF logs). */
  readonly logsKey: kms.Key;

  constructor(scope: Construct, id: string, props: HimayaKeysProps) {
    super(scope, id);
    this.agencyKeys = new Map(
      props.directory.agencies.map((agency) => [agency.id, this.createAgencyKey(agency)]),
    );

    // Asymmetric and HMAC keys cannot rotate automatically in KMS (only symmetric encryption keys can).
    this.signingKey = new kms.Key(this, 'CheckpointSigning', {
      ...RETAINED,
      description: 'Himaya: signs audit-log checkpoints (Ed25519, C2SP signed note)',
      alias: 'alias/himaya-audit-signing',
      keySpec: kms.KeySpec.ECC_NIST_EDWARDS25519,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
    });

    this.hmacKey = new kms.Key(this, 'MatchHmac', {
      ...RETAINED,
      description: 'Himaya: HMAC-SHA-256 blind indexes over normalised identifiers, for matching',
      alias: 'alias/himaya-match-hmac',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
    });

    this.logsKey = this.createLogsKey();
  }

  /**
   * Whatever a principal's IAM policy says, the key serves only this agency's branch key (the branch key
   * store sends `branch-key-id`, the agency id, with every call), and the sections the first version wrote
   * directly under it (their context carries `ownerAgency`).
   */
  private createAgencyKey(agency: Agency): kms.Key {
    const key = new kms.Key(this, `Agency-${agency.id}`, {
      ...RETAINED,
      description: `Himaya: encrypts the case sections owned by ${agency.name.en}`,
      alias: `alias/himaya-agency-${agency.id}`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThisAgencysSections',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        resources: ['*'],
        // Denied unless one of the two names this agency (the keys of one condition must all match).
        conditions: {
          StringNotEquals: {
            'kms:EncryptionContext:ownerAgency': agency.id,
            'kms:EncryptionContext:branch-key-id': agency.id,
          },
        },
      }),
    );
    return key;
  }

  /** CloudWatch Logs uses the key on behalf of log groups of this account and region only. */
  private createLogsKey(): kms.Key {
    const key = new kms.Key(this, 'Logs', {
      ...RETAINED,
      description: 'Himaya: encrypts the CloudWatch log groups',
      alias: 'alias/himaya-logs',
      enableKeyRotation: true,
    });
    const { region, account, partition } = Stack.of(this);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:*` },
        },
      }),
    );
    return key;
  }
}
