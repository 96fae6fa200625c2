/**
 * A small Lambda for the bundle test: every function's bundle, built as the CDK app builds it
 * (lib/bundling.ts), laid out as the asset is (index.mjs, its source map, the files the construct
 * copies beside it), run in a Node process of its own with exactly the environment the synthesized
 * stack gives that function (CloudFormation tokens resolved to local stand-ins) plus what the Lambda
 * runtime sets, and invoked over IPC through test/support/lambda-bootstrap.mjs. A process is kept
 * warm across invocations of its function, as Lambda keeps a sandbox.
 *
 * Also read from the synthesized template, so the test follows the stack: the API's routes (method,
 * path, function, whether the authorizer guards it), the stream consumers' filters and batch size,
 * the escalation rule and the inbound-SMS subscription.
 */
import { build } from 'esbuild';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../bin/concord';
import { BUNDLE_FILE, BUNDLING, esbuildOptions } from '../../lib/bundling';
import { handlers } from '../../scripts/bundle-size';
import type { Statement } from './dynamodb-iam';

const ROOT = join(__dirname, '..', '..');
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const STAGE = 'harness';

/**
 * Builds every handler's bundle in one esbuild run (the same options per entry point as
 * `esbuildOptions`, plus the source map NodejsFunction writes when `BUNDLING.sourceMap` is on),
 * into `<dir>/<handler>/index.mjs`, and copies each function's `copyFiles` into its `console/`.
 */
export async function buildBundles(dir: string, copyFiles: Record<string, Readonly<Record<string, string>>>): Promise<Record<string, string>> {
  rmSync(dir, { recursive: true, force: true });
  const names = handlers();
  const entry = (h: string) => join(ROOT, 'lambdas', 'handlers', `${h}.ts`);
  const options = esbuildOptions(entry(names[0]!));
  if (!BUNDLE_FILE.endsWith('.mjs')) throw new Error(`The harness lays bundles out as index.mjs; BUNDLE_FILE is ${BUNDLE_FILE}`);
  await build({
    ...options,
    entryPoints: Object.fromEntries(names.map((h) => [`${h}/${BUNDLE_FILE.replace(/\.mjs$/, '')}`, entry(h)])),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    sourcemap: BUNDLING.sourceMap ? 'linked' : false,
    write: true,
  });
  const dirs: Record<string, string> = {};
  for (const h of names) {
    dirs[h] = join(dir, h);
    for (const [name, source] of Object.entries(copyFiles[h] ?? {})) {
      mkdirSync(dirname(join(dirs[h], 'console', name)), { recursive: true });
      copyFileSync(join(ROOT, source), join(dirs[h], 'console', name));
    }
  }
  return dirs;
}

type Json = any;

/** The local stand-ins for the stacks' resources, which CloudFormation would name. */
export interface Locals { tableName: string; signingSecretArn: string }

/** Resolves a CloudFormation value of one of the app's templates to a local value. */
class TokenResolver {
  constructor(private readonly templates: Record<string, Json>, private readonly locals: Locals) {}

