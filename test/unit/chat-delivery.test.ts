/**
 * Chat delivery (domain/chat-notifier.ts) through the real sender (`@slack/web-api` against the
 * Slack stand-in, fetch against a Teams webhook), over in-memory repositories and chat log: one
 * message per incident per channel kept current, exactly once under stream redelivery and under a
 * crash between posting and recording, Slack's 429 honoured, an unreachable channel reported to the
 * organization's admins and not retried, only participants' channels, and — a property over every
 * kind of command — nothing of a RED incident but the fixed line and the link reaching either service.
 */
import fc from 'fast-check';
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import type { TimelineEvent } from '../../lambdas/domain/incident';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeChatNotifier } from '../../lambdas/domain/chat-notifier';
import { channelKey, type ChatChannel } from '../../lambdas/domain/chat';
import { makeChatSender } from '../../lambdas/adapters/chat/sender';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';
import { MemoryChatLog, startSlack, startTeams } from '../support/chat';

const BASE = 'https://concord.example';
let slackServer: Awaited<ReturnType<typeof startSlack>>;
let teamsServer: Awaited<ReturnType<typeof startTeams>>;

beforeAll(async () => {
  slackServer = await startSlack();
  teamsServer = await startTeams();
});
afterAll(async () => {
  await slackServer.stop();
  await teamsServer.stop();
});

const caller = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: `${orgId}-key` });

function setup(channels: Record<string, ChatChannel[]> = {}) {
  const slack = slackServer.slack;
  slack.calls.length = 0;
  teamsServer.received.length = 0;
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['facebook', 'cisa', 'fbi', 'google']) {
    directory.organizations.set(id, { id, name: id.toUpperCase(), kind: 'agency', contacts: [{ id: 'duty', name: 'duty', email: `duty@${id}.example`, phone: null, red: true }], ...(channels[id] ? { chat: { channels: channels[id]! } } : {}), createdAt: '', updatedAt: '' });
  }
  const clock = new ManualClock();
  const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const log = new MemoryChatLog();
  const pauses: Array<[number, number | undefined]> = [];
  const sender = makeChatSender({ credentials: async (orgId) => ({ botToken: `xoxb-${orgId}`, signingSecret: 'unused' }), slackApiUrl: slackServer.apiUrl });
  const notifier = makeChatNotifier({
    repository, directory, log, sender, audit: repository.audit, clock, baseUrl: BASE,
    ackLink: async (id, org) => `${BASE}/v1/ack/${id}.${org}`,
    pause: async (attempt, after) => { pauses.push([attempt, after]); },
  });
  /** What the stream does: every event of the incident, in order, from `from`. */
  const drain = async (incidentId: string, from = 1) => {
    const { events } = await repository.timeline(incidentId, { limit: 100 });
    const outcomes = [];
    for (const e of events.filter((x) => x.seq >= from)) outcomes.push(...await notifier.notify(incidentId, e));
    return outcomes;
  };
  const lastEvent = async (incidentId: string): Promise<TimelineEvent> => (await repository.timeline(incidentId, { limit: 100 })).events.at(-1)!;
  const calls = (method?: string, channel?: string) => slack.calls.filter((c) => (!method || c.method === method) && (!channel || c.body.channel === channel));
  return { slack, repository, directory, incidents, log, notifier, drain, lastEvent, calls, pauses, clock };
}

const slackChannel = (channel: string, team = 'T0001'): ChatChannel => ({ kind: 'slack', channel, team });

