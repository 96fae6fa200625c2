/**
 * The service: one function per route and per event, the API, the stream consumers, the escalation
 * schedule, inbound SMS, and operations. Receives the stateful resources through props.
 */
import { Duration, Stack, Validations, type StackProps, RemovalPolicy, CfnOutput } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ORG_CLAIM, PeopleSignIn } from './constructs/people-sign-in';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { ALL_ROUTES } from '../lambdas/http/routes';
import type { ApiFunctionName, FunctionName } from '../lambdas/functions';
import { APP_ENV } from '../lambdas/config/app-env';
import { APP_COPY_FILES } from '../lambdas/config/app-files';
import type { StageConfig } from './config';
import { HttpApi } from './constructs/http-api';
import { Operations } from './constructs/operations';
import { ServiceFunction } from './constructs/service-function';
import { StreamConsumers } from './constructs/stream-consumers';

export interface ServiceStackProps extends StackProps {
  config: StageConfig;
  table: ITable;
  key: IKey;
  signingSecret: ISecret;
}

/** What each function may touch; nothing else is granted. */
interface Access {
  table?: 'read' | 'write';
  secret?: boolean;
  topics?: 'publish' | 'manage';
  /** Records keys' last use (a reading function that authenticates). */
  keyUsage?: boolean;
  /** Records reads (and refusals) in the audit trail while otherwise only reading. */
  audit?: boolean;
  /** Reports or escalates incidents, so it needs the stage's escalation times. */
  escalation?: boolean;
}

/** Functions behind the API, by manifest name (lambdas/functions.ts). Public routes with no data need nothing. */
const API_ACCESS: Record<ApiFunctionName, Access> = {
  'get-health': {},
  'get-openapi': {},
  'report-incident': { table: 'write', escalation: true },
  'list-incidents': { table: 'read', secret: true, audit: true },
  'get-incident': { table: 'read', audit: true },
  'acknowledge-incident': { table: 'write' },
  'assign-incident': { table: 'write' },
  'resolve-incident': { table: 'write' },
  'add-note': { table: 'write' },
  'invite-participants': { table: 'write' },
  // A severity change re-plans escalation: it needs the stage's escalation times.
  'edit-incident': { table: 'write', escalation: true },
  'reopen-incident': { table: 'write' },
  'post-status-update': { table: 'write' },
  'link-incident': { table: 'write' },
  'unlink-incident': { table: 'write' },
  'get-timeline': { table: 'read', secret: true, audit: true },
  'get-incident-audit': { table: 'read', secret: true, audit: true },
  'list-audit': { table: 'read', secret: true },
  'put-organization': { table: 'write', topics: 'manage' },
  'list-organizations': { table: 'read' },
  'list-directory': { table: 'read' },
  'create-key': { table: 'write', topics: 'publish' },
  'list-keys': { table: 'read' },
  'delete-key': { table: 'write' },
  'enqueue-event': { table: 'write', escalation: true },
  'receive-cloudwatch-alarm': { table: 'write', escalation: true },
  'get-ack-page': { table: 'read', secret: true, audit: true },
  'post-ack': { table: 'write', secret: true },
  'replay-notifications': { table: 'write', secret: true, topics: 'publish' },
  'get-metrics': { table: 'read' },
  // On call: schedules and policies (admin writes, audited; feed tokens signed with the secret); the calendar feed verifies its token.
  schedules: { table: 'write', secret: true },
  'get-schedule-calendar': { table: 'read', secret: true },
  'get-app': {},
  'get-console': {},
  'get-incident-stix': { table: 'read', audit: true },
  // TAXII: the read routes sign and verify `next` cursors and audit reads; adding objects reports incidents.
  taxii: { table: 'read', secret: true, audit: true },
  'taxii-add-objects': { table: 'write', escalation: true },
};

/**
 * What some API functions need beyond the defaults: the app, its files copied beside its bundle;
 * adding TAXII objects, up to API Gateway's 29 s, since one envelope may report a few hundred
 * incidents (eight at a time).
 */
const EXTRA: Partial<Record<ApiFunctionName, { timeout?: Duration; copyFiles?: Readonly<Record<string, string>> }>> = {
  'get-app': { copyFiles: APP_COPY_FILES },
  'taxii-add-objects': { timeout: Duration.seconds(28) },
};

/** Functions whose answers name the API's public URL (STIX external references, TAXII discovery). */
const NEEDS_PUBLIC_URL: readonly FunctionName[] = ['schedules', 'replay-notifications', 'get-incident-stix', 'taxii', 'taxii-add-objects'];

export const TOPIC_PREFIX = (stage: string) => `concord-${stage}-org-`;
/** The queue SNS moves undeliverable pushes to (partners' HTTPS endpoints). */
export const PUSH_DEAD_LETTERS = (stage: string) => `concord-${stage}-push-dead-letters`;

