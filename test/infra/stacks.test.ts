/**
 * The CDK app: the resources and their key properties, least privilege function by function, and
 * cdk-nag's AwsSolutions checks with no finding left. Bundling is skipped (the bundles have their
 * own check: npm run size).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { buildApp } from '../../bin/concord';
import { ALL_ROUTES } from '../../lambdas/http/routes';
import { STREAM_CONSUMERS } from '../../lambdas/adapters/dynamodb/stream-consumers';
import { NOTIFIABLE } from '../../lambdas/domain/notifications';
import { CHAT_EVENTS } from '../../lambdas/domain/chat';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'test', ...context } });
  const built = buildApp(app);
  return { ...built, serviceStack: built.service, stateful: Template.fromStack(built.stateful), service: Template.fromStack(built.service) };
}

const built = synth();
const { app, stateful, service } = built;
const root = join(__dirname, '..', '..');

describe('stateful stack', () => {
  it('backs the table up daily and monthly into a vault encrypted with its key (beyond point-in-time recovery)', () => {
    stateful.hasResourceProperties('AWS::Backup::BackupVault', Match.objectLike({ EncryptionKeyArn: Match.anyValue() }));
    const rules = Object.values(stateful.findResources('AWS::Backup::BackupPlan'))[0]!.Properties.BackupPlan.BackupPlanRule;
    expect(rules.map((r: { RuleName: string; Lifecycle: { DeleteAfterDays: number } }) => [r.RuleName, r.Lifecycle.DeleteAfterDays])).toEqual([['Daily', 35], ['Monthly', 2557]]);
    stateful.resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  it('keeps the table: indexes, stream, point-in-time recovery, deletion protection, customer-managed key, RETAIN', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'GSI1', Projection: { ProjectionType: 'ALL' } }), Match.objectLike({ IndexName: 'GSI2' })],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() }),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});

describe('service stack', () => {
  it('runs every function on Node.js 24, arm64, with tracing and a log group of its own', () => {
    const functions = service.findResources('AWS::Lambda::Function');
    const ours = Object.values(functions).filter((f) => f.Properties.Handler === 'index.handler');
    // Beside the API's: the authorizer, the three stream consumers, the escalation timer and inbound SMS.
    expect(ours.length).toBe(new Set(ALL_ROUTES.map((r) => r.handler)).size + 6);
    for (const fn of ours) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogGroup: expect.anything() } });
    }
    // One per function, the API's access logs and the web ACL's logs.
    service.resourceCountIs('AWS::Logs::LogGroup', ours.length + 2);
  });

  it('gives adding TAXII objects up to API Gateway\'s 29 s, and every other API function 10 s', () => {
    const timeoutOf = (pascal: string) => Object.entries(service.findResources('AWS::Lambda::Function')).find(([id]) => new RegExp(`^${pascal}[0-9A-F]{8}$`).test(id))![1].Properties.Timeout;
    expect([timeoutOf('TaxiiAddObjects'), timeoutOf('ReportIncident'), timeoutOf('Taxii')]).toEqual([28, 10, 10]);
  });

  it('serves every route of the contract; only the public ones skip the authorizer, whose cache is at most 60 s', () => {
    const methods = Object.values(service.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod !== 'OPTIONS');
    const served = ALL_ROUTES.filter((r) => !r.localOnly);
    expect(methods).toHaveLength(served.length);
    const publicCount = served.filter((r) => r.auth === 'public').length;
    expect(methods.filter((m) => m.Properties.AuthorizationType === 'NONE')).toHaveLength(publicCount);
    expect(methods.filter((m) => m.Properties.AuthorizationType === 'CUSTOM')).toHaveLength(methods.length - publicCount);
    service.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 30 });
    service.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'test', TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'ERROR' })],
    });
    service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
    // An authorizer that failed (the store unavailable while it looked a key up) is API Gateway's
    // 500 unless told otherwise: a 503 to retry, as the handlers answer the same failure.
    service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'AUTHORIZER_FAILURE', StatusCode: '503',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.retry-after': "'1'" }),
    });
  });

  it('consumes the stream three times (notifier, metrics, correlation), filtered, with bisect, bounded retries and an encrypted dead-letter queue', () => {
    const mappings = Object.values(service.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(3);
    for (const m of mappings) {
      expect(m.Properties).toMatchObject({
        BisectBatchOnFunctionError: true, MaximumRetryAttempts: 8, FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON', DestinationConfig: { OnFailure: { Destination: expect.anything() } },
        FilterCriteria: { Filters: [{ Pattern: expect.stringContaining('"entity"') }] },
      });
    }
    // #27: the notifier is invoked as soon as a page is due (no batching window: it would add up to
    // its length to every report's first SMS); the metrics and correlation consumers gather a second.
    const windows = mappings.map((m) => [String(m.Properties.FilterCriteria.Filters[0].Pattern).includes('INSERT') ? 'notifier' : 'other', m.Properties.MaximumBatchingWindowInSeconds ?? 0]);
    expect(windows.sort()).toEqual([['notifier', 0], ['other', 1], ['other', 1]]);
    // The same batch sizes, windows and filters the local poller applies (STREAM_CONSUMERS): the
    // aggregator takes up to 100 records, as it writes a bucket a batch shares once.
    const settings = mappings.map((m) => ({
      pattern: JSON.parse(m.Properties.FilterCriteria.Filters[0].Pattern), batchSize: m.Properties.BatchSize, windowMs: (m.Properties.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    }));
    for (const consumer of Object.values(STREAM_CONSUMERS)) {
      expect(settings).toContainEqual({
        pattern: { ...(consumer.insertsOnly ? { eventName: ['INSERT'] } : {}), dynamodb: { NewImage: { entity: { S: [consumer.entity] }, ...('types' in consumer ? { type: { S: [...consumer.types] } } : {}) } } },
        batchSize: consumer.batchSize, windowMs: consumer.batchingWindowMs,
      });
    }
    expect(STREAM_CONSUMERS.aggregator.batchSize).toBe(100);
    // The notifier is not given the `notified` events its own pages write; it is given every type it pages or posts.
    expect(STREAM_CONSUMERS.notifier.types).not.toContain('notified');
    expect(STREAM_CONSUMERS.notifier.types).toEqual(expect.arrayContaining([...NOTIFIABLE, ...CHAT_EVENTS]));
    service.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    service.hasResourceProperties('AWS::SQS::QueuePolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
  });

  it('escalates every minute, takes inbound SMS from an encrypted topic, and alarms to an operations topic', () => {
    service.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    const topics = Object.values(service.findResources('AWS::SNS::Topic'));
    expect(topics.length).toBe(2);
    for (const t of topics) expect(t.Properties.KmsMasterKeyId).toBeDefined();
    const alarms = Object.values(service.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => a.Properties.AlarmDescription as string);
    expect(names).toEqual(expect.arrayContaining(['The API answered 5xx', 'Stream records failed every retry', 'An incident went unacknowledged past its escalation time', 'ReportIncident failed or was throttled']));
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    // Every function has one alarm, on its errors and its throttles together.
    const functions = Object.keys(service.findResources('AWS::Lambda::Function')).length;
    const perFunction = alarms.filter((a) => / failed or was throttled$/.test(a.Properties.AlarmDescription as string));
    expect(perFunction.length).toBeGreaterThanOrEqual(functions - 2);
    for (const a of perFunction) {
      expect(a.Properties.Metrics.map((m: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }) => m.Expression ?? m.MetricStat!.Metric.MetricName).sort())
        .toEqual(['Errors', 'Throttles', 'errors + throttles']);
    }
    service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('keeps each stack within CloudFormation\'s 500 resources, with room for a few more routes', () => {
    for (const template of [service, stateful]) expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(470);
  });

  it('keeps API access logs and function logs as long as the stage says, and refuses a retention CloudWatch does not offer', () => {
    const kept = synth({ stage: 'keep', logRetentionDays: '365' });
    const groups = Object.values(kept.service.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(20);
    expect(new Set(groups.map((g) => g.Properties.RetentionInDays))).toEqual(new Set([365]));
    expect(() => synth({ stage: 'odd', logRetentionDays: '45' })).toThrow(/logRetentionDays must be one of 7, 30, 90, 180, 365/);
  });

  it('gives the escalation times only to the functions that report, escalate or re-plan escalation (an edit of severity)', () => {
    const staged = synth({ stage: 'esc', escalationMinutes: 'critical=2' });
    const withEscalation = Object.entries(staged.service.findResources('AWS::Lambda::Function'))
      .filter(([, f]) => f.Properties.Environment?.Variables?.CONCORD_ESCALATION_MINUTES === 'critical=2')
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort();
    expect(withEscalation).toEqual(['EditIncident', 'EnqueueEvent', 'EscalateIncidents', 'ReceiveCloudwatchAlarm', 'ReportIncident', 'TaxiiAddObjects']);
  });

  it('signs people in through a user pool of its own: invited only, MFA, PKCE app client without a secret, role groups', () => {
    service.hasResourceProperties('AWS::Cognito::UserPool', Match.objectLike({
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      MfaConfiguration: 'ON',
      DeletionProtection: 'ACTIVE',
      Schema: Match.arrayWith([Match.objectLike({ Name: 'org', Mutable: true })]),
    }));
    service.hasResourceProperties('AWS::Cognito::UserPoolClient', Match.objectLike({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
    }));
    const groups = Object.values(service.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['concord-admins', 'concord-managers']);
    service.hasOutput('PeopleIssuer', Match.anyValue());
    service.hasOutput('PeopleAppClientId', Match.anyValue());
  });

  it('puts a logged web ACL on the stage: AWS managed rules (the 8 KB body rule only counted) and a per-address rate limit', () => {
    const acl = Object.values(service.findResources('AWS::WAFv2::WebACL'))[0]!.Properties;
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.Rules.map((r: { Name: string }) => r.Name)).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'PerAddressRate']);
    expect(acl.Rules[0].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    service.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    service.hasResourceProperties('AWS::Logs::LogGroup', Match.objectLike({ LogGroupName: 'aws-waf-logs-concord-test' }));
    service.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
  });

  it('gives the escalation schedule and the inbound-SMS subscription a dead-letter queue', () => {
    const rule = Object.values(service.findResources('AWS::Events::Rule'))[0]!.Properties;
    expect(rule.Targets[0].DeadLetterConfig).toEqual({ Arn: expect.anything() });
    const subscription = Object.values(service.findResources('AWS::SNS::Subscription')).find((s) => s.Properties.Protocol === 'lambda')!.Properties;
    expect(subscription.RedrivePolicy).toEqual({ deadLetterTargetArn: expect.anything() });
  });

  it('dead-letters undeliverable pushes to an encrypted queue only this stage\'s organization topics may send to, and alarms on it', () => {
    service.hasResourceProperties('AWS::SQS::Queue', Match.objectLike({ QueueName: 'concord-test-push-dead-letters', KmsMasterKeyId: Match.anyValue() }));
    const policy = Object.values(service.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify(p.Properties.PolicyDocument)).find((d) => d.includes('concord-test-org-'));
    expect(policy).toContain('sqs:SendMessage');
    expect(policy).toContain(':concord-test-org-*');
    service.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({ AlarmDescription: 'A push to a partner\'s HTTPS endpoint failed every retry' }));
    const put = Object.entries(service.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('PutOrganization'))![1];
    expect(put.Properties.Environment.Variables.CONCORD_PUSH_DLQ_ARN).toBeDefined();
  });

  it('tells the responders\' app where people sign in: the pool, its app client, its ID tokens, its hosted domain, its organization claim', () => {
    const app = Object.entries(service.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('GetApp'))![1];
    const vars = app.Properties.Environment.Variables;
    expect(vars.CONCORD_APP_ISSUER).toBeDefined();
    expect(vars.CONCORD_APP_CLIENT_ID).toEqual({ Ref: Object.keys(service.findResources('AWS::Cognito::UserPoolClient'))[0] });
    expect(vars.CONCORD_APP_SEND_TOKEN).toBe('id_token');
    expect(JSON.stringify(vars.CONCORD_APP_CONNECT_ORIGINS)).toContain('amazoncognito.com');
    expect(vars.CONCORD_APP_ORG_CLAIM).toBe('custom:org'); // the pool's attribute, as its trust entry reads it
  });

  it('6R: never runs a function in local mode (loopback issuers and push endpoints are npm start\'s only), in any stage', () => {
    const { service: prod } = synth({ stage: 'prod' });
    for (const template of [service, prod, stateful]) {
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      for (const fn of functions) expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain('CONCORD_LOCAL_MODE');
    }
    expect(JSON.stringify(service.toJSON())).not.toContain('CONCORD_LOCAL_MODE');
  });

  it('copies every file of the responders\' app (its ES modules too) beside get-app\'s bundle, under the names the page asks for', () => {
    const inApp = (dir: string): string[] => readdirSync(join(root, 'app', dir), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? inApp(join(dir, e.name)) : [join(dir, e.name)]));
    const copied = built.serviceStack.functions['get-app']!.copyFiles;
    expect(Object.entries(copied).filter(([, source]) => source.startsWith('app/')).map(([name, source]) => [name, source]).sort())
      .toEqual(inApp('').sort().map((f) => [f, `app/${f}`]));
    for (const source of Object.values(copied)) expect({ source, there: existsSync(join(root, source)) }).toEqual({ source, there: true });
  });

  it('tells every function that writes audit entries how long the stage keeps them', () => {
    const withTable = Object.values(service.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.CONCORD_TABLE_NAME);
    expect(withTable.length).toBeGreaterThan(20);
    for (const fn of withTable) expect(fn.Properties.Environment.Variables.CONCORD_AUDIT_RETENTION_DAYS).toBe('2557');
    const { service: short } = synth({ auditRetentionDays: '365' });
    const any = Object.values(short.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CONCORD_TABLE_NAME)!;
    expect(any.Properties.Environment.Variables.CONCORD_AUDIT_RETENTION_DAYS).toBe('365');
  });

  it('tells every function that reads or writes the table the stage\'s write shards (4 unless set), and refuses a number reads cannot follow', () => {
    const withTable = Object.values(service.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.CONCORD_TABLE_NAME);
    for (const fn of withTable) expect(fn.Properties.Environment.Variables.CONCORD_WRITE_SHARDS).toBe('4');
    const { service: eight } = synth({ writeShards: '8' });
    const any = Object.values(eight.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CONCORD_TABLE_NAME)!;
    expect(any.Properties.Environment.Variables.CONCORD_WRITE_SHARDS).toBe('8');
    expect(() => synth({ writeShards: '17' })).toThrow(/writeShards/);
    expect(() => synth({ writeShards: '2.5' })).toThrow(/writeShards/);
  });

  it('takes its stage settings from context', () => {
    const prod = synth({ stage: 'prod', apiRateLimit: '200', alarmEmail: 'ops@concord.example' });
    prod.service.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod', MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 200 })] });
    prod.service.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@concord.example' });
    expect(() => synth({ stage: 'Prod!' })).toThrow(/stage/);
  });
});

describe('least privilege', () => {
  const TABLE_READ = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
  const TABLE_WRITE = [...TABLE_READ, 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
  const KMS_WRITE = [...KMS_READ, 'kms:Encrypt', 'kms:GenerateDataKey'];
  const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const SECRET = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
  const STREAM = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
  const DLQ = ['kms:ReEncrypt*', 'kms:GenerateDataKey*', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
  const read = [...XRAY, ...TABLE_READ, ...KMS_READ];
  const write = [...XRAY, ...TABLE_WRITE, ...KMS_WRITE];

  const AUDIT_APPEND = ['dynamodb:PutItem', 'kms:Encrypt', 'kms:GenerateDataKey'];
  const EXPECTED: Record<string, string[]> = {
    GetHealth: XRAY,
    GetOpenapi: XRAY,
    GetConsole: XRAY,
    GetApp: XRAY,
    ListDirectory: read,
    Authorize: [...read, 'dynamodb:UpdateItem', ...AUDIT_APPEND],
    GetIncident: [...read, ...AUDIT_APPEND], GetTimeline: [...read, ...SECRET, ...AUDIT_APPEND], ListOrganizations: read, ListKeys: read, GetMetrics: read,
    GetIncidentAudit: [...read, ...SECRET, ...AUDIT_APPEND], ListAudit: [...read, ...SECRET],
    ListIncidents: [...read, ...SECRET, ...AUDIT_APPEND],
    GetAckPage: [...read, ...SECRET, ...AUDIT_APPEND],
    ReportIncident: write, AcknowledgeIncident: write, AssignIncident: write, ResolveIncident: write, AddNote: write,
    CreateKey: [...write, 'sns:Publish'], DeleteKey: write, EnqueueEvent: write, ReceiveCloudwatchAlarm: write,
    // It also pages escalation policies' levels and sends shift notices (#24): it publishes, with signed acknowledgement links.
    EscalateIncidents: [...write, ...SECRET, 'sns:Publish'],
    // On call (#24): schedules and policies (admin writes, audited; feed tokens signed); the calendar feed reads and verifies its token.
    Schedules: [...write, ...SECRET], GetScheduleCalendar: [...read, ...SECRET],
    PostAck: [...write, ...SECRET],
    PutOrganization: [...write, 'sns:CreateTopic', 'sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:TagResource', 'sns:Unsubscribe'],
    ReplayNotifications: [...write, ...SECRET, 'sns:Publish'],
    NotifyFromStream: [...write, ...SECRET, 'sns:Publish', ...STREAM, ...DLQ],
    AggregateMetrics: [...write, ...STREAM, ...DLQ],
    ReceiveSms: [...write, 'sns:Publish'],
    GetIncidentStix: [...read, ...AUDIT_APPEND],
    Taxii: [...read, ...SECRET, ...AUDIT_APPEND],
    TaxiiAddObjects: write,
    // Coordination (#23): each writes its incident, events, participation entries and audit entry in one transaction.
    InviteParticipants: write, EditIncident: write, ReopenIncident: write, PostStatusUpdate: write, LinkIncident: write, UnlinkIncident: write,
    // Observables (#25): adding them is edit-incident's, related and the lookup list-incidents'; the correlation writes the index and events.
    CorrelateFromStream: [...write, ...STREAM, ...DLQ],
  };

  const actionsByFunction = () => {
    const out: Record<string, Set<string>> = {};
    for (const [id, policy] of Object.entries(service.findResources('AWS::IAM::Policy'))) {
      const fn = /^([A-Za-z]+)ServiceRoleDefaultPolicy/.exec(id)?.[1];
      if (!fn) continue;
      const set = (out[fn] ??= new Set());
      for (const st of policy.Properties.PolicyDocument.Statement) for (const a of [st.Action].flat()) set.add(a);
    }
    return out;
  };

  it.each(Object.entries(EXPECTED))('%s gets exactly the actions it uses', (fn, actions) => {
    expect([...(actionsByFunction()[fn] ?? [])].sort()).toEqual([...new Set(actions)].sort());
  });

  it('grants SNS only on the organizations\' topic prefix, except the SMS reply', () => {
    for (const policy of Object.values(service.findResources('AWS::IAM::Policy'))) {
      for (const st of policy.Properties.PolicyDocument.Statement) {
        const actions = [st.Action].flat() as string[];
        if (!actions.some((a) => a.startsWith('sns:'))) continue;
        const resource = JSON.stringify(st.Resource);
        if (resource === '"*"') expect(actions).toEqual(['sns:Publish']);
        else expect(resource).toContain(':concord-test-org-*');
      }
    }
  });
});

describe('cdk-nag', () => {
  it('finds nothing left unacknowledged in AwsSolutions, NIST 800-53 rev 5 and Serverless', () => {
    expect(() => app.synth()).not.toThrow();
  });

  it('runs all three packs: a careless function and queue fail each of them', () => {
    const bad = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'nagpacks' } });
    const { service: stack } = buildApp(bad);
    new Queue(stack, 'Careless');
    new LambdaFunction(stack, 'CarelessFunction', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => 1;') });
    let report = '';
    try { bad.synth(); } catch (err) { report = String((err as Error).message); }
    expect(report).toMatch(/AwsSolutions-SQS/);
    expect(report).toMatch(/NIST\.800\.53\.R5-Lambda/);
    expect(report).toMatch(/Serverless-SQSRedrivePolicy/);
  });

  it('does run: an unencrypted queue without a dead-letter queue fails the synth', () => {
    const bad = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'nagcheck' } });
    const { service: stack } = buildApp(bad);
    new Queue(stack, 'Careless');
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS/);
  });
});

describe('AWS GovCloud (US)', () => {
  const gov = synth({ region: 'us-gov-west-1' });

  it('synthesizes for us-gov-west-1 with no commercial-partition ARN, FIPS endpoints for every SDK client, and every check passing', () => {
    for (const template of [gov.stateful, gov.service]) {
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toMatch(/arn:aws:/);
      expect(text).not.toMatch(/us-east-1/);
    }
    const functions = Object.values(gov.service.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Handler === 'index.handler');
    expect(functions.length).toBeGreaterThan(20);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.AWS_USE_FIPS_ENDPOINT).toBe('true');
    expect(gov.service.toJSON()).toBeDefined();
    expect(() => gov.app.synth()).not.toThrow();
  });

  it('uses FIPS endpoints only where asked in the commercial partition', () => {
    const fn = Object.values(service.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.handler')!;
    expect(fn.Properties.Environment.Variables.AWS_USE_FIPS_ENDPOINT).toBeUndefined();
    const { service: fips } = synth({ fips: 'true' });
    const forced = Object.values(fips.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Handler === 'index.handler')!;
    expect(forced.Properties.Environment.Variables.AWS_USE_FIPS_ENDPOINT).toBe('true');
  });

  it('refuses a region that is not one', () => {
    expect(() => synth({ region: 'mars-north-1x' })).toThrow(/Context region/);
  });
});
