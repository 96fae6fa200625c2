/**
 * ServiceFunction: every Concord Lambda, with the same defaults — Node.js 24 on arm64, bundled
 * locally by esbuild (no Docker) as lib/bundling.ts says, X-Ray tracing, a log group with
 * retention — and `bind…` helpers that grant a permission and set the environment variable the
 * code reads for it together, so the two cannot drift.
 */
import { Duration, Stack, Token, Validations, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { ENV } from '../../lambdas/config/env';
import { GLOBAL_INDEXES } from '../../lambdas/adapters/dynamodb/table';
import { API_KEY_PREFIX, AUDIT_PREFIX } from '../../lambdas/adapters/dynamodb/keys';
import { BUNDLING } from '../bundling';
import type { FunctionName } from '../../lambdas/functions';

export interface ServiceFunctionProps {
  /** The function's manifest name (lambdas/functions.ts), its file under `lambdas/handlers/`: `report-incident`. */
  handler: FunctionName;
  /** How long the function's logs are kept. @default three months */
  logRetention?: RetentionDays;
  /** @default 10 seconds */
  timeout?: Duration;
  /** @default 512 */
  memorySize?: number;
  /** Key that encrypts the log group. */
  logKey?: IKey;
  environment?: Record<string, string>;
  /** Files copied into the bundle's `console/` folder: the name there (subfolders allowed) → the file, relative to the repository. */
  copyFiles?: Readonly<Record<string, string>>;
}


const ROOT = join(__dirname, '..', '..');

/** Local commands (no Docker) that copy files beside the bundle. */
function copyHooks(files: Readonly<Record<string, string>>) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) => Object.entries(files).flatMap(([name, source]) => [
      `mkdir -p "${dirname(join(output, 'console', name))}"`,
      `cp "${join(ROOT, source)}" "${join(output, 'console', name)}"`,
    ]),
  };
}

/** TransactWriteItems is authorized per item by these. */
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

