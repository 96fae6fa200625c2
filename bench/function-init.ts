/**
 * Init per function, measured on the deployed artifact: the bundle harness (test/support/lambda-*)
 * runs one short scenario that reaches every function — through API Gateway events behind the
 * authorizer bundle, the table's stream, an SNS-delivered SMS and the escalation schedule — and keeps
 * the first event each function was given. Then, in rounds, each function is cold-started in a new
 * process with that event: the bootstrap times the import (init) and the first invoke. An empty
 * handler, started the same way in every round, is the baseline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { BUNDLE_FILE, esbuildOptions } from '../lib/bundling';
import { ALL_ROUTES } from '../lambdas/http/routes';
import { TLP_MARKING_IDS } from '../lambdas/integrations/stix';
import { INCIDENTS_COLLECTION_ID } from '../lambdas/integrations/taxii';
import { FakeAws } from '../test/support/fake-aws';
import { KEYS, report, useFreshTable } from '../test/support/harness';
import { ApiGateway, TableStream, deliverStream, inboundSms, scheduledEvent, snsEvent } from '../test/support/lambda-events';
import { ACCOUNT, REGION, STAGE, LambdaRuntime, buildBundles, synthesize } from '../test/support/lambda-runtime';
import { slackHeaders, startSlack } from '../test/support/chat';
import { progress } from './support';

const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:concord-bench-signing-AbCdEf`;
/** CISA's Slack secret, where the stack's prefix names it (concord/<stage>/slack/<orgId>). */
const SLACK_SECRET_NAME = `concord/${STAGE}/slack/cisa`;
const SLACK_SIGNING_SECRET = 'bench-slack-signing-secret';
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const ms = (x: number) => +x.toFixed(1);

