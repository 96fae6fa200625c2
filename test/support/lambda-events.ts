/**
 * The events AWS sends the functions, for the bundle test: API Gateway REST proxy events (v1) behind
 * the REQUEST authorizer as API Gateway runs it, DynamoDB stream records read from DynamoDB Local's
 * stream and filtered and batched as the stack's event source mappings say, SNS notifications
 * (inbound SMS from End User Messaging) and EventBridge scheduled events.
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { toLambdaRecord } from '../../local/stream-poller';
import { ACCOUNT, REGION, STAGE, type ApiRoute, type Deployment, type LambdaRuntime, type StreamMapping } from './lambda-runtime';

export interface ApiReply<T = any> { status: number; headers: Record<string, string>; body: T; text: string; handler: string | null }

const bare = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** The route API Gateway picks for a method and path: literal segments before parameters. */
export function matchRoute(routes: ApiRoute[], method: string, path: string): { route: ApiRoute; params: Record<string, string> } | undefined {
  const segments = bare(path).split('/');
  const candidates = routes.filter((r) => r.method === method).map((route) => {
    const parts = bare(route.path).split('/');
    if (parts.length !== segments.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const m = /^\{(\w+)\}$/.exec(parts[i]!);
      if (m) params[m[1]!] = decodeURIComponent(segments[i]!);
      else if (parts[i] !== segments[i]) return undefined;
    }
    return { route, params, literal: parts.filter((p) => !p.startsWith('{')).length };
  }).filter((c) => c !== undefined).sort((a, b) => b.literal - a.literal);
  return candidates[0];
}

/** Does a Lambda event filter pattern (the EventBridge pattern subset the stack uses) match? */
export function matchesPattern(pattern: any, value: any): boolean {
  return Object.entries(pattern).every(([key, p]) => {
    const v = value?.[key];
    if (Array.isArray(p)) return p.some((option) => (option !== null && typeof option === 'object' ? false : option === v));
    return v !== null && typeof v === 'object' && matchesPattern(p, v);
  });
}

/**
 * API Gateway (REST, proxy integrations) in front of the bundles: picks the route from the
 * synthesized API, runs the REQUEST authorizer bundle with the Authorization header as identity
 * source (none → 401 without calling it; `Unauthorized` → 401; a policy that does not allow the
 * method → 403; answers cached per header for the stage's TTL, as API Gateway does, so a cached
 * policy must cover every method), and passes its context on in `requestContext.authorizer`.
 */
export class ApiGateway {
  private readonly cache = new Map<string, { policy: any; at: number }>();
  readonly authorizerCalls: string[] = [];

  private readonly cacheTtlMs: number;

  constructor(private readonly runtime: LambdaRuntime, private readonly deployment: Deployment) {
    this.cacheTtlMs = deployment.authorizerTtlSeconds * 1000;
  }

  private baseRequest(method: string, path: string, route: ApiRoute, params: Record<string, string>, headers: Record<string, string>, query: URLSearchParams) {
    const requestId = randomUUID();
    const host = `${this.deployment.apiId}.execute-api.${REGION}.amazonaws.com`;
    const allHeaders: Record<string, string> = {
      Host: host, 'User-Agent': 'concord-bundle-harness', 'X-Amzn-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Port': '443', 'X-Forwarded-Proto': 'https', ...headers,
    };
    const qs: Record<string, string> = {};
    const mqs: Record<string, string[]> = {};
    for (const [k, v] of query) { qs[k] = v; (mqs[k] ??= []).push(v); }
    const hasQuery = Object.keys(qs).length > 0;
    const hasParams = Object.keys(params).length > 0;
    const now = new Date();
    return {
      resource: route.path,
      path,
      httpMethod: method,
      headers: allHeaders,
      multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
      queryStringParameters: hasQuery ? qs : null,
      multiValueQueryStringParameters: hasQuery ? mqs : null,
      pathParameters: hasParams ? params : null,
      stageVariables: null,
      requestContext: {
        resourceId: 'abc123', resourcePath: route.path, httpMethod: method, extendedRequestId: requestId.slice(0, 16),
        requestTime: now.toUTCString(), path: `/${STAGE}${path}`, accountId: ACCOUNT, protocol: 'HTTP/1.1', stage: STAGE,
        domainPrefix: this.deployment.apiId, requestTimeEpoch: now.getTime(), requestId, domainName: host, apiId: this.deployment.apiId,
        identity: { cognitoIdentityPoolId: null, accountId: null, cognitoIdentityId: null, caller: null, sourceIp: '203.0.113.7', principalOrgId: null, accessKey: null, cognitoAuthenticationType: null, cognitoAuthenticationProvider: null, userArn: null, userAgent: 'concord-bundle-harness', user: null },
      },
    };
  }