it('posts one message per incident per channel, updates it as the incident changes, threads notes and status updates; only participants\' channels', async () => {
  const t = setup({ cisa: [slackChannel('C0CISA'), { kind: 'teams', webhookUrl: teamsServer.url }], fbi: [slackChannel('C0FBI', 'T0002')], google: [slackChannel('C0GOOGLE')] });
  const { incident } = await t.incidents.report(caller('facebook'), { title: 'Ransomware at the county clerk', severity: 'high', category: 'ransomware', tlp: 'AMBER', participants: ['cisa', 'fbi'] });
  await t.drain(incident.id);
  expect(t.calls('chat.postMessage').map((c) => c.body.channel).sort()).toEqual(['C0CISA', 'C0FBI']);
  const root = t.slack.messages('C0CISA')[0]!;
  expect(JSON.stringify(root.attachments)).toContain('Ransomware at the county clerk');
  expect(teamsServer.received).toHaveLength(1);

  await t.incidents.acknowledge(caller('cisa'), incident.id, { by: 'watch desk' });
  await t.incidents.addNote(caller('fbi'), incident.id, 'Field office on site');
  await t.incidents.postUpdate(caller('cisa'), incident.id, { summary: 'Contained to two machines' });
  await t.drain(incident.id, 2);
  expect(t.calls('chat.postMessage').filter((c) => !c.body.thread_ts)).toHaveLength(2);
  expect(t.calls('chat.update', 'C0CISA').map((c) => c.body.ts)).toEqual([root.ts, root.ts, root.ts]);
  expect(JSON.stringify(t.slack.messages('C0CISA')[0]!.attachments)).toContain('Acknowledged');
  const replies = t.slack.messages('C0CISA').filter((m) => m.thread_ts === root.ts);
  expect(replies.map((r) => String(r.text))).toEqual(['Note: Field office on site', 'Status update: Contained to two machines']);
  expect(teamsServer.received).toHaveLength(4);
  expect(t.calls(undefined, 'C0GOOGLE')).toEqual([]);
  // The bot token went as Slack's client sends it, and was never recorded.
  expect(JSON.stringify(t.slack.calls)).not.toContain('xoxb-');
});