export class ServiceFunction extends NodejsFunction {
  /** The handler file it runs, and the files copied beside its bundle (the bundle test lays them out the same). */
  readonly handlerName: FunctionName;
  readonly copyFiles: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: join(__dirname, '..', '..', 'lambdas', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      bundling: {
        ...BUNDLING, mainFields: [...BUNDLING.mainFields], externalModules: [...BUNDLING.externalModules],
        ...(props.copyFiles ? { commandHooks: copyHooks(props.copyFiles) } : {}),
      },
      environment: {
        // No --enable-source-maps: parsing the map at every cold start cost ~65 ms per function
        // (npm run bench). The map ships beside the bundle; set NODE_OPTIONS=--enable-source-maps on
        // a function while debugging it, or map a logged stack offline with index.mjs.map.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
    });
    this.handlerName = props.handler;
    this.copyFiles = props.copyFiles ?? {};
    const v = Validations.of(this);
    v.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but *. Any other * grant is acknowledged where it is made.',
    });
    // The federal packs' function-level controls, each with its reason (lib/compliance.ts has the rest).
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaInsideVPC', reason: 'The functions reach only AWS APIs (DynamoDB, SNS, Secrets Manager, KMS) over TLS with IAM, plus OpenID issuers on the internet; a VPC would add NAT gateways or a dozen interface endpoints and no control these calls lack. Place them in a VPC with endpoints where an agency\'s boundary policy requires it.' });
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: 'Functions behind the API are invoked synchronously (a DLQ never applies); the stream consumers send failed batches to an encrypted on-failure queue; the escalation schedule and the inbound-SMS subscription have their own dead-letter queues.' });
    v.acknowledge({ id: 'Serverless-LambdaDLQ', reason: 'As NIST.800.53.R5-LambdaDLQ: synchronous functions cannot use a DLQ; asynchronous sources carry their own dead-letter queues.' });
    v.acknowledge({ id: 'NIST.800.53.R5-LambdaConcurrency', reason: 'Stage throttling bounds the API functions and shard count bounds the stream consumers; reserved concurrency would fail to deploy in accounts below the 100-unreserved minimum (new accounts) and can be set per stage where an agency sizes its account.' });
    v.acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'Each function has its own role with one least-privilege policy that CDK writes from its grants (the infrastructure tests pin its exact actions); a customer-managed policy per function would be the same document under another resource type.' });
  }

  /** Exactly the table and its indexes, named (no wildcard). */
  private static tableResources(table: ITable): string[] {
    return [table.tableArn, ...GLOBAL_INDEXES.map((i) => `${table.tableArn}/index/${i.indexName}`)];
  }

  /** Reads (`read`) or reads and writes (`write`) the table, and knows its name. */
  bindTable(table: ITable, access: 'read' | 'write'): this {
    this.addToRolePolicy(new PolicyStatement({
      actions: access === 'read' ? TABLE_READ : [...TABLE_READ, ...TABLE_WRITE],
      resources: ServiceFunction.tableResources(table),
    }));
    // On the function's own policy, never the key's: the key lives in the stateful stack, and a
    // key policy naming this role would make that stack depend on this one.
    if (table.encryptionKey) {
      this.addToRolePolicy(new PolicyStatement({
        actions: access === 'read' ? ['kms:Decrypt', 'kms:DescribeKey'] : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [table.encryptionKey.keyArn],
      }));
    }
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /**
   * Records when an API key was last used: UpdateItem on key items only (partition keys `KEY#…`),
   * for a function that otherwise only reads (the authorizer).
   */
  bindKeyUsage(table: ITable): this {
    return this.bindNarrowWrite(table, 'dynamodb:UpdateItem', API_KEY_PREFIX);
  }

  /**
   * Appends audit entries, for a function that otherwise only reads: PutItem (the audit log writes
   * transactions of conditional Puts) on audit items only (partition keys `AUDIT#…`), so a reading
   * function can record its reads and nothing else.
   */
  bindAuditAppend(table: ITable): this {
    return this.bindNarrowWrite(table, 'dynamodb:PutItem', AUDIT_PREFIX);
  }

  /** One write action, on the items whose partition key starts with `prefix` only, and the key to encrypt what it writes. */
  private bindNarrowWrite(table: ITable, action: string, prefix: string): this {
    this.addToRolePolicy(new PolicyStatement({
      actions: [action],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
    }));
    if (table.encryptionKey) this.addToRolePolicy(new PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [table.encryptionKey.keyArn] }));
    return this;
  }

  /** Reads the signing secret (cursors, acknowledgement links). */
  bindSigningSecret(secret: ISecret, key: IKey): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [secret.secretArn] }));
    this.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    this.addEnvironment(ENV.signingSecretArn, secret.secretArn);
    return this;
  }

  /**
   * Reads the organizations' Slack secrets (`<prefix><orgId>`: bot token and signing secret), and
   * only those: Secrets Manager appends six random characters to a secret's ARN, hence the `-??????`.
   */
  bindSlackSecrets(prefix: string): this {
    const stack = Stack.of(this);
    this.addToRolePolicy(new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [`arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}*`],
    }));
    this.addEnvironment(ENV.slackSecretPrefix, prefix);
    Validations.of(this).acknowledge({
      // As cdk-nag writes the resource: unresolved parts as CloudFormation pseudo parameters.
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:secret:${prefix}*]`,
      reason: 'One Slack secret per organization, created by the operator as organizations connect Slack (docs/chat.md); the prefix names exactly those secrets and nothing else.',
    });
    return this;
  }

  /** Publishes to the organizations' topics, and knows where they are. */
  bindOrganizationTopics(topicPrefix: string, key: IKey, manage: boolean): this {
    const stack = Stack.of(this);
    const arnPrefix = `arn:${stack.partition}:sns:${stack.region}:${stack.account}:${topicPrefix}`;
    this.addToRolePolicy(new PolicyStatement({
      effect: Effect.ALLOW,
      actions: manage ? ['sns:CreateTopic', 'sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:TagResource'] : ['sns:Publish'],
      resources: [`${arnPrefix}*`],
    }));
    if (!manage) this.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }));
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:<AWS::AccountId>:${topicPrefix}*]`,
      reason: 'Organizations\' topics are created at run time, one per organization, all named with this stage\'s prefix: the grant covers exactly those topics.',
    });
    this.addEnvironment(ENV.topicPrefix, topicPrefix);
    this.addEnvironment(ENV.topicArnPrefix, arnPrefix);
    this.addEnvironment(ENV.topicKmsKey, key.keyArn);
    return this;
  }
}