export class ServiceStack extends Stack {
  /** Each function by its manifest name (lambdas/functions.ts). */
  readonly functions: Partial<Record<FunctionName, ServiceFunction>> = {};
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, table, signingSecret } = props;
    const topicPrefix = TOPIC_PREFIX(config.stage);

    // The service's own key: topics (the organizations' too), queues and logs. Kept here so that
    // grants to its services never reach into the stateful stack.
    const key = new Key(this, 'ServiceKey', {
      alias: `alias/concord-${config.stage}-service`,
      description: 'Concord: notification topics, dead-letter queue, logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const service of ['sns.amazonaws.com', `logs.${this.region}.amazonaws.com`, 'cloudwatch.amazonaws.com', 'sqs.amazonaws.com', 'lambda.amazonaws.com']) {
      key.grantEncryptDecrypt(new ServicePrincipal(service));
    }

    const make = (handler: FunctionName, access: Access, extra: { timeout?: Duration; environment?: Record<string, string>; copyFiles?: Readonly<Record<string, string>> } = {}) => {
      const fn = new ServiceFunction(this, pascal(handler), { handler, logRetention: config.logRetention, logKey: key, ...extra });
      if (access.table) fn.bindTable(table, access.table);
      if (access.secret) fn.bindSigningSecret(signingSecret, props.key);
      if (access.topics) fn.bindOrganizationTopics(topicPrefix, key, access.topics === 'manage');
      if (access.keyUsage) fn.bindKeyUsage(table);
      if (access.audit) fn.bindAuditAppend(table);
      // Audit entries expire after the stage's retention (the table's PITR covers them meanwhile).
      if (access.table || access.audit) fn.addEnvironment(ENV.auditRetentionDays, String(config.auditRetentionDays));
      // Every function that writes or reads audit entries or metrics buckets agrees on their shards.
      if (access.table || access.audit) fn.addEnvironment(ENV.writeShards, String(config.writeShards));
      if (access.escalation && config.escalationMinutes) fn.addEnvironment(ENV.escalationMinutes, config.escalationMinutes);
      // FIPS 140 validated endpoints for every SDK client (GovCloud, or where a stage asks for them).
      if (config.fips) fn.addEnvironment('AWS_USE_FIPS_ENDPOINT', 'true');
      this.functions[handler] = fn;
      return fn;
    };

    for (const handler of new Set(ALL_ROUTES.filter((r) => !r.localOnly).map((r) => r.handler))) {
      make(handler, API_ACCESS[handler], EXTRA[handler] ?? {});
    }
    const authorizer = make('authorize', { table: 'read', keyUsage: true, audit: true });
    this.httpApi = new HttpApi(this, 'Http', {
      stage: config.stage, routes: ALL_ROUTES, functions: this.functions, authorizer,
      rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit, logKey: key, logRetention: config.logRetention,
    });
    // Acknowledgement links point at the API; built from its id so no dependency cycle forms.
    const baseUrl = `https://${this.httpApi.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${config.stage}`;
    for (const handler of NEEDS_PUBLIC_URL) this.functions[handler]!.addEnvironment(ENV.publicBaseUrl, baseUrl);

    const notifier = make('notify-from-stream', { table: 'write', secret: true, topics: 'publish' }, { timeout: Duration.seconds(60), environment: { [ENV.publicBaseUrl]: baseUrl } });
    const aggregator = make('aggregate-metrics', { table: 'write' }, { timeout: Duration.seconds(60) });
    const correlator = make('correlate-from-stream', { table: 'write' }, { timeout: Duration.seconds(60) });
    const consumers = new StreamConsumers(this, 'Stream', { table, key, notifier, aggregator, correlator });

    // It also pages escalation policies' next levels: it publishes, with acknowledgement links.
    const escalate = make('escalate-incidents', { table: 'write', escalation: true, secret: true, topics: 'publish' }, { timeout: Duration.seconds(50), environment: { [ENV.publicBaseUrl]: baseUrl } });
    // Asynchronous sources keep what they could not deliver: one encrypted queue, alarmed on.
    const asyncDeadLetters = new Queue(this, 'AsyncDeadLetters', {
      encryption: QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14), removalPolicy: RemovalPolicy.DESTROY,
    });
    new Rule(this, 'EscalationSchedule', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaFunction(escalate, { retryAttempts: 0, deadLetterQueue: asyncDeadLetters })] });

    // Inbound SMS: End User Messaging publishes replies to this topic (or to one named by context).
    const receiveSms = make('receive-sms', { table: 'write' });
    const inbound: ITopic = config.inboundSmsTopicArn
      ? Topic.fromTopicArn(this, 'InboundSms', config.inboundSmsTopicArn)
      : new Topic(this, 'InboundSms', { displayName: `Concord ${config.stage} inbound SMS`, masterKey: key, enforceSSL: true });
    inbound.addSubscription(new LambdaSubscription(receiveSms, { deadLetterQueue: asyncDeadLetters }));
    // Replies go to the sender's phone number directly, which has no ARN to scope to.
    receiveSms.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    Validations.of(receiveSms).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'SNS Publish to a phone number (the reply to an inbound SMS) has no resource ARN; the function publishes nothing else.',
    });

    // Pushes to partners' HTTPS endpoints that fail every SNS retry land here (each subscription's
    // RedrivePolicy names it); only this stage's organization topics may send to it.
    const pushDeadLetters = new Queue(this, 'PushDeadLetters', {
      queueName: PUSH_DEAD_LETTERS(config.stage),
      encryption: QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true,
      retentionPeriod: Duration.days(14), removalPolicy: RemovalPolicy.RETAIN,
    });
    pushDeadLetters.addToResourcePolicy(new PolicyStatement({
      principals: [new ServicePrincipal('sns.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [pushDeadLetters.queueArn],
      conditions: { ArnLike: { 'aws:SourceArn': `arn:${this.partition}:sns:${this.region}:${this.account}:${topicPrefix}*` } },
    }));
    for (const [queue, what] of [[pushDeadLetters, 'the push subscriptions'], [asyncDeadLetters, 'the escalation schedule and the inbound-SMS subscription']] as const) {
      const reason = `This queue is itself the dead-letter queue of ${what}; its depth is alarmed on.`;
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
      Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
    }
    this.functions['put-organization']!.addEnvironment(ENV.pushDeadLetterArn, pushDeadLetters.queueArn);

    const operations = new Operations(this, 'Operations', {
      stage: config.stage, key, api: this.httpApi.api, functions: Object.values(this.functions), deadLetters: consumers.deadLetters, pushDeadLetters, asyncDeadLetters, alarmEmail: config.alarmEmail,
    });

    // People sign in through the stage's user pool by default; see PeopleSignIn and docs/deploying.md.
    const people = new PeopleSignIn(this, 'People', { stage: config.stage, appUrl: `${baseUrl}/app` });
    // The app learns where people sign in from GET /app/config.json. Cognito's access tokens carry
    // no `aud`, so the app sends the ID token; its token endpoint is on the pool's hosted domain.
    const app = this.functions['get-app']!;
    app.addEnvironment(APP_ENV.issuer, people.issuer);
    app.addEnvironment(APP_ENV.clientId, people.appClient.userPoolClientId);
    app.addEnvironment(APP_ENV.sendToken, 'id_token');
    app.addEnvironment(APP_ENV.orgClaim, ORG_CLAIM);
    app.addEnvironment(APP_ENV.extraOrigins, `https://concord-${config.stage}-${this.account}.auth.${this.region}.amazoncognito.com`);

    new CfnOutput(this, 'ApiUrl', { value: baseUrl });
    new CfnOutput(this, 'PeopleIssuer', { value: people.issuer, description: 'The issuer to name in an organization\'s identity entry.' });
    new CfnOutput(this, 'PeopleAppClientId', { value: people.appClient.userPoolClientId, description: 'The audience of its ID tokens.' });
    new CfnOutput(this, 'PeopleUserPoolId', { value: people.userPool.userPoolId });
    new CfnOutput(this, 'InboundSmsTopicArn', { value: inbound.topicArn });
    new CfnOutput(this, 'OperationsTopicArn', { value: operations.topic.topicArn });
    acknowledgeReviewedFindings(this);
  }
}

