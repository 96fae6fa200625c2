/**
 * `POST /v2/enqueue`: what PagerDuty's documentation, Prometheus Alertmanager and Grafana actually
 * send, and the official PagerDuty client, end to end through the local server.
 */
import { event as pdEvent } from '@pagerduty/pdjs';
import { readFileSync } from 'node:fs';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequestListener } from '../../local/server';
import { selfSignedCertificate } from '../support/certificates';
import { keys } from '../../lambdas/wiring/keys';
import { KEYS, startTestApi, type TestApi } from '../support/harness';

let api: TestApi;
let integrationKey: string;
beforeAll(async () => {
  process.env.CONCORD_EVENTS_PER_MINUTE = '150';
  api = await startTestApi();
  // An integration key of CISA's whose alerts also reach the FBI, labelled TLP:GREEN.
  integrationKey = (await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner', defaults: { participants: ['fbi'], tlp: 'GREEN' } })).body.key;
});
afterAll(async () => {
  delete process.env.CONCORD_EVENTS_PER_MINUTE;
  await api.stop();
});

const fixture = (name: string, routingKey: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'pagerduty', `${name}.json`), 'utf8').replace('__ROUTING_KEY__', routingKey));

const enqueue = (body: unknown, headers?: Record<string, string>) => api.call(null, 'POST', '/v2/enqueue', body, headers);

async function incidentFor(dedupKey: string, key = KEYS.partner.cisa) {
  const { body } = await api.call(key, 'GET', '/v1/incidents?limit=100');
  return body.items.filter((i: { dedupKey: string }) => i.dedupKey === dedupKey);
}

it('maps PagerDuty\'s documented trigger, then acknowledge and resolve act on the same incident', async () => {
  const trigger = fixture('pagerduty-trigger', integrationKey);
  const res = await enqueue(trigger);
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'srv01/mysql' });
  const [incident] = await incidentFor('srv01/mysql');
  expect(incident).toMatchObject({
    title: 'DISK at 99% on machine prod-datapipe03.example.com',
    severity: 'critical', category: 'other', tlp: 'GREEN', status: 'reported',
    reporter: { orgId: 'cisa', source: 'prod-datapipe03.example.com' },
    participants: ['cisa', 'fbi'],
    links: [{ href: 'http://acme.pagerduty.com', text: 'An example link.' }],
    details: { 'free space': '1%', 'ping time': '1500ms', 'load avg': 0.75, pagerduty: { component: 'mysql', group: 'prod-datapipe', class: 'disk', client: 'Sample Monitoring Service' } },
  });

  // A repeated trigger changes nothing.
  expect((await enqueue(trigger)).status).toBe(202);
  expect(await incidentFor('srv01/mysql')).toEqual([incident]);

  expect((await enqueue(fixture('pagerduty-acknowledge', integrationKey))).status).toBe(202);
  expect((await incidentFor('srv01/mysql'))[0]).toMatchObject({ status: 'acknowledged', acknowledgements: [{ orgId: 'cisa', via: 'api' }] });
  expect((await enqueue(fixture('pagerduty-resolve', integrationKey))).status).toBe(202);
  expect((await incidentFor('srv01/mysql'))[0]).toMatchObject({ status: 'resolved' });

  // Resolved: acknowledge and resolve are accepted and ignored; a trigger opens a new incident.
  expect((await enqueue(fixture('pagerduty-resolve', integrationKey))).status).toBe(202);
  expect((await enqueue(fixture('pagerduty-acknowledge', integrationKey))).status).toBe(202);
  expect((await enqueue(trigger)).status).toBe(202);
  const both = await incidentFor('srv01/mysql');
  expect(both.map((i: { status: string }) => i.status)).toEqual(['reported', 'resolved']);
});

it.each([
  ['alertmanager', 'high', 'other'],
  ['grafana', 'critical', 'ransomware'],
])('takes %s\'s firing and resolved notifications, deduplicated by its hashed group key', async (tool, severity, category) => {
  const firing = fixture(`${tool}-firing`, KEYS.partner.google);
  expect((await enqueue(firing)).status).toBe(202);
  expect((await enqueue(firing)).status).toBe(202);
  let found = await incidentFor(firing.dedup_key, KEYS.partner.google);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ severity, category, status: 'reported', tlp: 'AMBER', participants: ['google'] });
  expect((await enqueue(fixture(`${tool}-resolved`, KEYS.partner.google))).status).toBe(202);
  found = await incidentFor(firing.dedup_key, KEYS.partner.google);
  expect(found[0].status).toBe('resolved');
});

