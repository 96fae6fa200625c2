/**
 * The deployed bundles, exercised (issue #12): every function's bundle, built as `cdk synth` builds
 * it, runs in a Node process of its own as the Lambda runtime runs it (index.mjs, `index.handler`,
 * exactly the environment the synthesized stack sets, the `AWS_LAMBDA_*` variables, nothing
 * installed beside it) against DynamoDB Local, a fake SNS and a fake Secrets Manager, reached
 * through the SDK's standard endpoint variables. The events are AWS's: API Gateway proxy events
 * behind the REQUEST authorizer bundle, DynamoDB stream records read from the table's stream and
 * filtered as the event source mappings say, SNS notifications, scheduled events.
 *
 * Every function is invoked at least once; the whole lifecycle — report → stream → notify → SMS
 * acknowledgement → assign → resolve → metrics, and escalation — runs through bundles only. A
 * missing module, a wrong external, an ESM/CJS mismatch, a handler name typo or a variable the
 * stack forgets to set fails here. Nothing here times anything.
 *
 * Alone: `npx jest test/infra/bundle-lifecycle`.
 */
import { join } from 'node:path';
import { INCIDENTS_COLLECTION_ID } from '../../lambdas/integrations/taxii';
import { TLP_MARKING_IDS } from '../../lambdas/integrations/stix';
import { handlers } from '../../scripts/bundle-size';
import { DynamoDbIam } from '../support/dynamodb-iam';
import { FakeAws } from '../support/fake-aws';
import { KEYS, endpoint, report, useFreshTable } from '../support/harness';
import { ApiGateway, TableStream, type ApiReply, deliverStream, inboundSms, scheduledEvent, snsEvent } from '../support/lambda-events';
import { ACCOUNT, REGION, LambdaRuntime, buildBundles, synthesize, type Deployment } from '../support/lambda-runtime';
import { APP_FILES } from '../../lambdas/config/app-files';
import { slackHeaders, startSlack } from '../support/chat';

jest.setTimeout(120_000);

const SIGNING_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:concord-harness-signing-AbCdEf`;
const SIGNING_SECRET = 'bundle-harness-signing-secret-0123456789abcdef0123';
/** Critical incidents escalate after three seconds (a stage setting: `-c escalationMinutes=…`). */
const ESCALATION = 'critical=0.05';
const TOPIC = (org: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:concord-harness-org-${org}`;
// The test directory registers +12025550000 + index: fbi is +12025550000, cisa +12025550001, google +12025550003.
const FBI_PHONE = '+12025550000';
const TAXII = 'application/taxii+json;version=2.1';
/** CISA's Slack secret, where the stack's prefix names it (concord/<stage>/slack/<orgId>). */
const SLACK_SECRET_NAME = 'concord/harness/slack/cisa';
const SLACK_SIGNING_SECRET = 'bundle-harness-slack-signing-secret';
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${key}`).toString('base64')}` });

let deployment: Deployment;
let runtime: LambdaRuntime;
let api: ApiGateway;
let fake: FakeAws;
let iam: DynamoDbIam;
let stream: TableStream;
let drop: () => Promise<void>;
let slack: Awaited<ReturnType<typeof startSlack>>;

