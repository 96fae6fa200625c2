/**
 * Chat test support: Slack's stand-in (local/slack-stand-in.ts) on a port of its own, a Teams
 * workflow webhook that keeps what it is sent, an in-memory chat log, signed Slack requests, and
 * Microsoft's Adaptive Cards library loaded as Node can load it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatDelivery, ChatLog, ChatThread } from '../../lambdas/domain/ports';
import { signSlackRequest } from '../../lambdas/integrations/slack';
import { LocalSlack, SLACK_API_PATH } from '../../local/slack-stand-in';

const listen = async (server: Server) => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = (server: Server) => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
const bodyOf = (req: import('node:http').IncomingMessage) => new Promise<Buffer>((done) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
});

/** The Slack stand-in alone: `apiUrl` is what `@slack/web-api` is pointed at. */
export async function startSlack(): Promise<{ slack: LocalSlack; apiUrl: string; stop(): Promise<void> }> {
  const slack = new LocalSlack();
  const routes = slack.routes();
  const server = createServer((req, res) => {
    void bodyOf(req).then(async (body) => {
      const answer = await routes(req, body, new URL(req.url ?? '/', 'http://localhost'));
      res.writeHead(answer?.statusCode ?? 404, answer?.headers as Record<string, string> | undefined);
      res.end(answer?.body ?? '');
    });
  });
  const url = await listen(server);
  return { slack, apiUrl: `${url}${SLACK_API_PATH}`, stop: () => close(server) };
}

/** A Teams workflow webhook: keeps every body; `answers` (status, headers) are used up first. */
export async function startTeams(): Promise<{ url: string; received: any[]; answers: Array<{ status: number; headers?: Record<string, string> }>; stop(): Promise<void> }> {
  const received: any[] = [];
  const answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const answer = answers.shift();
      if (!answer || answer.status < 300) received.push(JSON.parse(body.toString('utf8')));
      res.writeHead(answer?.status ?? 202, answer?.headers);
      res.end();
    });
  });
  const url = await listen(server);
  return { url: `${url}/workflows/hook?sig=secret-signature`, received, answers, stop: () => close(server) };
}

/** ChatLog in memory, as the DynamoDB one behaves (conditional claims, leases, counted tries). */
export class MemoryChatLog implements ChatLog {
  readonly deliveries = new Map<string, { d: ChatDelivery; status: 'pending' | 'sent' | 'failed'; owner?: string; leaseUntil: number; attempts: number; error?: string }>();
  readonly threads = new Map<string, ChatThread>();
  private key = (d: ChatDelivery) => `${d.incidentId}#${d.seq}#${d.channel}`;

  async claim(d: ChatDelivery, owner: string, now: Date, leaseMs: number, replay: boolean) {
    const item = this.deliveries.get(this.key(d));
    const free = !item || (item.status === 'pending' && item.leaseUntil <= now.getTime()) || (replay && item.status === 'failed');
    if (!free) return item!.status === 'pending' ? 'held' as const : 'done' as const;
    this.deliveries.set(this.key(d), { d, status: 'pending', owner, leaseUntil: now.getTime() + leaseMs, attempts: (item?.attempts ?? 0) + 1 });
    return { attempts: item?.attempts ?? 0 };
  }
  async finish(d: ChatDelivery, owner: string, outcome: { status: 'sent' } | { status: 'failed'; error: string }) {
    const item = this.deliveries.get(this.key(d));
    if (item?.owner !== owner) return;
    Object.assign(item, { status: outcome.status, owner: undefined, leaseUntil: 0, error: outcome.status === 'failed' ? outcome.error : undefined });
  }
  async release(d: ChatDelivery, owner: string) {
    const item = this.deliveries.get(this.key(d));
    if (item?.owner === owner) Object.assign(item, { owner: undefined, leaseUntil: 0 });
  }
  async failed(limit: number) {
    return [...this.deliveries.values()].filter((i) => i.status !== 'sent').slice(0, limit).map((i) => i.d);
  }
  async thread(incidentId: string, channel: string) { return this.threads.get(`${incidentId}#${channel}`) ?? null; }
  async saveThread(incidentId: string, channel: string, thread: ChatThread) { this.threads.set(`${incidentId}#${channel}`, { ...thread }); }
}

/** Headers Slack would send with `body`, signed with `secret` at `at` (seconds). */
export const slackHeaders = (secret: string, body: string, at = Math.floor(Date.now() / 1000)) => ({
  'content-type': 'application/x-www-form-urlencoded',
  'x-slack-request-timestamp': String(at),
  'x-slack-signature': signSlackRequest(secret, at, body),
});

/** Microsoft's Adaptive Cards library: its ESM build fails in Node, its UMD build loads with a tiny DOM shim. */
export function adaptiveCards(): any {
  const g = globalThis as any;
  g.window ??= g;
  g.document ??= { createElement: () => ({ style: {}, appendChild() {}, setAttribute() {}, classList: { add() {}, remove() {} } }), documentElement: {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('adaptivecards/dist/adaptivecards.min.js');
}

/** What the library says of a card: its parse events and validation failures (both empty for a valid card). */
export function cardProblems(content: unknown): string[] {
  const AC = adaptiveCards();
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(content, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of card.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}