it('a redelivered stream batch posts nothing twice', async () => {
  const t = setup({ cisa: [slackChannel('C1REDELIVER'), { kind: 'teams', webhookUrl: teamsServer.url }] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Phishing wave', severity: 'medium', category: 'phishing', tlp: 'GREEN' });
  await t.incidents.addNote(caller('cisa'), incident.id, 'More reports');
  await t.drain(incident.id);
  const before = { calls: t.slack.calls.length, cards: teamsServer.received.length };
  for (let i = 0; i < 3; i++) expect(await t.drain(incident.id)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
  expect({ calls: t.slack.calls.length, cards: teamsServer.received.length }).toEqual(before);
  expect(t.slack.messages('C1REDELIVER')).toHaveLength(2);
});

it('a crash between posting the message and recording it is replayed as an update, never a second message', async () => {
  const t = setup({ cisa: [slackChannel('C2CRASH')] });
  const save = t.log.saveThread.bind(t.log);
  let crash = true;
  t.log.saveThread = async (id, channel, thread) => {
    if (thread.ts && crash) { crash = false; throw new Error('the table went away right after Slack took the message'); }
    return save(id, channel, thread);
  };
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Account takeover', severity: 'high', category: 'account-takeover', tlp: 'AMBER' });
  const reported = await t.lastEvent(incident.id);
  await expect(t.notifier.notify(incident.id, reported)).rejects.toThrow('the table went away');
  expect(t.slack.messages('C2CRASH')).toHaveLength(1);
  // The stream tries the record again.
  expect(await t.notifier.notify(incident.id, reported)).toEqual(['sent']);
  expect(t.calls().map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history', 'chat.update']);
  expect(t.slack.messages('C2CRASH')).toHaveLength(1);
  expect((await t.log.thread(incident.id, channelKey(slackChannel('C2CRASH'))))?.ts).toBe(t.slack.messages('C2CRASH')[0]!.ts);
  // And later events update that message.
  await t.incidents.acknowledge(caller('cisa'), incident.id, {});
  await t.notifier.notify(incident.id, await t.lastEvent(incident.id));
  expect(t.calls('chat.postMessage')).toHaveLength(1);
});

it('a crash after a reply was posted and before it was recorded finds the reply rather than posting it again', async () => {
  const t = setup({ cisa: [slackChannel('C3REPLY')] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'DDoS on the portal', severity: 'low', category: 'ddos', tlp: 'CLEAR' });
  await t.drain(incident.id);
  await t.incidents.addNote(caller('cisa'), incident.id, 'Upstream filtering on');
  const note = await t.lastEvent(incident.id);
  const finish = t.log.finish.bind(t.log);
  t.log.finish = async () => {
    t.log.finish = finish;
    throw new Error('crash before the outcome was written');
  };
  await expect(t.notifier.notify(incident.id, note)).rejects.toThrow('crash before the outcome');
  expect(await t.notifier.notify(incident.id, note)).toEqual(['sent']);
  expect(t.slack.messages('C3REPLY').filter((m) => m.thread_ts)).toHaveLength(1);
  expect(t.calls('conversations.replies')).toHaveLength(1);
});

it('Slack\'s 429 is waited out for exactly its Retry-After, then the message goes once', async () => {
  const t = setup({ cisa: [slackChannel('CLIMITED1')] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Rate limited', severity: 'low', category: 'other', tlp: 'GREEN' });
  expect(await t.drain(incident.id)).toEqual(['sent']);
  expect(t.pauses).toEqual([[1, 1]]);
  expect(t.calls('chat.postMessage')).toHaveLength(2);
  expect(t.slack.messages('CLIMITED1')).toHaveLength(1);
});

it('a Teams webhook answering 429 and 500 is retried with its Retry-After; a vanished one (404) is reported and not retried', async () => {
  const t = setup({ cisa: [{ kind: 'teams', webhookUrl: teamsServer.url }] });
  teamsServer.answers.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503 });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Teams retries', severity: 'low', category: 'other', tlp: 'GREEN' });
  expect(await t.drain(incident.id)).toEqual(['sent']);
  expect(t.pauses).toEqual([[1, 2], [2, undefined]]);
  expect(teamsServer.received).toHaveLength(1);
  teamsServer.answers.push({ status: 404 });
  await t.incidents.addNote(caller('cisa'), incident.id, 'gone');
  expect(await t.notifier.notify(incident.id, await t.lastEvent(incident.id))).toEqual(['failed']);
  expect(t.repository.audit.entries.filter((e) => e.action === 'chat.undeliverable')).toHaveLength(1);
});

it('channel_not_found and not_in_channel are reported to the organization\'s admins, not retried by the stream, and replayable', async () => {
  const t = setup({ cisa: [slackChannel('CNOTFOUND1'), slackChannel('CNOTIN1')] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Nowhere to post', severity: 'low', category: 'other', tlp: 'AMBER+STRICT' });
  expect(await t.drain(incident.id)).toEqual(['failed', 'failed']);
  const reports = t.repository.audit.entries.filter((e) => e.action === 'chat.undeliverable');
  expect(reports.map((r) => ({ org: r.actor.orgId, outcome: r.outcome, incidentId: r.incidentId, tlp: r.tlp }))).toEqual([
    { org: 'cisa', outcome: 'denied', incidentId: incident.id, tlp: 'AMBER+STRICT' },
    { org: 'cisa', outcome: 'denied', incidentId: incident.id, tlp: 'AMBER+STRICT' },
  ]);
  expect(reports.map((r) => r.detail).join(' ')).toMatch(/channel_not_found.*not_in_channel|not_in_channel.*channel_not_found/);
  const tried = t.slack.calls.length;
  expect(await t.drain(incident.id)).toEqual(['skipped', 'skipped']);
  expect(t.slack.calls.length).toBe(tried);
  expect(t.pauses).toEqual([]);
  // An admin fixes the channel, then replays: tried again, once.
  expect(await t.notifier.replayFailed()).toEqual({ replayed: 0, failed: 2 });
  expect(t.slack.calls.length).toBe(tried + 2);
});

it('a label turned RED turns the channel\'s message into the fixed line; later events leave it alone', async () => {
  const t = setup({ cisa: [slackChannel('C4TURNRED'), { kind: 'teams', webhookUrl: teamsServer.url }] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Insider selling access', severity: 'critical', category: 'intrusion', tlp: 'AMBER' });
  await t.drain(incident.id);
  await t.incidents.edit(caller('cisa'), incident.id, { tlp: 'RED' });
  await t.incidents.addNote(caller('cisa'), incident.id, 'Named suspect: J. Doe');
  await t.drain(incident.id, 2);
  const message = t.slack.messages('C4TURNRED')[0]!;
  expect(message.text).toBe(`A TLP:RED incident needs CISA: open Concord ${BASE}/app#/incidents/${incident.id}`);
  expect(JSON.stringify(message)).not.toContain('Insider');
  expect(t.slack.messages('C4TURNRED')).toHaveLength(1);
  expect(t.calls('chat.update')).toHaveLength(1);
  expect(JSON.stringify(teamsServer.received.at(-1))).toContain('A TLP:RED incident needs CISA: open Concord');
  expect(JSON.stringify(teamsServer.received)).not.toContain('J. Doe');
});

describe('RED never reaches a chat service but as its fixed line and link', () => {
  type Step = 'ack' | 'note' | 'update' | 'assign' | 'invite' | 'edit' | 'resolve' | 'reopen';
  const steps = fc.array(fc.constantFrom<Step>('ack', 'note', 'update', 'assign', 'invite', 'edit', 'resolve', 'reopen'), { minLength: 1, maxLength: 8 });
  const token = fc.stringMatching(/^[a-z]{12}$/);

  it('over any sequence of commands, every call and card carries nothing of the incident', async () => {
    await fc.assert(fc.asyncProperty(steps, token, async (sequence, secret) => {
      const t = setup({ cisa: [slackChannel('C5RED'), { kind: 'teams', webhookUrl: teamsServer.url }], fbi: [slackChannel('C5REDFBI', 'T0002')], google: [slackChannel('C5REDGOOGLE')] });
      const { incident } = await t.incidents.report(caller('cisa'), {
        title: `title ${secret}`, description: `description ${secret}`, severity: 'critical', category: 'intrusion', tlp: 'RED', participants: ['fbi'],
        dedupKey: `dedup-${secret}`, source: `source-${secret}`, details: { d: `details ${secret}` },
      });
      for (const step of sequence) {
        const id = incident.id;
        const run: Record<Step, () => Promise<unknown>> = {
          ack: () => t.incidents.acknowledge(caller('fbi'), id, { by: `person ${secret}`, note: `note ${secret}` }),
          note: () => t.incidents.addNote(caller('fbi'), id, `note ${secret}`),
          update: () => t.incidents.postUpdate(caller('cisa'), id, { summary: `summary ${secret}` }),
          assign: () => t.incidents.assign(caller('cisa'), id, { orgId: 'fbi', responder: `responder ${secret}` }),
          invite: () => t.incidents.invite(caller('cisa'), id, { orgIds: ['google'], note: `invite ${secret}` }),
          edit: () => t.incidents.edit(caller('cisa'), id, { title: `new title ${secret}`, severity: 'low' }),
          resolve: () => t.incidents.resolve(caller('cisa'), id, `resolution ${secret}`),
          reopen: () => t.incidents.reopen(caller('cisa'), id, `reason ${secret}`),
        };
        await run[step]().catch(() => undefined);
      }
      await t.drain(incident.id);
      const sent = JSON.stringify([t.slack.calls, teamsServer.received]);
      expect(sent).not.toContain(secret);
      for (const name of ['CISA', 'FBI', 'GOOGLE']) expect(sent.replace(new RegExp(`A TLP:RED incident needs ${name}: `, 'g'), '')).not.toContain(`needs ${name}`);
      // Every text Slack was given is the fixed line (with the link); every card body is the fixed line.
      for (const call of t.slack.calls.filter((c) => c.method !== 'conversations.history' && c.method !== 'conversations.replies')) {
        expect(String(call.body.text)).toMatch(new RegExp(`^A TLP:RED incident needs (CISA|FBI|GOOGLE): open Concord ${BASE.replace(/\./g, '\\.')}/app#/incidents/${incident.id}$`));
        expect(call.body.thread_ts).toBeUndefined();
      }
      for (const card of teamsServer.received) {
        expect(card.attachments[0].content.body.map((b: { text: string }) => b.text)).toEqual(['A TLP:RED incident needs CISA: open Concord']);
      }
    }), { numRuns: 25 });
  });
});

it('a Slack secret that cannot be read is tried again, then recorded failed for a replay — the stream does not retry it for ever', async () => {
  const t = setup();
  const sender = makeChatSender({ credentials: async () => { throw Object.assign(new Error('not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }); }, slackApiUrl: slackServer.apiUrl });
  const notifier = makeChatNotifier({ repository: t.repository, directory: t.directory, log: t.log, sender, audit: t.repository.audit, clock: t.clock, baseUrl: BASE, ackLink: async () => '', pause: async () => {} });
  t.directory.organizations.get('cisa')!.chat = { channels: [slackChannel('C6SECRET')] };
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'No secret', severity: 'low', category: 'other', tlp: 'GREEN' });
  expect(await notifier.notify(incident.id, await t.lastEvent(incident.id))).toEqual(['failed']);
  expect(t.slack.calls).toEqual([]);
  expect([...t.log.deliveries.values()].map((d) => d.error)).toEqual(['the Slack secret of cisa could not be read']);
  expect(JSON.stringify(t.repository.audit.entries)).not.toContain('GetSecretValue');
});

it('a delivery another run holds sends the stream record back for a later try (a replay leaves it to that run); once free, it goes once', async () => {
  const t = setup({ cisa: [slackChannel('C7HELD')] });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Held', severity: 'low', category: 'other', tlp: 'GREEN' });
  const reported = await t.lastEvent(incident.id);
  const d = { incidentId: incident.id, seq: reported.seq, orgId: 'cisa', channel: channelKey(slackChannel('C7HELD')) };
  expect(await t.log.claim(d, 'another run', t.clock.now(), 120_000, false)).toEqual({ attempts: 0 });
  await expect(t.notifier.notify(incident.id, reported)).rejects.toThrow('held by another run');
  expect(await t.notifier.replayFailed()).toEqual({ replayed: 0, failed: 0 });
  expect(t.slack.calls).toEqual([]);
  t.clock.advance(121);
  expect(await t.notifier.notify(incident.id, reported)).toEqual(['sent']);
  expect(t.slack.messages('C7HELD')).toHaveLength(1);
});

it('Retry-After waits add up to at most 20 s per delivery; past that it is recorded failed for a replay, not waited out inside the function', async () => {
  const t = setup({ cisa: [{ kind: 'teams', webhookUrl: teamsServer.url }] });
  teamsServer.answers.push({ status: 429, headers: { 'retry-after': '15' } }, { status: 429, headers: { 'retry-after': '15' } });
  const { incident } = await t.incidents.report(caller('cisa'), { title: 'Long waits', severity: 'low', category: 'other', tlp: 'GREEN' });
  expect(await t.drain(incident.id)).toEqual(['failed']);
  expect(t.pauses).toEqual([[1, 15]]);
  expect([...t.log.deliveries.values()][0]!.error).toContain('recorded for a replay');
  expect(await t.notifier.replayFailed()).toEqual({ replayed: 1, failed: 0 });
  expect(teamsServer.received).toHaveLength(1);
});

it('gives up on a channel that keeps timing out within the delivery\'s budget, recorded for a replay (red team: a hanging Teams webhook held every page behind it 41 s)', async () => {
  const t = setup({ cisa: [{ kind: 'teams', webhookUrl: 'https://hangs.example/webhook' }] });
  const { ChatError } = await import('../../lambdas/domain/chat');
  const hanging = { ...makeChatSender({ credentials: async () => null }), teamsPost: async () => { posts++; t.clock.advance(10); throw new ChatError('the Teams webhook could not be reached', 'retry'); } };
  let posts = 0;
  const notifier = makeChatNotifier({
    repository: t.repository, directory: t.directory, log: t.log, sender: hanging, audit: t.repository.audit, clock: t.clock, baseUrl: BASE,
    ackLink: async (id, org) => `${BASE}/v1/ack/${id}.${org}`, pause: async () => {},
  });
  const { incident } = await t.incidents.report(caller('facebook'), { title: 'x', severity: 'high', category: 'ransomware', tlp: 'AMBER', participants: ['cisa'] });
  const outcomes = await notifier.notify(incident.id, (await t.repository.timeline(incident.id, { limit: 1 })).events[0]!);
  expect(outcomes).toEqual(['failed']);
  // 10 s a try, 20 s a delivery: two tries, not four.
  expect(posts).toBe(2);
});

it('#27: events posted at the same time read their organizations together, each read made after the events it answers asked: a channel removed before an event asked gets nothing of it', async () => {
  const t = setup({ cisa: [slackChannel('C0GATHERED')] });
  const reports: string[] = [];
  for (const title of ['First', 'Second', 'Third']) reports.push((await t.incidents.report(caller('facebook'), { title, severity: 'high', category: 'ransomware', tlp: 'AMBER', participants: ['cisa'] })).incident.id);
  const reported = async (id: string) => (await t.repository.timeline(id, { limit: 1 })).events[0]!;
  const events = await Promise.all(reports.map(reported));
  const read = t.directory.getOrganizations.bind(t.directory);
  const asked: string[][] = [];
  t.directory.getOrganizations = async (ids) => { asked.push([...ids]); const found = await read(ids); await new Promise((r) => setTimeout(r, 20)); return found; };
  const first = t.notifier.notify(reports[0]!, events[0]!);
  await new Promise((r) => setTimeout(r, 5));
  // CISA takes its channel away while the first read is under way; the other events ask after that.
  delete t.directory.organizations.get('cisa')!.chat;
  const rest = [1, 2].map((i) => t.notifier.notify(reports[i]!, events[i]!));
  expect(await first).toEqual(['sent']);
  expect(await Promise.all(rest)).toEqual([[], []]);
  expect(asked).toEqual([['facebook', 'cisa'], ['facebook', 'cisa']]);
  expect(t.slack.messages('C0GATHERED')).toHaveLength(1);
});

it('#27: events posted at the same time read their incidents together, each read made after the events it answers asked: an incident raised to RED before its event asked gets the fixed line', async () => {
  const t = setup({ cisa: [slackChannel('C0GATHEREDRED')] });
  const ids: string[] = [];
  for (const title of ['First', 'Second', 'Third']) ids.push((await t.incidents.report(caller('facebook'), { title, severity: 'high', category: 'ransomware', tlp: 'AMBER', participants: ['cisa'] })).incident.id);
  const events = await Promise.all(ids.map(async (id) => (await t.repository.timeline(id, { limit: 1 })).events[0]!));
  const get = t.repository.get.bind(t.repository);
  const getRecords = t.repository.getRecords.bind(t.repository);
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  const reads: string[][] = [];
  t.repository.get = async (id) => { if (id === ids[0]) await held; return get(id); };
  t.repository.getRecords = (many) => { reads.push([...many]); return getRecords(many); };
  const first = t.notifier.notify(ids[0]!, events[0]!);
  await t.incidents.edit(caller('facebook'), ids[2]!, { tlp: 'RED' });
  const rest = Promise.all([1, 2].map((i) => t.notifier.notify(ids[i]!, events[i]!)));
  release();
  expect([await first, ...await rest]).toEqual([['sent'], ['sent'], ['sent']]);
  expect(reads).toEqual([[ids[1], ids[2]]]);
  const posted = JSON.stringify(t.slack.messages('C0GATHEREDRED'));
  expect(posted).toContain('Second');
  expect(posted).not.toContain('Third');
});
