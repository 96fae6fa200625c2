/**
 * The REST API: every route of `lambdas/http/routes.ts` (the local-only ones aside), each served by
 * its own function; the REQUEST authorizer with a 30-second cache on every authenticated route;
 * stage throttling, access logs and tracing; authorizer refusals as problem documents.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat, AuthorizationType, IdentitySource, LambdaIntegration, LogGroupLogDestination, MethodLoggingLevel,
  RequestAuthorizer, ResponseType, RestApi, type IResource,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteSpec } from '../../lambdas/http/routes';
import type { ServiceFunction } from './service-function';
import type { ApiFunctionName } from '../../lambdas/functions';

export interface HttpApiProps {
  stage: string;
  routes: readonly RouteSpec[];
  /** The function that serves each handler file. */
  functions: Partial<Record<ApiFunctionName, ServiceFunction>>;
  authorizer: ServiceFunction;
  rateLimit: number;
  burstLimit: number;
  logKey: IKey;
  /** How long access logs are kept (the stage's logRetentionDays). @default three months */
  logRetention?: RetentionDays;
  /** How long API Gateway caches an authorizer answer. At most 60 s (API.md). @default 30 s */
  authorizerCacheTtl?: Duration;
  /** Requests one address may make in five minutes before the web ACL blocks it. @default 3000 */
  wafRateLimitPer5Minutes?: number;
}

const problem = (status: number, title: string, detail: string) =>
  JSON.stringify({ type: `https://concord.example/problems/${status === 401 ? 'unauthorized' : 'forbidden'}`, title, status, detail });

export class HttpApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS, encryptionKey: props.logKey, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new RestApi(this, 'Api', {
      restApiName: `concord-${props.stage}`,
      description: 'Concord: shared incident response',
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
      },
    });

    const authorizer = new RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(30),
    });

    // Each method's invoke permission stays scoped to that method; the console's test-invoke gets
    // none (one Lambda::Permission per method instead of two: the stack stays under CloudFormation's
    // 500 resources).
    for (const route of props.routes.filter((r) => !r.localOnly)) {
      const fn = props.functions[route.handler];
      if (!fn) throw new Error(`No function for ${route.method} ${route.path}`);
      const resource: IResource = route.path === '/' ? this.api.root : this.api.root.resourceForPath(route.path);
      resource.addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }), route.auth === 'public'
        ? { authorizationType: AuthorizationType.NONE }
        : { authorizer, authorizationType: AuthorizationType.CUSTOM });
    }

    this.api.addGatewayResponse('Unauthorized', {
      type: ResponseType.UNAUTHORIZED, statusCode: '401',
      responseHeaders: { 'content-type': "'application/problem+json'", 'www-authenticate': "'Bearer'", 'x-request-id': 'context.requestId' },
      templates: { 'application/json': problem(401, 'Authentication required', 'A valid API key or token is required: Authorization: Bearer <key or token>.') },
    });
    this.api.addGatewayResponse('AccessDenied', {
      type: ResponseType.ACCESS_DENIED, statusCode: '403',
      responseHeaders: { 'content-type': "'application/problem+json'", 'x-request-id': 'context.requestId' },
      templates: { 'application/json': problem(403, 'Not allowed', 'This key may not do this.') },
    });
    this.api.addGatewayResponse('Throttled', {
      type: ResponseType.THROTTLED, statusCode: '429',
      responseHeaders: { 'content-type': "'application/problem+json'", 'retry-after': "'1'", 'x-request-id': 'context.requestId' },
      templates: { 'application/json': JSON.stringify({ type: 'https://concord.example/problems/retry-later', title: 'Try again later', status: 429, detail: 'Too many requests.' }) },
    });

    // The authorizer failed rather than refused (the store unavailable while it looked a key up): a
    // 503 to retry, as a handler answers the same failure, not API Gateway's default 500.
    this.api.addGatewayResponse('AuthorizerFailure', {
      type: ResponseType.AUTHORIZER_FAILURE, statusCode: '503',
      responseHeaders: { 'content-type': "'application/problem+json'", 'retry-after': "'1'", 'x-request-id': 'context.requestId' },
      templates: { 'application/json': JSON.stringify({ type: 'https://concord.example/problems/retry-later', title: 'Try again later', status: 503, detail: 'The credential could not be checked just now; try again shortly.' }) },
    });

    // A web ACL on the stage (NIST 800-53 SC-7): AWS's common and known-bad-input rules, and a
    // per-address rate limit above the stage's throttling. The common rules' 8 KB body limit is
    // only counted: the contract accepts bodies up to 64 KiB, and the functions enforce that.
    const acl = new CfnWebACL(this, 'WebAcl', {
      name: `concord-${props.stage}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `concord-${props.stage}-waf`, sampledRequestsEnabled: true },
      rules: [
        managedRules('AWSManagedRulesCommonRuleSet', 1, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managedRules('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'PerAddressRate', priority: 3, action: { block: {} },
          statement: { rateBasedStatement: { limit: props.wafRateLimitPer5Minutes ?? 3000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'PerAddressRate', sampledRequestsEnabled: true },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: acl.attrArn });
    // WAF logs blocked and counted requests to a log group of its own (the name prefix WAF requires).
    const wafLogs = new LogGroup(this, 'WafLogs', { logGroupName: `aws-waf-logs-concord-${props.stage}`, retention: props.logRetention ?? RetentionDays.THREE_MONTHS, encryptionKey: props.logKey, removalPolicy: RemovalPolicy.DESTROY });
    new CfnLoggingConfiguration(this, 'WafLogging', { resourceArn: acl.attrArn, logDestinationConfigs: [wafLogs.logGroupArn] });
  }
}

function managedRules(name: string, priority: number, ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[]): CfnWebACL.RuleProperty {
  return {
    name, priority, overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ...(ruleActionOverrides ? { ruleActionOverrides } : {}) } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  };
}
