/**
 * What must outlive any deployment: the table (with its indexes and stream), the customer-managed
 * key that encrypts it and the topics, and the signing secret. Retained on stack deletion,
 * deletion-protected, point-in-time recoverable.
 */
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { Schedule } from 'aws-cdk-lib/aws-events';
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

    // Point-in-time recovery covers the last 35 days; AWS Backup keeps daily and monthly copies
    // beyond it, in a vault encrypted with the same key (NIST 800-53 CP-9).
    const vault = new BackupVault(this, 'BackupVault', { backupVaultName: `concord-${props.stage}`, encryptionKey: this.key, removalPolicy: RemovalPolicy.RETAIN });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupPlanName: `concord-${props.stage}`,
      backupVault: vault,
      backupPlanRules: [
        new BackupPlanRule({ ruleName: 'Daily', scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }), deleteAfter: Duration.days(35) }),
        new BackupPlanRule({ ruleName: 'Monthly', scheduleExpression: Schedule.cron({ day: '1', hour: '5', minute: '0' }), moveToColdStorageAfter: Duration.days(30), deleteAfter: Duration.days(2557) }),
      ],
    });
    const selection = plan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(this.table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'AWS Backup\'s own service role policy, maintained by AWS, lets the backup service read what it backs up; the selection limits it to the table.',
    });

    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Concord: signs list cursors and emailed acknowledgement links',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const rotation = 'Rotating the secret invalidates every acknowledgement link sent in the last 24 hours and every list cursor; it is rotated by hand (docs/deploying.md), at a quiet moment.';
    Validations.of(this.signingSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: rotation });
    Validations.of(this.signingSecret).acknowledge({ id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason: rotation });
  }
}
