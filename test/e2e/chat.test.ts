/**
 * Slack and Teams end to end, as `npm start` serves them: an admin connects channels, incidents
 * appear there through the stream and stay current, `/concord ack <code>` and the Acknowledge
 * button acknowledge `via: "slack"`, `/concord open` lists, a RED incident shows only its fixed line,
 * and every request without a right signature is 401 and changes nothing.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ENV } from '../../lambdas/config/env';
import { handler as receiveSlack } from '../../lambdas/handlers/receive-slack';
import { signSlackRequest } from '../../lambdas/integrations/slack';
import { KEYS, TEST_DIRECTORY, eventually, report, startTestApi, type TestApi } from '../support/harness';
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { directoryFiles } from '../../lambdas/wiring/directory-file';
import { slackHeaders, startSlack, startTeams } from '../support/chat';

const SECRET = 'local-slack-signing-secret-0123456789';
let api: TestApi;
let slackServer: Awaited<ReturnType<typeof startSlack>>;
let teams: Awaited<ReturnType<typeof startTeams>>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  slackServer = await startSlack();
  teams = await startTeams();
  for (const name of [ENV.slackSigningSecret, ENV.slackApiUrl]) saved[name] = process.env[name];
  process.env[ENV.slackSigningSecret] = SECRET;
  process.env[ENV.slackApiUrl] = slackServer.apiUrl;
  // The same stand-in answers GET /local/slack/calls on the API's own port, as under npm start.
  api = await startTestApi({ notifications: true, fallback: slackServer.slack.routes() });
});
afterAll(async () => {
  await api?.stop();
  await slackServer.stop();
  await teams.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const calls = async (): Promise<Array<{ method: string; body: any; at: string }>> => (await api.call(null, 'GET', '/local/slack/calls')).body.calls;
const command = (text: string, over: Record<string, string> = {}) => new URLSearchParams({ token: 'legacy', team_id: 'T0CISA', team_domain: 'cisa', channel_id: 'C0CISA', user_id: 'U1', user_name: 'roadrunner', command: '/concord', text, ...over }).toString();
const signed = (orgId: string, kind: 'commands' | 'interactions', body: string, headers: Record<string, string> = slackHeaders(SECRET, body)) => api.call(null, 'POST', `/v1/integrations/slack/${orgId}/${kind}`, body, headers);
const cisaChat = () => ({ channels: [{ kind: 'slack', channel: 'C0CISA', team: 'T0CISA' }, { kind: 'teams', webhookUrl: teams.url }] });

describe('connections', () => {
  it('an organization\'s own admin connects its channels; the answer, the directory and the audit trail never show the Teams signature', async () => {
    const put = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/chat', cisaChat());
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ channels: [{ kind: 'slack', channel: 'C0CISA', team: 'T0CISA' }, { kind: 'teams', webhookUrl: teams.url.replace(/\?.*$/, '?…') }] });
    const orgs = await api.call(KEYS.admin, 'GET', '/v1/organizations');
    expect(orgs.text).not.toContain('secret-signature');
    expect(orgs.body.items.find((o: { id: string }) => o.id === 'cisa').chat.channels[0]).toEqual({ kind: 'slack', channel: 'C0CISA', team: 'T0CISA' });
    const audit = await api.call(KEYS.admin, 'GET', '/v1/audit?action=organization.chat');
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'organization.chat', outcome: 'allowed', actor: expect.objectContaining({ orgId: 'cisa' }) })]);
    expect(audit.text).not.toContain('secret-signature');
  });

  it('another organization\'s admin may not (403), a partner may not (403), and bad channels are 400 naming each field, changing nothing', async () => {
    expect((await api.call(KEYS.admin, 'PUT', '/v1/organizations/fbi/chat', { channels: [{ kind: 'slack', channel: 'C0FBI', team: 'T0FBI' }] })).status).toBe(403);
    expect((await api.call(KEYS.partner.cisa, 'PUT', '/v1/organizations/cisa/chat', { channels: [] })).status).toBe(403);
    const bad = await api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/chat', {
      channels: [
        { kind: 'slack', channel: 'general', team: 'T0CISA' },
        { kind: 'teams', webhookUrl: 'http://prod-00.westus.logic.azure.com/workflows/x' },
        { kind: 'teams', webhookUrl: 'https://user:pw@prod-00.westus.logic.azure.com/workflows/x' },
        { kind: 'discord', url: 'https://discord.example' },
        { kind: 'slack', channel: 'C0CISA', team: 'T0CISA', token: 'xoxb-no' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['channels.0.channel', 'channels.1.webhookUrl', 'channels.2.webhookUrl', 'channels.3.kind', 'channels.4.token']));
    const orgs = await api.call(KEYS.admin, 'GET', '/v1/organizations');
    expect(orgs.body.items.find((o: { id: string }) => o.id === 'cisa').chat.channels).toHaveLength(2);
    expect(orgs.body.items.find((o: { id: string }) => o.id === 'fbi').chat).toBeUndefined();
  });
});

describe('incidents in chat', () => {
  let incident: { id: string; version: number };
  let code: string;

  it('a reported incident appears once in the Slack channel and as a card in Teams', async () => {
    incident = (await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['cisa', 'fbi'], tlp: 'AMBER', title: 'Polling place closures: false claims' }))).body;
    const post = await eventually(async () => (await calls()).find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(incident.id)));
    expect(post.body.channel).toBe('C0CISA');
    expect(JSON.stringify(post.body.attachments)).toContain('Polling place closures: false claims');
    code = /\/concord ack (\d+)/.exec(JSON.stringify(post.body.attachments))![1]!;
    await eventually(() => teams.received.some((m) => JSON.stringify(m).includes('Polling place closures')));
    const card = teams.received.find((m) => JSON.stringify(m).includes('Polling place closures'));
    expect(card.attachments[0].content.version).toBe('1.4');
    expect(JSON.stringify(card)).toContain(`/v1/ack/`);
  });

  it('a request without the right signature is 401 and changes nothing: forged, stale, replayed with another body, headers missing', async () => {
    const body = command(`ack ${code}`);
    const now = Math.floor(Date.now() / 1000);
    const other = command('ack 0000');
    const cases: Array<[string, Record<string, string>, string, string?]> = [
      ['forged (another secret)', { ...slackHeaders('another-signing-secret-000000000', body) }, body],
      ['stale (6 minutes old)', slackHeaders(SECRET, body, now - 360), body],
      ['replayed with another body', slackHeaders(SECRET, other), body],
      ['no signature', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(now) }, body],
      ['no timestamp', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': signSlackRequest(SECRET, now, body) }, body],
      ['no headers at all', { 'content-type': 'application/x-www-form-urlencoded' }, body],
      ['an organization that does not exist', slackHeaders(SECRET, body), body, 'nobody'],
      ['an id that is no organization id', slackHeaders(SECRET, body), body, 'NOT_AN_ORG'],
      ['an id that would write a line of its own into the audit trail', slackHeaders(SECRET, body), body, 'evil%0Ainjected%20line'],
    ];
    const before = (await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${incident.id}`)).body;
    const callsBefore = (await calls()).length;
    for (const [what, headers, sent, org] of cases) {
      for (const kind of ['commands', 'interactions'] as const) {
        const answer = await signed(org ?? 'cisa', kind, kind === 'interactions' ? `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: { id: 'T0CISA' }, user: { name: 'x' }, actions: [{ action_id: 'concord_ack', value: incident.id }] }))}` : sent, headers);
        expect({ what, kind, status: answer.status, type: answer.headers.get('content-type') }).toEqual({ what, kind, status: 401, type: 'application/problem+json' });
      }
    }
    const after = (await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${incident.id}`)).body;
    expect(after).toEqual(before);
    expect((await calls()).length).toBe(callsBefore);
    const refusals = await api.call(KEYS.admin, 'GET', '/v1/audit?action=authenticate');
    const fromSlack = refusals.body.items.filter((e: { actor: { via: string } }) => e.actor.via === 'slack');
    expect(fromSlack.length).toBeGreaterThanOrEqual(cases.length * 2);
    // An id that is no organization id is not written into the trail as given (red team: a newline made a line of its own).
    for (const e of fromSlack) expect(e.detail).not.toMatch(/[\n\r]|injected|NOT_AN_ORG/);
  });

  it('`/concord ack <code>` acknowledges for the organization via slack, by the Slack user; the message is updated in place', async () => {
    const answer = await signed('cisa', 'commands', command(`ack ${code}`));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('acknowledged for CISA') });
    const { body: now } = await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${incident.id}`);
    expect(now.acknowledgements).toEqual([expect.objectContaining({ orgId: 'cisa', via: 'slack', by: 'roadrunner' })]);
    await eventually(async () => (await calls()).some((c) => c.method === 'chat.update' && JSON.stringify(c.body).includes('Acknowledged')));
    expect((await calls()).filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts && JSON.stringify(c.body).includes(incident.id))).toHaveLength(1);
    // Again: a no-op, said so.
    expect((await signed('cisa', 'commands', command(`ack ${code}`))).body.text).toContain('already acknowledged');
  });

  it('a note becomes a reply in the message\'s thread', async () => {
    await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${incident.id}/notes`, { text: 'Field office confirms the claims are false' });
    const reply = await eventually(async () => (await calls()).find((c) => c.method === 'chat.postMessage' && c.body.thread_ts && String(c.body.text).includes('Field office')));
    const root = (await calls()).find((c) => c.method === 'chat.postMessage' && !c.body.thread_ts && JSON.stringify(c.body).includes(incident.id))!;
    expect(slackServer.slack.messages('C0CISA').find((m) => m.thread_ts)?.thread_ts).toBeDefined();
    expect(reply.body.thread_ts).toBe(slackServer.slack.messages('C0CISA').find((m) => JSON.stringify(m.metadata ?? {}).includes(incident.id) && !m.thread_ts)!.ts);
    expect(root).toBeDefined();
  });

  it('the Acknowledge button acknowledges another incident; a workspace the organization has not connected acts for no one', async () => {
    const { body: second } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['cisa'], tlp: 'GREEN', title: 'Second incident' }));
    const payload = (team: string) => `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', team: { id: team }, user: { id: 'U2', username: 'wile', name: 'Wile E.' }, actions: [{ action_id: 'concord_ack', value: second.id }] }))}`;
    const stranger = await signed('cisa', 'interactions', payload('T0OTHER'));
    expect(stranger.status).toBe(200);
    expect(stranger.body.text).toContain('not connected');
    expect((await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${second.id}`)).body.acknowledgements).toEqual([]);
    const clicked = await signed('cisa', 'interactions', payload('T0CISA'));
    expect(clicked.body.text).toContain('acknowledged for CISA');
    expect((await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${second.id}`)).body.acknowledgements).toEqual([expect.objectContaining({ orgId: 'cisa', via: 'slack', by: 'Wile E.' })]);
  });

  it('`/concord open` lists the organization\'s open incidents; an unknown code is answered as unknown', async () => {
    const open = await signed('cisa', 'commands', command('open'));
    expect(open.body.text).toContain('Polling place closures: false claims');
    expect(open.body.text).toContain('Second incident');
    expect((await signed('cisa', 'commands', command('ack 99999999'))).body.text).toBe('Concord: no open incident of yours has code 99999999.');
    expect((await signed('cisa', 'commands', command('help'))).body.text).toContain('/concord ack <code>');
  });

  it('a RED incident posts only "A TLP:RED incident needs CISA: open Concord" with the link, and is not acknowledged from Slack', async () => {
    const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['cisa'], tlp: 'RED', title: 'Named informant exposed', description: 'do not share' }));
    const post = await eventually(async () => (await calls()).find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(red.id)));
    expect(post.body.text).toBe(`A TLP:RED incident needs CISA: open Concord http://localhost:3000/app#/incidents/${red.id}`);
    expect(JSON.stringify(post.body)).not.toMatch(/informant|do not share|facebook|critical/i);
    await eventually(() => teams.received.some((m) => JSON.stringify(m).includes(red.id)));
    expect(JSON.stringify(teams.received.filter((m) => JSON.stringify(m).includes(red.id)))).not.toMatch(/informant|do not share/i);
    const listed = await signed('cisa', 'commands', command('open'));
    expect(listed.body.text).toContain(`• A TLP:RED incident needs CISA: open Concord http://localhost:3000/app#/incidents/${red.id}\n`);
    expect(listed.body.text).not.toContain('informant');
    // Its code (sent by SMS to cleared contacts) does not acknowledge it from Slack: RED is for named, cleared people.
    const sms = await eventually(() => api.outbox.messages.find((m) => m.incidentId === red.id && /ACK \d+/.test(m.sms)));
    const redCode = /ACK (\d+)/.exec(sms.sms)![1]!;
    const refused = await signed('cisa', 'commands', command(`ack ${redCode}`));
    expect(refused.body.text).toBe(`A TLP:RED incident needs CISA: open Concord http://localhost:3000/app#/incidents/${red.id} (a TLP:RED incident is acknowledged there, by a person cleared for it).`);
    expect((await api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${red.id}`)).body.acknowledgements).toEqual([]);
  });
});

it('behind API Gateway the body may come base64-encoded: the signature is checked over the decoded bytes', async () => {
  const body = command('help');
  const event = {
    resource: '/v1/integrations/slack/{orgId}/commands', path: '/v1/integrations/slack/cisa/commands', httpMethod: 'POST',
    headers: slackHeaders(SECRET, body), multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
    pathParameters: { orgId: 'cisa' }, stageVariables: null, body: Buffer.from(body).toString('base64'), isBase64Encoded: true,
    requestContext: { requestId: 'apigw-test' },
  } as unknown as APIGatewayProxyEvent;
  const answer = await receiveSlack(event, {} as never);
  expect(answer.statusCode).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('/concord ack') });
  const tampered = await receiveSlack({ ...event, body: Buffer.from(`${body}x`).toString('base64') }, {} as never);
  expect(tampered.statusCode).toBe(401);
});

it('a directory file may carry an organization\'s channels: a reload applies them, loading it again changes nothing, and a file without them keeps what the API set', async () => {
  const file = { organizations: TEST_DIRECTORY.organizations.map((o) => (o.id === 'fbi' ? { ...o, chat: { channels: [{ kind: 'slack', channel: 'C0FBI', team: 'T0FBI' }] } } : o)) };
  const parsed = DirectoryFileSchema.safeParse(file);
  expect(parsed.success).toBe(true);
  const loader = await directoryFiles();
  const plan = await loader.plan(parsed.data!);
  expect(plan.changedOrganizations).toEqual(['fbi']);
  await loader.apply(parsed.data!, plan, 'reload');
  const orgs = async () => (await api.call(KEYS.admin, 'GET', '/v1/organizations')).body.items as Array<{ id: string; chat?: unknown }>;
  expect((await orgs()).find((o) => o.id === 'fbi')!.chat).toEqual({ channels: [{ kind: 'slack', channel: 'C0FBI', team: 'T0FBI' }] });
  expect(await loader.plan(parsed.data!)).toMatchObject({ createOrganizations: [], changedOrganizations: [], reclaimedOrganizations: [] });
  // The test directory lists no channels: CISA's (set through the API) and FBI's (from the file) stay.
  expect(await loader.plan(TEST_DIRECTORY)).toMatchObject({ changedOrganizations: [] });
  await loader.load(TEST_DIRECTORY);
  expect((await orgs()).find((o) => o.id === 'fbi')!.chat).toBeDefined();
  expect((await orgs()).find((o) => o.id === 'cisa')!.chat).toBeDefined();
  // A bad channel in a file is named, as the API names it.
  const bad = DirectoryFileSchema.safeParse({ organizations: [{ ...TEST_DIRECTORY.organizations[0], chat: { channels: [{ kind: 'teams', webhookUrl: 'ftp://x' }] } }] });
  expect(bad.success).toBe(false);
  expect(JSON.stringify(bad.error!.issues.map((i) => i.path))).toContain('"webhookUrl"');
});
