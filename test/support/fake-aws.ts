/**
 * The AWS services the bundles call besides DynamoDB, faked on 127.0.0.1 for the bundle test:
 * SNS (the bundled @aws-sdk/client-sns speaks the query protocol: form-encoded requests, XML
 * answers) and Secrets Manager (JSON 1.1). The bundles reach it through the SDK's standard
 * `AWS_ENDPOINT_URL_SNS` / `AWS_ENDPOINT_URL_SECRETS_MANAGER`, unchanged. Every call is recorded;
 * an action it does not know is answered with an error, so a new call shows up as a failure.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface SnsCall { action: string; params: Record<string, string> }
export interface Published { topicArn?: string; phoneNumber?: string; subject?: string; message: string; structure?: string; attributes: Record<string, string> }

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xml = (action: string, result: string) =>
  `<${action}Response xmlns="${XMLNS}">${result ? `<${action}Result>${result}</${action}Result>` : ''}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;

export class FakeAws {
  readonly snsCalls: SnsCall[] = [];
  readonly published: Published[] = [];
  readonly secretReads: string[] = [];
  /** Subscriptions made per topic, listed back by ListSubscriptionsByTopic. */
  private readonly subscriptions = new Map<string, Array<{ protocol: string; endpoint: string; arn: string }>>();
  private server = createServer((req, res) => { this.handle(req, res).catch((err) => { res.writeHead(500); res.end(String(err)); }); });
  url = '';

  constructor(private readonly secrets: Record<string, string>, private readonly region = 'us-east-1', private readonly account = '123456789012') {}

  async start(): Promise<this> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', () => done()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => { this.server.close(() => done()); this.server.closeAllConnections(); });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('secretsmanager.')) return this.secretsManager(target.slice('secretsmanager.'.length), JSON.parse(body || '{}'), res);
    const params = Object.fromEntries(new URLSearchParams(body));
    if (params.Version === '2010-03-31' && params.Action) return this.sns(params.Action, params, res);
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`fake AWS: unknown request ${req.method} ${req.url} ${String(target ?? '')} ${body.slice(0, 200)}`);
  }

  private secretsManager(action: string, input: { SecretId?: string }, res: ServerResponse) {
    const json = (status: number, value: unknown) => { res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }); res.end(JSON.stringify(value)); };
    if (action !== 'GetSecretValue') return json(400, { __type: 'InvalidRequestException', message: `fake AWS: ${action} is not faked` });
    const secret = input.SecretId ? this.secrets[input.SecretId] : undefined;
    if (secret === undefined) return json(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret ${input.SecretId}.` });
    this.secretReads.push(input.SecretId!);
    return json(200, { ARN: input.SecretId, Name: input.SecretId!.split(':').at(-1), SecretString: secret, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
  }

  private sns(action: string, p: Record<string, string>, res: ServerResponse) {
    this.snsCalls.push({ action, params: p });
    const ok = (result: string) => { res.writeHead(200, { 'content-type': 'text/xml' }); res.end(xml(action, result)); };
    switch (action) {
      case 'Publish': {
        const attributes: Record<string, string> = {};
        for (let i = 1; p[`MessageAttributes.entry.${i}.Name`]; i++) attributes[p[`MessageAttributes.entry.${i}.Name`]!] = p[`MessageAttributes.entry.${i}.Value.StringValue`] ?? '';
        this.published.push({ topicArn: p.TopicArn, phoneNumber: p.PhoneNumber, subject: p.Subject, message: p.Message ?? '', structure: p.MessageStructure, attributes });
        return ok(`<MessageId>${randomUUID()}</MessageId>`);
      }
      case 'CreateTopic':
        return ok(`<TopicArn>arn:aws:sns:${this.region}:${this.account}:${esc(p.Name ?? '')}</TopicArn>`);
      case 'ListSubscriptionsByTopic': {
        const subs = this.subscriptions.get(p.TopicArn ?? '') ?? [];
        return ok(`<Subscriptions>${subs.map((s) => `<member><TopicArn>${esc(p.TopicArn!)}</TopicArn><Protocol>${esc(s.protocol)}</Protocol><SubscriptionArn>${esc(s.arn)}</SubscriptionArn><Owner>${this.account}</Owner><Endpoint>${esc(s.endpoint)}</Endpoint></member>`).join('')}</Subscriptions>`);
      }
      case 'Subscribe': {
        const arn = `${p.TopicArn}:${randomUUID()}`;
        const list = this.subscriptions.get(p.TopicArn ?? '') ?? [];
        list.push({ protocol: p.Protocol ?? '', endpoint: p.Endpoint ?? '', arn });
        this.subscriptions.set(p.TopicArn ?? '', list);
        return ok(`<SubscriptionArn>${esc(arn)}</SubscriptionArn>`);
      }
      case 'Unsubscribe':
        for (const list of this.subscriptions.values()) {
          const i = list.findIndex((s) => s.arn === p.SubscriptionArn);
          if (i >= 0) list.splice(i, 1);
        }
        return ok('');
      default:
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>fake AWS: ${esc(action)} is not faked</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    }
  }
}