it('generates a dedup key when a trigger has none, and keeps a long summary in full', async () => {
  const summary = `${'Election night results feed delayed beyond threshold '.repeat(15)}end`;
  const res = await enqueue({ routing_key: KEYS.partner.twitter, event_action: 'trigger', payload: { summary, source: 'feed-monitor', severity: 'warning' } });
  expect(res.status).toBe(202);
  expect(res.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  const [incident] = await incidentFor(res.body.dedup_key, KEYS.partner.twitter);
  expect(incident.title.length).toBeLessThanOrEqual(200);
  expect(incident.title.endsWith('…')).toBe(true);
  expect(summary.startsWith(incident.title.slice(0, -1))).toBe(true);
  expect(incident.description).toBe(summary);
  expect(incident.details.pagerduty.summary).toBe(summary);
  expect(incident.severity).toBe('medium');
});

it('answers invalid events as PagerDuty does, listing each problem', async () => {
  const res = await enqueue({ routing_key: KEYS.partner.twitter, event_action: 'trigger', payload: { summary: '', severity: 'fatal' } });
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ status: 'invalid event', message: 'Event object is invalid', errors: expect.arrayContaining([expect.stringMatching(/^payload\.summary/), expect.stringMatching(/^payload\.source/), expect.stringMatching(/^payload\.severity/)]) });
  const noDedup = await enqueue({ routing_key: KEYS.partner.twitter, event_action: 'resolve' });
  expect(noDedup.body.errors).toEqual([expect.stringMatching(/^dedup_key/)]);
  expect((await enqueue('{nope', { 'content-type': 'application/json' })).body.status).toBe('invalid event');
});

it('refuses unknown, revoked and non-partner routing keys with one and the same answer', async () => {
  // Another organization's key comes from the operator's path (an admin mints keys for their own organization only).
  const issued = await (await keys()).bootstrapKey('fbi', 'partner');
  await api.call(KEYS.admin, 'DELETE', `/v1/keys/${issued.keyId}`);
  const body = (routing_key: string) => ({ routing_key, event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info' } });
  const answers = await Promise.all([
    enqueue(body('never-existed-routing-key-000000')), enqueue(body(issued.key)), enqueue(body(KEYS.manager.cisa)),
  ]);
  expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
  expect(answers[0]!.status).toBe(400);
  expect(answers[0]!.body.errors).toEqual(['routing_key: Invalid routing key']);
});

it('takes the configured events a minute per routing key, then 429 with retry-after', async () => {
  const { key } = await (await keys()).bootstrapKey('odni', 'partner');
  const statuses: number[] = [];
  let throttled: Awaited<ReturnType<typeof enqueue>> | undefined;
  for (let i = 0; i < 151; i++) {
    const res = await enqueue({ routing_key: key, event_action: 'resolve', dedup_key: `k${i}` });
    statuses.push(res.status);
    throttled = res;
  }
  // The minute may roll over mid-test: then fewer were refused, but never more than one window's worth taken.
  const refused = statuses.filter((s) => s === 429).length;
  if (refused > 0) {
    expect(statuses.slice(0, 120)).toEqual(Array(120).fill(202));
    const last429 = statuses.lastIndexOf(429);
    expect(last429).toBeGreaterThanOrEqual(150 - refused);
  }
  if (throttled!.status === 429) {
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled!.body.status).toBe('throttle event');
  }
  expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(150);
});

it('works with the official PagerDuty client, @pagerduty/pdjs', async () => {
  const tls = selfSignedCertificate();
  const server = createServer(tls, createRequestListener());
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  // The client's options reach its fetch: trust exactly the throwaway certificate above.
  const agent = new Agent({ ca: tls.cert });
  try {
    const res = await pdEvent({
      server: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      agent,
      data: {
        routing_key: KEYS.partner.facebook,
        event_action: 'trigger',
        dedup_key: 'pdjs-1',
        payload: { summary: 'Spike of fake ballot-drop-box posts', source: 'tsp', severity: 'error', class: 'misinformation' },
      },
    } as Parameters<typeof pdEvent>[0]); // `agent` is passed through to fetch, though not in the client's types
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'pdjs-1' });
  } finally {
    agent.destroy();
    await new Promise((done) => { server.close(done); server.closeAllConnections(); });
  }
  const [incident] = await incidentFor('pdjs-1', KEYS.partner.facebook);
  expect(incident).toMatchObject({ category: 'misinformation', severity: 'high' });
});

describe('#5 details come back exactly as sent', () => {
  it('keeps PagerDuty custom_details exactly too', async () => {
    const res = await api.call(null, 'POST', '/v2/enqueue', `{"routing_key":"${KEYS.partner.google}","event_action":"trigger","dedup_key":"exact-pd","payload":{"summary":"s","source":"x","severity":"info","custom_details":{"tweetId":1798765432109876543,"__proto__":1}}}`);
    expect(res.status).toBe(202);
    const listed = (await api.call(KEYS.partner.google, 'GET', '/v1/incidents?limit=100')).text;
    expect(listed).toContain('"details":{"tweetId":1798765432109876543,"__proto__":1');
  });
});