  resolve(value: Json, stack: string): Json {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack));
    const entries = Object.entries(value);
    const intrinsic = entries.length === 1 && (entries[0]![0] === 'Ref' || entries[0]![0].startsWith('Fn::'));
    if (!intrinsic) return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, stack)]));
    const [fn, arg] = entries[0] as [string, Json];
    switch (fn) {
      case 'Ref': return this.ref(arg, stack);
      case 'Fn::GetAtt': return this.att(arg[0], arg[1], stack);
      case 'Fn::Join': return (this.resolve(arg[1], stack) as string[]).join(arg[0]);
      case 'Fn::Select': return this.resolve(arg[1], stack)[Number(arg[0])];
      case 'Fn::Split': return String(this.resolve(arg[1], stack)).split(arg[0]);
      case 'Fn::ImportValue': {
        for (const [name, t] of Object.entries(this.templates)) {
          const out = Object.values<Json>(t.Outputs ?? {}).find((o) => o.Export?.Name === arg);
          if (out) return this.resolve(out.Value, name);
        }
        throw new Error(`No stack exports ${arg}`);
      }
      default: throw new Error(`The bundle harness cannot resolve ${JSON.stringify(value)} in ${stack}`);
    }
  }

  private resource(id: string, stack: string) {
    const r = this.templates[stack]?.Resources?.[id];
    if (!r) throw new Error(`No resource ${id} in ${stack}`);
    return r as { Type: string; Properties: Json };
  }

  private ref(id: string, stack: string): string {
    const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': stack };
    if (pseudo[id]) return pseudo[id];
    const { Type } = this.resource(id, stack);
    switch (Type) {
      case 'AWS::DynamoDB::Table': return this.locals.tableName;
      case 'AWS::SecretsManager::Secret': return this.locals.signingSecretArn;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
      case 'AWS::SQS::Queue': return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
      case 'AWS::KMS::Key': return `key-${id.toLowerCase()}`;
      case 'AWS::ApiGateway::RestApi': return 'harnessapi';
      case 'AWS::Cognito::UserPool': return `${REGION}_Harness`;
      case 'AWS::Cognito::UserPoolClient': return 'harnessappclient';
      case 'AWS::Lambda::Function': return `${stack}-${id}`;
      case 'AWS::Events::Rule': return `${stack}-${id}`;
      default: throw new Error(`The bundle harness has no local value for a Ref to ${Type} (${id})`);
    }
  }

  private att(id: string, attribute: string, stack: string): string {
    const { Type, Properties } = this.resource(id, stack);
    if (Type === 'AWS::DynamoDB::Table' && attribute === 'Arn') return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${this.locals.tableName}`;
    if (Type === 'AWS::KMS::Key' && attribute === 'Arn') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${this.ref(id, stack)}`;
    if (Type === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${Properties?.QueueName ?? id}`;
    if (Type === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${this.ref(id, stack)}`;
    if (Type === 'AWS::Events::Rule' && attribute === 'Arn') return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${this.ref(id, stack)}`;
    throw new Error(`The bundle harness has no local value for ${id}.${attribute} (${Type})`);
  }
}

export interface FunctionSpec {
  handler: string;
  name: string;
  arn: string;
  memorySize: number;
  timeoutSeconds: number;
  /** The Lambda handler setting, `index.handler`. */
  lambdaHandler: string;
  /** Exactly the variables the stack sets, resolved. */
  environment: Record<string, string>;
  copyFiles: Readonly<Record<string, string>>;
  /** The statements of the policies attached to its role, as synthesized. */
  policy: Statement[];
}

export interface ApiRoute { method: string; path: string; handler: string; authorized: boolean }
export interface StreamMapping { handler: string; batchSize: number; patterns: Json[] }

export interface Deployment {
  functions: Record<string, FunctionSpec>;
  routes: ApiRoute[];
  streamMappings: StreamMapping[];
  /** The rule that invokes a function on a schedule, by handler. */
  schedules: Record<string, { ruleArn: string; expression: string }>;
  /** The SNS topics a function is subscribed to, by handler. */
  subscriptions: Record<string, { topicArn: string; subscriptionArn: string }>;
  authorizer: string;
  /** How long API Gateway caches the authorizer's answer per Authorization header. */
  authorizerTtlSeconds: number;
  apiId: string;
}

/** Synthesizes the app (no bundling) with `context` and reads what the harness needs from its templates. */
export function synthesize(locals: Locals, context: Record<string, string> = {}): Deployment {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: STAGE, ...context } });
  const { stateful, service } = buildApp(app);
  const templates = { [stateful.stackName]: Template.fromStack(stateful).toJSON(), [service.stackName]: Template.fromStack(service).toJSON() };
  const stack = service.stackName;
  const t = templates[stack]!;
  const tokens = new TokenResolver(templates, locals);
  const resources = Object.entries<Json>(t.Resources);

  const functions: Record<string, FunctionSpec> = {};
  const byLogicalId: Record<string, string> = {};
  for (const [handler, fn] of Object.entries(service.functions)) {
    const id = service.getLogicalId(fn.node.defaultChild as CfnElement);
    byLogicalId[id] = handler;
    const props = t.Resources[id].Properties;
    const environment = tokens.resolve(props.Environment?.Variables ?? {}, stack) as Record<string, string>;
    const name = tokens.resolve({ Ref: id }, stack);
    const role = props.Role?.['Fn::GetAtt']?.[0];
    const policy = resources
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((ref: Json) => ref.Ref === role))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement as Statement[]);
    functions[handler] = {
      handler, name, arn: tokens.resolve({ 'Fn::GetAtt': [id, 'Arn'] }, stack), memorySize: props.MemorySize ?? 128, timeoutSeconds: props.Timeout ?? 3,
      lambdaHandler: props.Handler, environment, copyFiles: fn.copyFiles, policy,
    };
  }
  const fnIn = (value: Json) => {
    const s = JSON.stringify(value);
    const found = Object.keys(byLogicalId).filter((id) => s.includes(`"${id}"`));
    if (found.length !== 1) throw new Error(`Expected one function in ${s}`);
    return byLogicalId[found[0]!]!;
  };

  // The API: each method's path from its resource chain, its function from its integration.
  const pathOf = (resourceId: Json): string => {
    if (resourceId['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
    const r = t.Resources[resourceId.Ref].Properties;
    return `${pathOf(r.ParentId)}/${r.PathPart}`;
  };
  const routes: ApiRoute[] = resources.filter(([, r]) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS').map(([, r]) => ({
    method: r.Properties.HttpMethod,
    path: pathOf(r.Properties.ResourceId) || '/',
    handler: fnIn(r.Properties.Integration.Uri),
    authorized: r.Properties.AuthorizationType === 'CUSTOM',
  }));
  const [, authorizerResource] = resources.find(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer')!;

  const streamMappings = resources.filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping').map(([, r]) => ({
    handler: fnIn(r.Properties.FunctionName),
    batchSize: r.Properties.BatchSize ?? 100,
    patterns: (r.Properties.FilterCriteria?.Filters ?? []).map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
  }));
  const schedules: Deployment['schedules'] = {};
  for (const [id, r] of resources.filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
    for (const target of r.Properties.Targets ?? []) schedules[fnIn(target.Arn)] = { ruleArn: tokens.resolve({ 'Fn::GetAtt': [id, 'Arn'] }, stack), expression: r.Properties.ScheduleExpression };
  }
  const subscriptions: Deployment['subscriptions'] = {};
  for (const [id, r] of resources.filter(([, r]) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'lambda')) {
    const topicArn = tokens.resolve(r.Properties.TopicArn, stack);
    subscriptions[fnIn(r.Properties.Endpoint)] = { topicArn, subscriptionArn: `${topicArn}:${id}` };
  }
  return {
    functions, routes, streamMappings, schedules, subscriptions,
    authorizer: fnIn(authorizerResource.Properties.AuthorizerUri),
    authorizerTtlSeconds: authorizerResource.Properties.AuthorizerResultTtlInSeconds ?? 300,
    apiId: tokens.resolve({ Ref: resources.find(([, r]) => r.Type === 'AWS::ApiGateway::RestApi')![0] }, stack),
  };
}

export interface LambdaError { errorType: string; errorMessage: string; stack: string[] }

/** A failed invocation: the handler threw (or the bundle failed to load), with the function's logs. */
export class InvocationError extends Error {
  constructor(readonly handler: string, readonly error: LambdaError, logs: string) {
    super(`${handler}: ${error.errorType}: ${error.errorMessage}\n--- its logs ---\n${logs.slice(-4000)}`);
  }
}

interface Sandbox { child: ChildProcess; logs: string[]; pending: Map<string, { resolve(v: unknown): void; reject(e: unknown): void }>; exited?: string }

/** A cold start's figures, as the bootstrap measured them inside the function's process. */
export interface ColdStart { initMs: number; invokeMs: number; cpuMs: number; ok: boolean }

/**
 * The functions' processes. `environment` is what AWS adds around the stack's variables: credentials
 * and the endpoints of the local stand-ins.
 */
export class LambdaRuntime {
  private readonly sandboxes = new Map<string, Sandbox>();
  /** Every invocation, in order: which function, and whether it answered. */
  readonly invocations: Array<{ handler: string; ok: boolean }> = [];
  /** The first event each function was given (npm run bench cold-starts functions with them). */
  readonly firstEvents = new Map<string, unknown>();
  private readonly lastTiming = new Map<string, { initMs: number; durationMs: number; cpuMs?: number }>();
  /** Node options a function's processes start with (npm run bench profiles with --cpu-prof). */
  readonly execArgv: Record<string, string[]> = {};

  /** `environmentFor`: what differs per function on top of `environment` (the harness's credentials). */
  constructor(
    private readonly deployment: Deployment,
    private readonly bundleDirs: Record<string, string>,
    private readonly environment: Record<string, string>,
    private readonly environmentFor: (handler: string) => Record<string, string> = () => ({}),
  ) {}

  /** The environment a function's process starts with: the stack's variables and the runtime's. */
  environmentOf(handler: string): Record<string, string> {
    const fn = this.deployment.functions[handler];
    if (!fn) throw new Error(`The stack deploys no function for ${handler}`);
    return {
      // What the Lambda runtime sets (nodejs24.x).
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      LAMBDA_TASK_ROOT: this.bundleDirs[handler]!,
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      _HANDLER: fn.lambdaHandler,
      ...this.environment,
      ...this.environmentFor(handler),
      ...fn.environment,
    };
  }

  private sandbox(handler: string, fresh = false): Sandbox {
    const existing = this.sandboxes.get(handler);
    if (existing && !existing.exited && !fresh) return existing;
    const env = this.environmentOf(handler);
    const child = fork(join(__dirname, 'lambda-bootstrap.mjs'), [], { cwd: env.LAMBDA_TASK_ROOT, env, execArgv: this.execArgv[handler] ?? [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const box: Sandbox = { child, logs: [], pending: new Map() };
    const keep = (chunk: Buffer) => { box.logs.push(chunk.toString('utf8')); if (box.logs.length > 400) box.logs.splice(0, 200); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('message', (msg: { id?: string; ok: boolean; result?: unknown; error?: LambdaError; timing?: { initMs: number; durationMs: number; cpuMs?: number } }) => {
      if (!msg.id) return;
      if (msg.timing) this.lastTiming.set(msg.id, msg.timing);
      const p = box.pending.get(msg.id);
      box.pending.delete(msg.id);
      this.invocations.push({ handler, ok: msg.ok });
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(new InvocationError(handler, msg.error!, box.logs.join('')));
    });
    child.on('exit', (code, signal) => {
      box.exited = `exited with ${code ?? signal}`;
      for (const p of box.pending.values()) p.reject(new InvocationError(handler, { errorType: 'Runtime.ExitError', errorMessage: `The process ${box.exited}`, stack: [] }, box.logs.join('')));
      box.pending.clear();
    });
    if (!fresh) this.sandboxes.set(handler, box);
    return box;
  }

  /** Invokes a function with an event as Lambda does; resolves with its JSON result, rejects with InvocationError. */
  invoke<T = any>(handler: string, event: unknown): Promise<T> {
    if (!this.deployment.functions[handler]) return Promise.reject(new Error(`The stack deploys no function for ${handler}`));
    if (!this.firstEvents.has(handler)) this.firstEvents.set(handler, structuredClone(event));
    return this.send<T>(handler, event, this.sandbox(handler), randomUUID());
  }

  /**
   * A cold start: a new process for the function, one invocation, then the process ends. Returns
   * the bootstrap's own figures — the import (init) and the first invoke.
   */
  async coldStart(handler: string, event: unknown): Promise<ColdStart> {
    const box = this.sandbox(handler, true);
    const id = randomUUID();
    let ok = true;
    try {
      await this.send(handler, event, box, id);
    } catch {
      ok = false;
    } finally {
      // Disconnecting ends the process normally (the bootstrap exits), so a --cpu-prof profile is written.
      await new Promise<void>((done) => {
        if (box.exited) return done();
        const kill = setTimeout(() => box.child.kill(), 5000);
        box.child.once('exit', () => { clearTimeout(kill); done(); });
        box.child.disconnect();
      });
    }
    const timing = this.lastTiming.get(id);
    this.lastTiming.delete(id);
    if (!timing) throw new Error(`${handler} gave no timing: ${box.logs.join('').slice(-2000)}`);
    return { initMs: timing.initMs, invokeMs: timing.durationMs, cpuMs: timing.cpuMs ?? NaN, ok };
  }

  private send<T>(handler: string, event: unknown, box: Sandbox, id: string): Promise<T> {
    const fn = this.deployment.functions[handler];
    if (!fn) return Promise.reject(new Error(`The stack deploys no function for ${handler}`));
    const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=1`;
    return new Promise<T>((resolve, reject) => {
      box.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      box.child.send({ id, event, context: { awsRequestId: id, invokedFunctionArn: fn.arn, deadlineMs: Date.now() + fn.timeoutSeconds * 1000, traceId } });
    });
  }

  /** The logs a function's process has written so far. */
  logs(handler: string): string {
    return this.sandboxes.get(handler)?.logs.join('') ?? '';
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sandboxes.values()].filter((b) => !b.exited).map((b) => new Promise<void>((done) => {
      b.child.once('exit', () => done());
      b.child.kill();
    })));
  }
}