export async function benchFunctionInit(dynamodbEndpoint: string, rounds: number, only?: string[]): Promise<Array<Record<string, unknown>>> {
  process.env.CONCORD_TEST_DYNAMODB_ENDPOINT = dynamodbEndpoint;
  const table = await useFreshTable();
  const deployment = synthesize({ tableName: table.tableName, signingSecretArn: SECRET_ARN });
  const dir = join(__dirname, '..', '.tmp', 'bench-functions');
  const dirs = await buildBundles(dir, Object.fromEntries(Object.values(deployment.functions).map((f) => [f.handler, f.copyFiles])));
  // The baseline, an empty handler deployed like any function (get-health's settings), and the
  // SDK's floor: the DynamoDB document client and one GetItem (get-incident's settings).
  for (const [name, like] of [['empty', 'get-health'], ['sdk-floor', 'get-incident'], ['sdk-floor-command', 'acknowledge-incident']] as const) {
    dirs[name] = join(dir, name);
    mkdirSync(dirs[name], { recursive: true });
    buildSync({ ...esbuildOptions(join(__dirname, 'entries', `${name}.ts`)), outfile: join(dirs[name], BUNDLE_FILE), sourcemap: 'linked' });
    deployment.functions[name] = { ...deployment.functions[like]!, handler: name, name: `concord-bench-${name}` };
  }
  // What source maps would cost at every cold start (why the stack leaves them off): BENCH_SOURCE_MAPS=1.
  if (process.env.BENCH_SOURCE_MAPS) for (const f of Object.values(deployment.functions)) f.environment.NODE_OPTIONS = '--enable-source-maps';
  const fake = await new FakeAws({ [SECRET_ARN]: 'bench-signing-secret-0123456789abcdef0123', [SLACK_SECRET_NAME]: JSON.stringify({ botToken: 'xoxb-bench-cisa', signingSecret: SLACK_SIGNING_SECRET }) }).start();
  const slack = await startSlack();
  const runtime = new LambdaRuntime(deployment, dirs, {
    AWS_ACCESS_KEY_ID: 'ASIABENCH00000000000', AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key', AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint, AWS_ENDPOINT_URL_SNS: fake.url, AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url, AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    CONCORD_SLACK_API_URL: slack.apiUrl,
    CONCORD_LOG_LEVEL: 'silent',
    // The tests' guard against packages outside the bundle resolves every import through a loader
    // hook in another thread: right for the tests, a cost Lambda does not have for the bench.
    HARNESS_PACKAGE_GUARD: 'off',
    ...(process.env.BENCH_TRACE ? { BENCH_TRACE_DIR: join(__dirname, '..', '.tmp', 'traces') } : {}),
  });
  // A CPU profile of each cold start of some functions, in .tmp/profiles/<function>: BENCH_PROFILE=get-incident,sdk-floor.
  const profiled = process.env.BENCH_PROFILE?.split(',').filter(Boolean) ?? [];
  const api = new ApiGateway(runtime, deployment);
  const stream = new TableStream(dynamodbEndpoint, table.tableName);
  try {
    console.error('  init: one scenario through every function, to record the event each is first given…');
    await scenario(api, runtime, deployment, fake, async () => deliverStream(runtime, deployment.streamMappings, await stream.read()));
    await runtime.stop();
    // Each cold start's requests, timed, in .tmp/traces/<function>.log: BENCH_TRACE=1 (bench/trace-requests.mjs).
    if (process.env.BENCH_TRACE) {
      for (const h of Object.keys(deployment.functions)) runtime.execArgv[h] = ['--import', pathToFileURL(join(__dirname, 'trace-requests.mjs')).href];
    }
    for (const h of profiled) runtime.execArgv[h] = ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${join(__dirname, '..', '.tmp', 'profiles', h)}`];
    const FLOORS = ['sdk-floor', 'sdk-floor-command'];
    const subjects = Object.keys(deployment.functions).filter((h) => h !== 'empty' && !FLOORS.includes(h) && (!only || only.includes(h))).sort();
    const unknown = (only ?? []).filter((h) => !deployment.functions[h]);
    if (unknown.length) throw new Error(`--init-functions: no function ${unknown.join(', ')}`);
    const missing = subjects.filter((h) => !runtime.firstEvents.has(h));
    for (const f of FLOORS) {
      subjects.push(f);
      runtime.firstEvents.set(f, {});
    }
    if (missing.length) throw new Error(`The scenario reached no event for ${missing.join(', ')}`);

    const samples = new Map<string, Array<{ initMs: number; invokeMs: number; cpuMs: number; ok: boolean }>>(['empty', ...subjects].map((h) => [h, []]));
    const bar = progress(`  init: ${subjects.length} functions × ${rounds} cold starts`);
    // Each round starts at another place in the order, so no function (the floors included) is
    // always started at the same point of a round, after the same neighbours: what the engine or
    // the machine still does after one cold start falls on each function alike.
    const order = ['empty', ...subjects];
    for (let r = 0; r < rounds; r++) {
      const shift = Math.floor((r * order.length) / rounds);
      for (const [i, h] of [...order.slice(shift), ...order.slice(0, shift)].entries()) {
        samples.get(h)!.push(await runtime.coldStart(h, h === 'empty' ? {} : runtime.firstEvents.get(h)));
        bar((r * order.length + i + 1) / (rounds * order.length));
      }
    }
    bar.done();
    const total = (h: string) => median(samples.get(h)!.map((s) => s.initMs + s.invokeMs));
    const empty = total('empty');
    const floor = total('sdk-floor');
    const cpu = (h: string) => median(samples.get(h)!.map((s) => s.cpuMs));
    const cpuFloor = cpu('sdk-floor');
    const http = new Set<string>(ALL_ROUTES.map((r) => r.handler));
    const rows: Array<Record<string, unknown>> = subjects.map((h) => ({
      function: h === 'sdk-floor' ? '(SDK floor: DynamoDB client + one GetItem)' : h === 'sdk-floor-command' ? '(a command\'s SDK floor: + one TransactWriteItems)' : h,
      kind: FLOORS.includes(h) ? '' : http.has(h) ? 'HTTP' : h === 'authorize' ? 'authorizer' : 'event',
      importMs: ms(median(samples.get(h)!.map((s) => s.initMs))), firstInvokeMs: ms(median(samples.get(h)!.map((s) => s.invokeMs))), initMs: ms(total(h)),
      overEmptyMs: ms(total(h) - empty), overFloorMs: h === 'sdk-floor' ? '' : ms(total(h) - floor),
      cpuMs: ms(cpu(h)), cpuOverFloorMs: h === 'sdk-floor' ? '' : ms(cpu(h) - cpuFloor),
      within30: FLOORS.includes(h) ? '' : total(h) - floor <= 30 ? 'yes' : 'no', answered: samples.get(h)!.every((s) => s.ok) ? 'yes' : 'no',
    }));
    const overs = subjects.filter((h) => http.has(h)).map((h) => total(h) - floor);
    const [mid, worst] = [median(overs), Math.max(...overs)];
    const cpuOvers = subjects.filter((h) => http.has(h)).map((h) => cpu(h) - cpuFloor);
    rows.push({ function: '(empty handler)', kind: '', importMs: ms(median(samples.get('empty')!.map((s) => s.initMs))), firstInvokeMs: ms(median(samples.get('empty')!.map((s) => s.invokeMs))), initMs: ms(empty), overEmptyMs: 0, overFloorMs: '', cpuMs: ms(cpu('empty')), cpuOverFloorMs: '', within30: '', answered: '' });
    rows.push({
      function: '(HTTP functions over the SDK floor: median, worst)', kind: 'HTTP', importMs: '', firstInvokeMs: '', initMs: '', overEmptyMs: '',
      overFloorMs: `${ms(mid)} / ${ms(worst)}`, cpuMs: '', cpuOverFloorMs: `${ms(median(cpuOvers))} / ${ms(Math.max(...cpuOvers))}`, within30: `${overs.filter((o) => o <= 30).length} of ${overs.length}`,
      answered: `median ≤ +15: ${mid <= 15 ? 'met' : 'NOT MET'}; worst ≤ +30: ${worst <= 30 ? 'met' : 'NOT MET'}`,
    });
    writeFileSync(join(dir, 'first-events.json'), JSON.stringify(Object.fromEntries(runtime.firstEvents), null, 1));
    return rows;
  } finally {
    await runtime.stop();
    stream.destroy();
    await fake.stop();
    await slack.stop();
    await table.drop();
  }
}

/** Reaches every function once, in the order a day of use would. */
async function scenario(api: ApiGateway, runtime: LambdaRuntime, deployment: ReturnType<typeof synthesize>, fake: FakeAws, pump: () => Promise<unknown>) {
  const must = async (p: Promise<{ status: number; text: string; handler: string | null }>, status = 300) => {
    const res = await p;
    if (res.status >= status) throw new Error(`${res.handler ?? 'API Gateway'} answered ${res.status}: ${res.text.slice(0, 500)}`);
    return res as { status: number; body: any; text: string; handler: string | null };
  };
  const id = (await must(api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ participants: ['fbi', 'cisa'] })))).body.id as string;
  await pump();
  const sms = fake.published.find((p) => p.attributes.incidentId === id && p.topicArn?.endsWith('-fbi'))!;
  const code = /Reply ACK (\d+)/.exec(JSON.parse(sms.message).sms)![1]!;
  const { topicArn, subscriptionArn } = deployment.subscriptions['receive-sms']!;
  await runtime.invoke('receive-sms', snsEvent(topicArn, subscriptionArn, inboundSms('+12025550000', `ACK ${code}`)));
  const email = JSON.parse(fake.published.find((p) => p.attributes.incidentId === id && p.topicArn?.endsWith('-cisa'))!.message).email as string;
  const ackLink = /https:\/\/[^/]+\/[^/]+(\/v1\/ack\/[^\s"<>]+)/.exec(email)![1]!;
  await must(api.call(null, 'GET', ackLink));
  await must(api.call(null, 'POST', ackLink, '', { 'content-type': 'application/x-www-form-urlencoded' }), 400);
  await must(api.call(KEYS.partner.cisa, 'GET', `/v1/incidents/${id}`));
  await must(api.call(KEYS.partner.facebook, 'GET', '/v1/incidents'));
  await must(api.call(KEYS.partner.google, 'POST', `/v1/incidents/${id}/acknowledge`, {}), 500);
  await must(api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${id}/assign`, { orgId: 'fbi' }));
  await must(api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${id}/notes`, { text: 'Takedown requested.' }));
  await must(api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`));
  await must(api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/audit`));
  await must(api.call(KEYS.partner.fbi, 'GET', `/v1/incidents/${id}/stix`));
  await must(api.call(KEYS.partner.facebook, 'POST', `/v1/incidents/${id}/resolve`, { resolution: 'Posts removed.' }));
  await pump();
  const day = (d: number) => new Date(Date.now() + d * 86400_000).toISOString().slice(0, 10);
  await must(api.call(KEYS.manager.cisa, 'GET', `/v1/metrics?from=${day(-1)}&to=${day(1)}`));
  await runtime.invoke('escalate-incidents', scheduledEvent(deployment.schedules['escalate-incidents']!.ruleArn));
  await must(api.call(null, 'GET', '/health'));
  await must(api.call(null, 'GET', '/openapi.json'));
  await must(api.call(null, 'GET', '/app'));
  await must(api.call(null, 'GET', '/console'), 400);
  await must(api.call(KEYS.partner.fbi, 'GET', '/v1/directory'));
  await must(api.call(KEYS.admin, 'GET', '/v1/organizations'));
  await must(api.call(KEYS.admin, 'GET', '/v1/audit'));
  await must(api.call(KEYS.admin, 'PUT', '/v1/organizations/nasa', { name: 'NASA', kind: 'agency', contacts: [{ name: 'nasa duty', email: 'duty@nasa.example', phone: null }] }));
  const key = (await must(api.call(KEYS.admin, 'POST', '/v1/organizations/cisa/keys', { role: 'partner' }))).body;
  await must(api.call(KEYS.admin, 'GET', '/v1/organizations/cisa/keys'));
  await must(api.call(KEYS.admin, 'DELETE', `/v1/keys/${key.keyId}`));
  await must(api.call(null, 'POST', '/v2/enqueue', { routing_key: KEYS.partner.twitter, event_action: 'trigger', payload: { summary: 'Feed monitor: burst of fake notices', source: 'feed-monitor', severity: 'warning' } }));
  // Unsigned: refused (403) after the whole function has loaded and checked it.
  await must(api.call(null, 'POST', `/v1/integrations/cloudwatch/${KEYS.partner.twitter}`, JSON.stringify({
    Type: 'Notification', MessageId: '00000000-0000-0000-0000-000000000001', TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`, Message: '{}',
    Timestamp: new Date().toISOString(), SignatureVersion: '2', Signature: 'bm90IGEgc2lnbmF0dXJl', SigningCertURL: 'https://example.com/cert.pem',
  }), { 'content-type': 'text/plain; charset=UTF-8' }), 500);
  await must(api.call(KEYS.admin, 'POST', '/v1/notifications/replay', {}));
  // This round's functions: coordination, observables and correlation, on call, chat.
  const green = (await must(api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['fbi'], observables: [{ type: 'domain-name', value: 'polls-closed.example' }] })))).body;
  const invited = (await must(api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${green.id}/participants`, { orgIds: ['google'] }))).body;
  await must(api.call(KEYS.partner.facebook, 'PATCH', `/v1/incidents/${green.id}`, { severity: 'high' }, { 'if-match': `"${invited.version}"` }));
  await must(api.call(KEYS.partner.google, 'POST', `/v1/incidents/${green.id}/updates`, { summary: 'Investigating', phase: 'investigating', nextUpdateInMinutes: 30 }));
  const other = (await must(api.call(KEYS.partner.fbi, 'POST', '/v1/incidents', report({ tlp: 'GREEN', participants: ['facebook'], observables: [{ type: 'domain-name', value: 'polls-closed.example' }] })))).body.id as string;
  await must(api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${other}/links`, { incidentId: green.id, relation: 'duplicate' }));
  await must(api.call(KEYS.partner.fbi, 'DELETE', `/v1/incidents/${other}/links/${green.id}`));
  await must(api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${other}/reopen`, { reason: 'Not the same after all.' }));
  await pump();
  await must(api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${green.id}/related`));
  const schedule = { name: 'Watch', timeZone: 'America/New_York', layers: [{ start: '2026-11-02T09:00', rotation: 'daily', members: ['cisa-duty'] }] };
  const calendarUrl = new URL((await must(api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/schedules/watch', schedule))).body.calendarUrl);
  await must(api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/escalation', { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }] }));
  await must(api.call(null, 'GET', calendarUrl.pathname.slice(calendarUrl.pathname.indexOf('/v1/')) + calendarUrl.search));
  await must(api.call(KEYS.admin, 'PUT', '/v1/organizations/cisa/chat', { channels: [{ kind: 'slack', channel: 'C0BENCH', team: 'T0BENCH' }] }));
  const slackBody = new URLSearchParams({ team_id: 'T0BENCH', user_name: 'bench.user', command: '/concord', text: 'open' }).toString();
  await must(api.call(null, 'POST', '/v1/integrations/slack/cisa/commands', slackBody, slackHeaders(SLACK_SIGNING_SECRET, slackBody)));
  const taxii = { accept: 'application/taxii+json;version=2.1', authorization: `Basic ${Buffer.from(`fbi:${KEYS.partner.fbi}`).toString('base64')}` };
  await must(api.call(null, 'GET', '/taxii2/', undefined, taxii));
  await must(api.call(null, 'POST', `/taxii2/concord/collections/${INCIDENTS_COLLECTION_ID}/objects/`, JSON.stringify({ objects: [{
    type: 'incident', spec_version: '2.1', id: 'incident--6d3c3a8e-0f1e-4b8e-9a57-2f6f0e1c9b21', created: '2026-03-01T00:00:00.000Z', modified: '2026-03-01T00:00:00.000Z',
    name: 'Phishing wave against county clerks', object_marking_refs: [TLP_MARKING_IDS.GREEN], x_concord_participants: ['cisa'],
  }] }), { ...taxii, 'content-type': 'application/taxii+json;version=2.1' }));
}