const pascal = (s: string) => s.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());

/** Findings a security reviewer has accepted, each with its reason. */
function acknowledgeReviewedFindings(stack: ServiceStack): void {
  const v = Validations.of(stack);
  v.acknowledge({ id: 'AwsSolutions-APIG2', reason: 'Requests are validated in each function against the zod schemas that also generate the OpenAPI document, so every invalid field is reported at once in a problem document; an API Gateway model would duplicate them and answer differently.' });
  v.acknowledge({ id: 'NIST.800.53.R5-APIGWSSLEnabled', reason: 'Every integration is a Lambda proxy integration inside AWS; a client certificate authenticates API Gateway to HTTP backends, of which there are none.' });
  v.acknowledge({ id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: 'Answers depend on the caller (visibility by organization and TLP) and must be current; a stage cache would risk serving one caller\'s answer to another. The authorizer\'s own 30 s cache is per credential.' });
  v.acknowledge({ id: 'AwsSolutions-APIG4', reason: 'Routes without the authorizer are public by contract (API.md): /health, /openapi.json, /v2/enqueue (authenticated by its routing_key), /v1/ack/{token} (an HMAC-signed token) and the CloudWatch endpoint (SNS signature and routing key).' });
  v.acknowledge({ id: 'AwsSolutions-COG4', reason: 'One Lambda REQUEST authorizer verifies both systems\' API keys and people\'s tokens (from the stage\'s user pool or an organization\'s own issuer, which a Cognito authorizer could not trust); public routes are authenticated by their own means (see APIG4).' });
  v.acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The AWS managed basic execution role only lets a function write its own logs.' });
  v.acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', reason: 'API Gateway\'s account role for writing access and execution logs; AWS maintains it.' });
  v.acknowledge({ id: 'AwsSolutions-L1', reason: 'Functions run on Node.js 24 (nodejs24.x); the code also runs on Node 20 locally. Should nag\'s idea of "latest" move ahead of the CDK version, this keeps the synth from failing until the runtime is bumped deliberately.' });
  v.acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: 'As AwsSolutions-L1: nodejs24.x, bumped deliberately with the CDK version.' });
}
