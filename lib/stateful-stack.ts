/**
 * What must outlive any deployment: the table (with its indexes and stream), the customer-managed
 * key that encrypts it and the topics, and the signing secret. Retained on stack deletion,
 * deletion-protected, point-in-time recoverable.
 */
import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, STREAM_VIEW_TYPE, TABLE_KEYS, TTL_ATTRIBUTE } from '../lambdas/adapters/dynamodb/table';

export interface StatefulStackProps extends StackProps {
  stage: string;
}

export class StatefulStack extends Stack {
  readonly table: Table;
  readonly key: Key;
  readonly signingSecret: Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.key = new Key(this, 'DataKey', {
      alias: `alias/concord-${props.stage}`,
      description: 'Concord: the incident table and the signing secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Table (not TableV2): TableV2 cannot encrypt with a customer-managed key in a
    // region-agnostic stack, and `cdk synth` must work offline, without an account or region.
    this.table = new Table(this, 'Table', {
      tableName: `concord-${props.stage}`,
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: STREAM_VIEW_TYPE === 'NEW_AND_OLD_IMAGES' ? StreamViewType.NEW_AND_OLD_IMAGES : StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of GLOBAL_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Concord: signs list cursors and emailed acknowledgement links',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the secret invalidates every acknowledgement link sent in the last 24 hours and every list cursor; it is rotated by hand (README: Deploying), at a quiet moment.',
    });
  }
}
