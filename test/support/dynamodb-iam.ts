/**
 * IAM in front of DynamoDB Local, for the bundle test: each function's process signs with an access
 * key id of its own, and every request it sends is checked against the policy the synthesized stack
 * gives that function's role before it reaches DynamoDB Local. A request the role does not allow is
 * answered as AWS answers it (400 `AccessDeniedException`) and recorded, so a grant the stack forgets
 * fails the bundle test, not the first deployment.
 *
 * What it evaluates: `Allow` statements' actions (wildcards too), and the one condition the stack
 * uses, `ForAllValues:StringLike` on `dynamodb:LeadingKeys`. Resources are not compared (the stack
 * names only its table and indexes); any other condition key makes a statement not apply, so the
 * check can only be stricter than IAM, never looser. TransactWriteItems is authorized per item
 * (PutItem, UpdateItem, DeleteItem, ConditionCheckItem), TransactGetItems as GetItem, as IAM does.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Statement { Effect?: string; Action: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }

/** One action a request needs, with the partition keys it touches (empty when they are not known, as for a Query). */
interface Need { action: string; leadingKeys: string[] }

export interface Denial { handler: string; operation: string; action: string; leadingKeys: string[] }

const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
const pkOf = (key: Json): string[] => (key?.PK?.S !== undefined ? [String(key.PK.S)] : []);

/** The actions (and leading keys) an operation's request needs. */
export function needsOf(operation: string, body: Json): Need[] {
  const one = (action: string, keys: string[]): Need => ({ action: `dynamodb:${action}`, leadingKeys: keys });
  switch (operation) {
    case 'PutItem': return [one('PutItem', pkOf(body.Item))];
    case 'GetItem': case 'UpdateItem': case 'DeleteItem': return [one(operation, pkOf(body.Key))];
    case 'BatchGetItem':
      return [one('BatchGetItem', Object.values<Json>(body.RequestItems ?? {}).flatMap((r) => (r.Keys ?? []).flatMap(pkOf)))];
    case 'BatchWriteItem':
      return [one('BatchWriteItem', Object.values<Json>(body.RequestItems ?? {}).flat().flatMap((w: Json) => pkOf(w.PutRequest?.Item ?? w.DeleteRequest?.Key)))];
    case 'TransactWriteItems':
      return (body.TransactItems ?? []).map((item: Json) => {
        if (item.Put) return one('PutItem', pkOf(item.Put.Item));
        if (item.Update) return one('UpdateItem', pkOf(item.Update.Key));
        if (item.Delete) return one('DeleteItem', pkOf(item.Delete.Key));
        return one('ConditionCheckItem', pkOf(item.ConditionCheck?.Key));
      });
    case 'TransactGetItems':
      return (body.TransactItems ?? []).map((item: Json) => one('GetItem', pkOf(item.Get?.Key)));
    default: return [one(operation, [])];
  }
}

/** Whether `statements` allow `need` (only Allow statements exist in the stack). */
export function allows(statements: readonly Statement[], need: Need): boolean {
  return statements.some((s) => {
    if ((s.Effect ?? 'Allow') !== 'Allow') return false;
    if (![s.Action].flat().some((a) => glob(a).test(need.action))) return false;
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        if (operator !== 'ForAllValues:StringLike' || key !== 'dynamodb:LeadingKeys') return false;
        const patterns = [value].flat().map(glob);
        if (!need.leadingKeys.length || !need.leadingKeys.every((k) => patterns.some((p) => p.test(k)))) return false;
      }
    }
    return true;
  });
}

export class DynamoDbIam {
  readonly denied: Denial[] = [];
  private server?: Server;
  private readonly byAccessKey = new Map<string, string>();

  /** `policies`: each function's statements, by handler. */
  constructor(private readonly target: string, private readonly policies: Record<string, readonly Statement[]>) {}

  /** The access key id a function's process signs with. */
  accessKeyOf(handler: string): string {
    const id = `ASIA${handler.toUpperCase().replace(/[^A-Z0-9]/g, '')}`.slice(0, 40);
    this.byAccessKey.set(id, handler);
    return id;
  }

  get url(): string { return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`; }

  async start(): Promise<this> {
    this.server = createServer((req, res) => { void this.serve(req, res); });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    const accessKey = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const handler = this.byAccessKey.get(accessKey);
    if (handler !== undefined) {
      const statements = this.policies[handler] ?? [];
      let parsed: Json = {};
      try { parsed = JSON.parse(body.toString('utf8') || '{}'); } catch { /* DynamoDB Local answers it */ }
      const refused = needsOf(operation, parsed).find((need) => !allows(statements, need));
      if (refused) {
        this.denied.push({ handler, operation, ...refused });
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          Message: `User: arn:aws:sts::123456789012:assumed-role/${handler}/${handler} is not authorized to perform: ${refused.action} because no identity-based policy allows the ${refused.action} action`,
        }));
        return;
      }
    }
    const upstream = request(`${this.target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    upstream.end(body);
  }
}