beforeAll(async () => {
  const table = await useFreshTable();
  drop = table.drop;
  deployment = synthesize({ tableName: table.tableName, signingSecretArn: SIGNING_SECRET_ARN }, { escalationMinutes: ESCALATION });
  const copyFiles = Object.fromEntries(Object.values(deployment.functions).map((f) => [f.handler, f.copyFiles]));
  const dirs = await buildBundles(join(__dirname, '..', '..', '.tmp', 'bundle-harness'), copyFiles);
  fake = await new FakeAws({ [SIGNING_SECRET_ARN]: SIGNING_SECRET, [SLACK_SECRET_NAME]: JSON.stringify({ botToken: 'xoxb-harness-cisa', signingSecret: SLACK_SIGNING_SECRET }) }).start();
  slack = await startSlack();
  // Each function's role, enforced: DynamoDB requests pass only if its synthesized policy allows them.
  iam = await new DynamoDbIam(endpoint(), Object.fromEntries(Object.values(deployment.functions).map((f) => [f.handler, f.policy]))).start();
  runtime = new LambdaRuntime(deployment, dirs, {
    AWS_SECRET_ACCESS_KEY: 'harness-secret-access-key', AWS_SESSION_TOKEN: 'harness-session-token',
    // The SDK's standard per-service endpoints: the bundles run unchanged.
    AWS_ENDPOINT_URL_DYNAMODB: iam.url,
    // DynamoDB Local, shared by the whole test run, may stay silent for seconds: not a lost connection.
    CONCORD_DYNAMODB_ATTEMPT_TIMEOUT_MS: '30000',
    AWS_ENDPOINT_URL_SNS: fake.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url,
    // Slack's Web API: the stand-in, as the SDK's endpoint variables do for AWS.
    CONCORD_SLACK_API_URL: slack.apiUrl,
    // Any other service goes nowhere rather than to AWS.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  }, (handler) => ({ AWS_ACCESS_KEY_ID: iam.accessKeyOf(handler) }));
  api = new ApiGateway(runtime, deployment);
  stream = new TableStream(endpoint(), table.tableName);
});

afterAll(async () => {
  await runtime?.stop();
  stream?.destroy();
  await fake?.stop();
  await iam?.stop();
  await slack?.stop();
  await drop?.();
});

/** Reads the table's stream and hands its records to the stream consumers, as Lambda does. */
const pump = async () => deliverStream(runtime, deployment.streamMappings, await stream.read());
/** A status, with the answer shown when it is another. */
const expectStatus = (res: ApiReply, status: number) => {
  if (res.status !== status) throw new Error(`Expected ${status} from ${res.handler ?? 'API Gateway'}, got ${res.status}: ${res.text.slice(0, 1000)}`);
};
const messages = (incidentId: string) => fake.published.filter((p) => p.attributes.incidentId === incidentId).map((p) => ({ topicArn: p.topicArn, subject: p.subject, ...JSON.parse(p.message) as { default: string; sms: string; email: string } }));
const texts = (phone: string) => fake.published.filter((p) => p.phoneNumber === phone).map((p) => p.message);

describe('the stack as deployed', () => {
  it('deploys one function per handler file, each with the index.handler of its bundle', () => {
    expect(Object.keys(deployment.functions).sort()).toEqual(handlers());
    for (const fn of Object.values(deployment.functions)) expect(fn.lambdaHandler).toBe('index.handler');
  });

  it('gives the stream consumers, the schedule and the inbound-SMS subscription to the functions that serve them', () => {
    expect(deployment.streamMappings.map((m) => m.handler).sort()).toEqual(['aggregate-metrics', 'correlate-from-stream', 'notify-from-stream']);
    expect(Object.keys(deployment.schedules)).toEqual(['escalate-incidents']);
    expect(Object.keys(deployment.subscriptions)).toEqual(['receive-sms']);
    expect(deployment.authorizer).toBe('authorize');
  });
});

describe('the lifecycle, through bundles only', () => {
  let id: string;
  let ackCode: string;
  let cisaAckLink: string;

  it('a partner reports an incident: the authorizer bundle lets the key in, report-incident stores it', async () => {
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity: 'high', participants: ['fbi', 'cisa'] }));
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ status: 'reported', severity: 'high', participants: expect.arrayContaining(['fbi', 'cisa']) });
    id = res.body.id;
    expect(api.authorizerCalls.length).toBeGreaterThan(0);
  });

  it('the stream carries it to notify-from-stream, which publishes to each organization\'s topic with an SMS acknowledgement code', async () => {
    const given = await pump();
    expect(given['notify-from-stream']).toBeGreaterThan(0);
    expect(given['aggregate-metrics']).toBeGreaterThan(0);
    const sent = messages(id);
    expect(sent.map((m) => m.topicArn).sort()).toEqual([TOPIC('cisa'), TOPIC('facebook'), TOPIC('fbi')]);
    const code = /Reply ACK (\d+)$/.exec(sent[0]!.sms)?.[1];
    expect(code).toMatch(/^\d{4,6}$/);
    ackCode = code!;
    // The emailed links point at the API, as the stack names it, and carry a signed token (the secret from Secrets Manager).
    const cisaMail = sent.find((m) => m.topicArn === TOPIC('cisa'))!.email;
    cisaAckLink = /https:\/\/harnessapi\.execute-api\.us-east-1\.amazonaws\.com\/harness(\/v1\/ack\/[^\s"<>]+)/.exec(cisaMail)![1]!;
    expect(fake.secretReads).toContain(SIGNING_SECRET_ARN);
  });

  it('an SMS reply "ACK <code>" reaches receive-sms through SNS and acknowledges for the phone\'s organization', async () => {
    const { topicArn, subscriptionArn } = deployment.subscriptions['receive-sms']!;
    const result = await runtime.invoke('receive-sms', snsEvent(topicArn, subscriptionArn, inboundSms(FBI_PHONE, ` ack ${ackCode} `)));
    expect(result.replies).toEqual([expect.stringMatching(/^Concord: acknowledged for FBI: /)]);
    expect(texts(FBI_PHONE)).toEqual([expect.stringMatching(/^Concord: acknowledged for FBI/)]);
    const incident = (await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${id}`)).body;
    expect(incident.acknowledgements).toEqual([{ orgId: 'fbi', by: 'fbi duty', via: 'sms', at: expect.any(String) }]);
    expect(incident.status).toBe('acknowledged');
  });

  it('the emailed link opens the acknowledgement page (get-ack-page) and acknowledges for cisa (post-ack)', async () => {
    const page = await api.call(null, 'GET', cisaAckLink);
    expectStatus(page, 200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Coordinated false claims');
    const posted = await api.call(null, 'POST', cisaAckLink, '', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(posted.status).toBeLessThan(400);
    const incident = (await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${id}`)).body;
    expect(incident.acknowledgements.map((a: { orgId: string; via: string }) => [a.orgId, a.via])).toEqual([['fbi', 'sms'], ['cisa', 'email']]);
  });

  it('it is assigned, noted and resolved over the API', async () => {
    const assigned = await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${id}/assign`, { orgId: 'fbi', responder: 'Agent Scully' });
    expectStatus(assigned, 200);
    expect(assigned.body.assignee).toMatchObject({ orgId: 'fbi' });
    expectStatus(await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: 'Takedown requested.' }), 201);
    const resolved = await api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${id}/resolve`, { resolution: 'Posts removed; polling places confirmed open.' });
    expectStatus(resolved, 200);
    expect(resolved.body.status).toBe('resolved');
  });

  it('the stream notifies the resolution and aggregate-metrics folds the incident into the buckets get-metrics reads', async () => {
    const before = fake.published.length;
    const given = await pump();
    expect(given['notify-from-stream']).toBeGreaterThanOrEqual(3);
    expect(given['aggregate-metrics']).toBeGreaterThanOrEqual(3);
    expect(messages(id).some((m) => /resolved/i.test(m.sms))).toBe(true);
    expect(fake.published.length).toBeGreaterThan(before);
    const from = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86400_000).toISOString().slice(0, 10);
    const res = await api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${from}&to=${to}`);
    expectStatus(res, 200);
    expect(res.body.incidents).toMatchObject({ reported: 1, acknowledged: 1, resolved: 1 });
  });

  it('the timeline and the audit trail tell the whole story', async () => {
    const timeline = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`);
    expectStatus(timeline, 200);
    expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['reported', 'acknowledged', 'assigned', 'note', 'resolved']));
    const audit = await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/audit`);
    expectStatus(audit, 200);
    expect(audit.body.items.length).toBeGreaterThan(0);
  });
});

describe('escalation, through bundles only', () => {
  it('escalate-incidents, invoked by the schedule, escalates an unacknowledged critical incident; the notifier tells participants and managers', async () => {
    const { ruleArn } = deployment.schedules['escalate-incidents']!;
    // A first run starts the function's process before the incident exists: a cold start under load
    // once took past the three seconds to the due time, and the "not due yet" run below escalated.
    expect(await runtime.invoke('escalate-incidents', scheduledEvent(ruleArn))).toEqual({ escalated: 0, reminded: 0, paged: 0 });
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity: 'critical', participants: ['google'] }));
    expectStatus(res, 201);
    const id = res.body.id as string;
    await pump();
    // Not due yet, then due once three seconds have passed (no speed is measured: we wait past the due time).
    // The runs are warm, so the two after the due time both fall well before the next level (three seconds later).
    expect(await runtime.invoke('escalate-incidents', scheduledEvent(ruleArn))).toEqual({ escalated: 0, reminded: 0, paged: 0 });
    const due = Date.parse(res.body.reportedAt) + 3_000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 250));
    expect(await runtime.invoke('escalate-incidents', scheduledEvent(ruleArn))).toEqual({ escalated: 1, reminded: 0, paged: 0 });
    expect(await runtime.invoke('escalate-incidents', scheduledEvent(ruleArn))).toEqual({ escalated: 0, reminded: 0, paged: 0 });
    await pump();
    const escalated = messages(id).filter((m) => m.sms.startsWith('ESCALATED CRITICAL'));
    expect(escalated.map((m) => m.topicArn).sort()).toEqual([TOPIC('cisa'), TOPIC('facebook'), TOPIC('google'), TOPIC('odni')]);
    const timeline = (await api.call(KEYS.partner.google, 'GET', `/v1/incidents/${id}/timeline`)).body.events;
    expect(timeline.filter((e: { type: string }) => e.type === 'escalated')).toEqual([expect.objectContaining({ data: expect.objectContaining({ level: 1 }) })]);
  });
});

describe('every other function, once', () => {
  let incidentId: string;
  beforeAll(async () => {
    incidentId = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], title: 'Seen through every function' }))).body.id;
  });

  it('API Gateway refuses a missing or unknown credential (401) before any function; roles are the handlers\' to check (403)', async () => {
    expectStatus(await api.call(null, 'GET', '/v1/incidents'), 401);
    expectStatus(await api.call('not-a-real-key-at-all-0000', 'GET', '/v1/incidents'), 401);
    const forbidden = await api.call(KEYS.partner.fbi, 'GET', '/v1/audit');
    expectStatus(forbidden, 403);
    expect(forbidden.handler).toBe('list-audit');
  });

  it('get-health, get-openapi', async () => {
    expectStatus(await api.call(null, 'GET', '/health'), 200);
    const doc = await api.call(null, 'GET', '/openapi.json');
    expectStatus(doc, 200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/v1/incidents');
    // Every $ref of the deployed document names one of its own components: a schema registered but
    // referenced only by name (Problem) is dropped from the bundle like any unused pure call.
    const refs = new Set([...JSON.stringify(doc.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!));
    expect(refs.size).toBeGreaterThan(10);
    expect([...refs].filter((id) => !(id in doc.body.components.schemas))).toEqual([]);
  });

  it('list-incidents, get-incident, acknowledge-incident, get-incident-stix', async () => {
    const list = await api.call(KEYS.partner.facebook, 'GET', '/v1/incidents?limit=100');
    expectStatus(list, 200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(incidentId);
    expect((await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incidentId}`)).body.title).toBe('Seen through every function');
    const ack = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incidentId}/acknowledge`, { by: 'duty officer' });
    expectStatus(ack, 200);
    expect(ack.body.acknowledgements).toEqual([expect.objectContaining({ orgId: 'fbi', by: 'duty officer', via: 'api' })]);
    const stix = await api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${incidentId}/stix`);
    expectStatus(stix, 200);
    expect(stix.body.type).toBe('bundle');
    expect(stix.body.objects.some((o: { type: string }) => o.type === 'incident')).toBe(true);
  });

  it('invite-participants, edit-incident, post-status-update, link-incident, unlink-incident, reopen-incident (#23)', async () => {
    const invited = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incidentId}/participants`, { orgIds: ['google'] });
    expectStatus(invited, 200);
    expect(invited.body.participants).toContain('google');
    const edited = await api.call(KEYS.partner.facebook, 'PATCH', `/v1/incidents/${incidentId}`, { severity: 'high' }, { 'if-match': `"${invited.body.version}"` });
    expectStatus(edited, 200);
    expect(edited.headers.etag).toBe(`"${edited.body.version}"`);
    expectStatus(await api.call(KEYS.partner.google, 'POST', `/v1/incidents/${incidentId}/updates`, { summary: 'Investigating', phase: 'investigating', nextUpdateInMinutes: 30 }), 201);
    const other = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi'], title: 'The same campaign' }))).body.id as string;
    const linked = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${other}/links`, { incidentId, relation: 'duplicate' });
    expectStatus(linked, 201);
    expect(linked.body).toMatchObject({ status: 'resolved', resolution: `Duplicate of ${incidentId}` });
    expectStatus(await api.call(KEYS.partner.fbi, 'DELETE', `/v1/incidents/${other}/links/${incidentId}`), 204);
    const reopened = await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${other}/reopen`, { reason: 'Not the same after all.' });
    expectStatus(reopened, 200);
    expect(reopened.body).toMatchObject({ status: 'reported', resolvedAt: null, related: [] });
  });

  it('list-audit, list-directory, list-organizations', async () => {
    const audit = await api.call(KEYS.admin, 'GET', '/v1/audit');
    expectStatus(audit, 200);
    expect(audit.body.items.length).toBeGreaterThan(0);
    const directory = await api.call(KEYS.partner.fbi, 'GET', '/v1/directory');
    expectStatus(directory, 200);
    expect(JSON.stringify(directory.body)).toContain('cisa');
    const orgs = await api.call(KEYS.admin, 'GET', '/v1/organizations');
    expectStatus(orgs, 200);
    expect(JSON.stringify(orgs.body)).toContain('facebook');
  });

  it('schedules serves on call (#24): a schedule, its shifts and who is on call, a policy; get-schedule-calendar serves the feed', async () => {
    const schedule = { name: 'Watch', timeZone: 'America/New_York', layers: [{ start: '2026-11-02T09:00', rotation: 'daily', members: ['cisa-duty'] }] };
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/watch', schedule);
    expectStatus(put, 201);
    expect(put.body.calendarUrl).toMatch(/\/v1\/organizations\/cisa\/schedules\/watch\/calendar\.ics\?token=/);
    const shifts = await api.call(KEYS.partner.cisa, 'GET', '/v1/organizations/cisa/schedules/watch/shifts?from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z');
    expectStatus(shifts, 200);
    expect(shifts.body.items).toEqual([{ contact: 'cisa-duty', from: '2026-11-02T14:00:00.000Z', to: expect.any(String) }]);
    expectStatus(await api.call(KEYS.partner.cisa, 'GET', '/v1/organizations/cisa/schedules/watch/oncall?at=2026-11-03T12:00:00Z'), 200);
    expectStatus(await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }] }), 200);
    expect((await api.call(KEYS.admin, 'DELETE', '/v1/organizations/cisa/schedules/watch')).status).toBe(409);
    // The link names the stage's public URL; the gateway routes what follows the stage.
    const url = new URL(put.body.calendarUrl);
    const path = url.pathname.slice(url.pathname.indexOf('/v1/'));
    const feed = await api.call(null, 'GET', path + url.search);
    expectStatus(feed, 200);
    expect(feed.text).toMatch(/^BEGIN:VCALENDAR/);
    expect((await api.call(null, 'GET', `${path}?token=wrong`)).status).toBe(403);
  });

  it('put-organization provisions its topics on SNS; create-key, list-keys and delete-key manage its keys', async () => {
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/nasa', { name: 'NASA', kind: 'agency', contacts: [{ name: 'nasa duty', email: 'duty@nasa.example', phone: '+12025550042' }] });
    expectStatus(put, 201);
    const created = fake.snsCalls.filter((c) => c.action === 'CreateTopic').map((c) => c.params.Name);
    expect(created).toEqual(expect.arrayContaining(['concord-harness-org-nasa', 'concord-harness-org-nasa_red']));
    expect(fake.snsCalls.filter((c) => c.action === 'Subscribe').map((c) => `${c.params.Protocol}:${c.params.Endpoint}`)).toEqual(expect.arrayContaining(['email:duty@nasa.example', 'sms:+12025550042']));
    // An admin creates keys for its own organization; the organization is told on its topic.
    const noticesBefore = fake.published.filter((p) => p.topicArn === TOPIC('cisa')).length;
    const key = await api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' });
    expectStatus(key, 201);
    expect(key.body).toMatchObject({ key: expect.any(String), keyId: expect.any(String) });
    expect(fake.published.filter((p) => p.topicArn === TOPIC('cisa')).length).toBeGreaterThan(noticesBefore);
    // The new key works at once, through the authorizer.
    expectStatus(await api.call(key.body.key, 'GET', '/v1/directory'), 200);
    const keys = await api.call(KEYS.admin, 'GET', '/v1/organizations/cisa/keys');
    expectStatus(keys, 200);
    expect(keys.body.items.map((k: { keyId: string }) => k.keyId)).toContain(key.body.keyId);
    expect((await api.call(KEYS.admin, 'DELETE', `/v1/keys/${key.body.keyId}`)).status).toBeLessThan(300);
    // Revoked: the authorizer (no cached answer for this header any more) refuses it.
    api.forget(key.body.key);
    expectStatus(await api.call(key.body.key, 'GET', '/v1/directory'), 401);
  });

  it('enqueue-event takes a PagerDuty event by routing key; receive-cloudwatch-alarm refuses an unsigned SNS message', async () => {
    const enqueued = await api.call(null, 'POST', '/v2/enqueue', { routing_key: KEYS.partner.twitter, event_action: 'trigger', payload: { summary: 'Feed monitor: burst of fake notices', source: 'feed-monitor', severity: 'warning' } });
    expectStatus(enqueued, 202);
    expect(enqueued.body).toMatchObject({ status: 'success', dedup_key: expect.any(String) });
    const alarm = await api.call(null, 'POST', `/v1/integrations/cloudwatch/${KEYS.partner.twitter}`, JSON.stringify({
      Type: 'Notification', MessageId: '00000000-0000-0000-0000-000000000001', TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`,
      Message: '{}', Timestamp: new Date().toISOString(), SignatureVersion: '2', Signature: 'bm90IGEgc2lnbmF0dXJl',
      SigningCertURL: 'https://example.com/cert.pem',
    }), { 'content-type': 'text/plain; charset=UTF-8' });
    expectStatus(alarm, 403);
    expect(alarm.headers['content-type']).toBe('application/problem+json');
  });

  it('replay-notifications finds no failed delivery to republish', async () => {
    const res = await api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {});
    expectStatus(res, 200);
    // Every delivery so far succeeded: nothing to replay, nothing failing.
    expect(res.body).toEqual({ replayed: 0, failed: 0 });
  });

  it('get-app serves the page and the files copied beside its bundle, and config.json from the stack\'s user pool; get-console redirects', async () => {
    const page = await api.call(null, 'GET', '/app');
    expectStatus(page, 200);
    expect(page.text).toContain('<html');
    // Every file of the app, its ES modules under views/ too, from the copies beside the bundle.
    for (const [asset, { type }] of Object.entries(APP_FILES).filter(([name]) => name !== 'index.html')) {
      const res = await api.call(null, 'GET', `/app/${asset}`);
      expectStatus(res, 200);
      expect({ asset, type: res.headers['content-type'] }).toEqual({ asset, type });
    }
    const config = await api.call(null, 'GET', '/app/config.json');
    expectStatus(config, 200);
    expect(config.body).toMatchObject({ issuer: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_Harness`, clientId: 'harnessappclient', sendToken: 'id_token' });
    const console = await api.call(null, 'GET', '/console');
    expectStatus(console, 302);
    expect(console.headers.location).toBe('app');
  });

  it('taxii serves discovery and the collection; taxii-add-objects reports a STIX incident', async () => {
    const discovery = await api.call(null, 'GET', '/taxii2/', undefined, { accept: TAXII, ...basic(KEYS.partner.fbi) });
    expectStatus(discovery, 200);
    expect(discovery.headers['content-type']).toBe(TAXII);
    expect(discovery.body.api_roots).toEqual([expect.stringContaining('/taxii2/concord/')]);
    const coll = `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}`;
    const objects = await api.call(null, 'GET', `${coll}/objects/`, undefined, { accept: TAXII, ...basic(KEYS.partner.fbi) });
    expectStatus(objects, 200);
    expect(objects.body.objects.length).toBeGreaterThan(0);
    const added = await api.call(null, 'POST', `${coll}/objects/`, JSON.stringify({ objects: [{
      type: 'incident', spec_version: '2.1', id: 'incident--6d3c3a8e-0f1e-4b8e-9a57-2f6f0e1c9b21',
      created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z', name: 'Phishing wave against county clerks',
      object_marking_refs: [TLP_MARKING_IDS.GREEN], x_concord_participants: ['cisa'],
    }] }), { ...basic(KEYS.partner.twitter), accept: TAXII, 'content-type': TAXII });
    expectStatus(added, 202);
    expect(added.body).toMatchObject({ status: 'complete', success_count: 1, failure_count: 0 });
  });

  it('put-organization (PUT …/chat) connects CISA\'s Slack channel; notify-from-stream posts there with the bot token from its secret; receive-slack acknowledges a signed /concord ack', async () => {
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/chat', { channels: [{ kind: 'slack', channel: 'C0HARNESS', team: 'T0HARNESS' }] });
    expectStatus(put, 200);
    const res = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'AMBER', participants: ['cisa'], title: 'Through the chat bundles' }));
    expectStatus(res, 201);
    await pump();
    const post = slack.slack.calls.find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(res.body.id));
    expect(post?.body.channel).toBe('C0HARNESS');
    expect(fake.secretReads).toContain(SLACK_SECRET_NAME);
    const code = /\/concord ack (\d+)/.exec(JSON.stringify(post!.body.attachments))![1]!;
    const body = new URLSearchParams({ team_id: 'T0HARNESS', user_name: 'harness.user', command: '/concord', text: `ack ${code}` }).toString();
    const forged = await api.call(null, 'POST', '/v1/integrations/slack/cisa/commands', body, slackHeaders('not-the-signing-secret', body));
    expectStatus(forged, 401);
    const ack = await api.call(null, 'POST', '/v1/integrations/slack/cisa/commands', body, slackHeaders(SLACK_SIGNING_SECRET, body));
    expectStatus(ack, 200);
    expect(ack.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('acknowledged for CISA') });
    const incident = (await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${res.body.id}`)).body;
    expect(incident.acknowledgements).toEqual([expect.objectContaining({ orgId: 'cisa', via: 'slack', by: 'harness.user' })]);
    await pump();
    expect(slack.slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
  });

  it('every function has answered at least once, and none has failed', () => {
    const answered = new Set(runtime.invocations.filter((i) => i.ok).map((i) => i.handler));
    expect(handlers().filter((h) => !answered.has(h))).toEqual([]);
    // The authorizer refuses by throwing `Unauthorized`, as API Gateway expects; nothing else threw.
    expect(runtime.invocations.filter((i) => !i.ok && i.handler !== 'authorize')).toEqual([]);
  });

  it('no function sent DynamoDB a request its role does not allow', () => {
    expect(iam.denied).toEqual([]);
  });
});