  /** Drops the cached authorizer answer for a key, as its TTL running out would. */
  forget(apiKey: string): void {
    this.cache.delete(`Bearer ${apiKey}`);
  }

  /** Calls the API as a client would: `path` may carry a query string. */
  async call<T = any>(apiKey: string | null, method: string, pathAndQuery: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiReply<T>> {
    const url = new URL(pathAndQuery, 'https://api.invalid');
    const path = url.pathname;
    const found = matchRoute(this.deployment.routes, method, path);
    const gatewayAnswer = (status: number, message: string): ApiReply => ({ status, headers: { 'content-type': 'application/json' }, body: { message }, text: JSON.stringify({ message }), handler: null });
    if (!found) return gatewayAnswer(403, 'Missing Authentication Token');
    const { route, params } = found;
    const sent: Record<string, string> = { ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}), ...headers };
    let text: string | null = null;
    if (body !== undefined) {
      text = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(sent).some((k) => k.toLowerCase() === 'content-type')) sent['Content-Type'] = 'application/json';
    }
    const event: any = { ...this.baseRequest(method, path, route, params, sent, url.searchParams), body: text, isBase64Encoded: false };

    if (route.authorized) {
      const identity = Object.entries(sent).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
      if (!identity) return gatewayAnswer(401, 'Unauthorized');
      const methodArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${this.deployment.apiId}/${STAGE}/${method}${path}`;
      let cached = this.cache.get(identity);
      if (!cached || Date.now() - cached.at > this.cacheTtlMs) {
        this.authorizerCalls.push(methodArn);
        try {
          const { body: _b, isBase64Encoded: _i, ...rest } = event;
          cached = { policy: await this.runtime.invoke(this.deployment.authorizer, { ...rest, type: 'REQUEST', methodArn }), at: Date.now() };
        } catch (err) {
          if ((err as { error?: { errorMessage?: string } }).error?.errorMessage === 'Unauthorized') return gatewayAnswer(401, 'Unauthorized');
          throw err;
        }
        this.cache.set(identity, cached);
      }
      if (!allows(cached.policy.policyDocument, methodArn)) return gatewayAnswer(403, 'User is not authorized to access this resource');
      event.requestContext.authorizer = { ...cached.policy.context, principalId: cached.policy.principalId, integrationLatency: 1 };
    }
    const result = await this.runtime.invoke(route.handler, event);
    const answerHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries<string>(result.headers ?? {})) answerHeaders[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries<string[]>(result.multiValueHeaders ?? {})) answerHeaders[k.toLowerCase()] = v.join(',');
    const raw: string = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '');
    let parsed: any = raw;
    if ((answerHeaders['content-type'] ?? '').includes('json') && raw) parsed = JSON.parse(raw);
    return { status: result.statusCode, headers: answerHeaders, body: parsed, text: raw, handler: route.handler };
  }
}

/** Whether an IAM policy from the authorizer allows `execute-api:Invoke` on the method (Deny wins). */
function allows(policy: { Statement: Array<{ Effect: string; Action: string | string[]; Resource: string | string[] }> }, methodArn: string): boolean {
  const glob = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const hits = (s: { Action: string | string[]; Resource: string | string[] }) =>
    [s.Action].flat().some((a) => a === 'execute-api:Invoke' || a === 'execute-api:*' || a === '*') && [s.Resource].flat().some((r) => glob(r).test(methodArn));
  const statements = policy?.Statement ?? [];
  return !statements.some((s) => s.Effect === 'Deny' && hits(s)) && statements.some((s) => s.Effect === 'Allow' && hits(s));
}

/** Reads a table's stream on DynamoDB Local from where the last read stopped. */
export class TableStream {
  private readonly streams: DynamoDBStreamsClient;
  private readonly iterators = new Map<string, string | null>();
  private streamArn?: string;

  constructor(private readonly endpoint: string, private readonly tableName: string) {
    this.streams = new DynamoDBStreamsClient({ endpoint, region: REGION });
  }

  /** Every record written since the last read, in order within each shard. */
  async read(): Promise<DynamoDBRecord[]> {
    if (!this.streamArn) {
      const ddb = new DynamoDBClient({ endpoint: this.endpoint, region: REGION });
      this.streamArn = (await ddb.send(new DescribeTableCommand({ TableName: this.tableName }))).Table?.LatestStreamArn;
      ddb.destroy();
      if (!this.streamArn) throw new Error(`Table ${this.tableName} has no stream`);
    }
    const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await this.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      this.iterators.set(shard.ShardId, ShardIterator ?? null);
    }
    const out: DynamoDBRecord[] = [];
    for (const [shardId, start] of this.iterators) {
      let iterator = start;
      for (let i = 0; iterator && i < 1000; i++) {
        const { Records = [], NextShardIterator } = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        out.push(...Records.map((r) => ({ ...toLambdaRecord(r, this.streamArn!), awsRegion: REGION })));
        this.iterators.set(shardId, NextShardIterator ?? null);
        if (!Records.length) break;
        iterator = NextShardIterator ?? null;
      }
    }
    return out;
  }

  destroy() { this.streams.destroy(); }
}

/**
 * Lambda's DynamoDB event source: each mapping's filter, batches of its size, in order; a batch
 * item failure is a test failure (every record here should be processed at the first attempt).
 * Returns how many records each consumer was given.
 */
export async function deliverStream(runtime: LambdaRuntime, mappings: StreamMapping[], records: DynamoDBRecord[]): Promise<Record<string, number>> {
  const given: Record<string, number> = {};
  for (const mapping of mappings) {
    const mine = records.filter((r) => mapping.patterns.length === 0 || mapping.patterns.some((p) => matchesPattern(p, r)));
    given[mapping.handler] = (given[mapping.handler] ?? 0) + mine.length;
    for (let i = 0; i < mine.length; i += mapping.batchSize) {
      const result = await runtime.invoke(mapping.handler, { Records: mine.slice(i, i + mapping.batchSize) });
      if (result?.batchItemFailures?.length) throw new Error(`${mapping.handler} failed stream records: ${JSON.stringify(result.batchItemFailures)}\n${runtime.logs(mapping.handler).slice(-3000)}`);
    }
  }
  return given;
}

/** An SNS notification as SNS invokes a subscribed function with it. */
export function snsEvent(topicArn: string, subscriptionArn: string, message: string) {
  return {
    Records: [{
      EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: subscriptionArn,
      Sns: {
        Type: 'Notification', MessageId: randomUUID(), TopicArn: topicArn, Subject: null, Message: message,
        Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 'RXhhbXBsZQ==',
        SigningCertUrl: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
        UnsubscribeUrl: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
        MessageAttributes: {},
      },
    }],
  };
}

/** What AWS End User Messaging two-way SMS publishes for an inbound text. */
export function inboundSms(originationNumber: string, messageBody: string, destinationNumber = '+12025559999') {
  return JSON.stringify({
    originationNumber, destinationNumber, messageKeyword: 'KEYWORD_123456789012', messageBody,
    inboundMessageId: randomUUID(), previousPublishedMessageId: randomUUID(),
  });
}

/** The event an EventBridge schedule rule sends its target. */
export function scheduledEvent(ruleArn: string) {
  return { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), region: REGION, resources: [ruleArn], detail: {} };
}
