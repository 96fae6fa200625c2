/**
 * The chat messages: Slack's Block Kit stays inside Slack's documented limits (50 blocks a message,
 * 3,000 characters of section text, 2,000 per field and context element, 255 per button value, 75
 * per button text) for the largest incident the API accepts, with the worst characters for
 * escaping; Teams cards are Adaptive Cards 1.4 that Microsoft's own library parses and validates
 * without a single complaint, for every event type; a RED incident's messages are its fixed line
 * and link only.
 */
import { EVENT_TYPES, type Incident, type TimelineEvent } from '../../lambdas/domain/incident';
import { CHAT_EVENTS, chatView, redLine, type FullView } from '../../lambdas/domain/chat';
import { LIMITS, TLP_COLOURS, incidentMessage, redMessage, replyMessage, type SlackMessage } from '../../lambdas/integrations/slack';
import { CARD_VERSION, teamsCard, teamsMessage } from '../../lambdas/integrations/teams';
import { MAX_PARTICIPANTS } from '../../lambdas/http/schemas';
import { cardProblems } from '../support/chat';

const BASE = 'https://abcdefghij.execute-api.us-gov-west-1.amazonaws.com/production';
const ID = 'inc_01JD3Z9Q6E1T3V0M5ZK8Y2N7QF';
const worst = (n: number) => '&<>'.repeat(Math.ceil(n / 3)).slice(0, n);
const orgIds = Array.from({ length: MAX_PARTICIPANTS }, (_, i) => `org-${String(i).padStart(2, '0')}-${'x'.repeat(33)}`);

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: ID, title: worst(200), description: worst(10000), severity: 'critical', category: 'ransomware', tlp: 'AMBER+STRICT', status: 'assigned',
    reporter: { orgId: orgIds[0]!, source: worst(200) }, participants: orgIds,
    acknowledgements: orgIds.map((orgId) => ({ orgId, by: worst(200), via: 'api' as const, at: '2026-11-25T14:03:07.123Z' })),
    assignee: { orgId: orgIds[1]!, responder: worst(200) }, dedupKey: worst(255), links: [], details: { secret: worst(1000) },
    reportedAt: '2026-11-25T14:03:07.123Z', acknowledgedAt: '2026-11-25T14:03:07.123Z', assignedAt: '2026-11-25T14:03:07.123Z', resolvedAt: null, resolution: null,
    related: [], observables: [], lastUpdate: null, nextUpdateDueAt: null, version: 120, ...over,
  };
}

const DATA: Record<string, Record<string, unknown>> = {
  note: { text: worst(5000) },
  status_update: { summary: worst(2000), phase: 'monitoring' },
  resolved: { resolution: worst(5000) },
  reopened: { reason: worst(5000) },
  assigned: { assignee: { orgId: orgIds[1], responder: worst(200) } },
  participants_added: { orgIds: orgIds.slice(1) },
  updated: { changes: { title: { from: worst(200), to: worst(200) } } },
};
const event = (type: string): TimelineEvent => ({ seq: 9_999_999, type: type as TimelineEvent['type'], at: '2026-11-25T14:03:07.123Z', actor: { orgId: orgIds[2]!, by: worst(200), via: 'api' }, data: DATA[type] ?? {} });
const ackUrl = `${BASE}/v1/ack/${'t'.repeat(400)}`;
const full = (type: string, over: Partial<Incident> = {}) => chatView({ incident: incident(over), ackCode: '12345678', event: event(type), orgName: worst(200), baseUrl: BASE, ackUrl }) as FullView;

/** Every Block Kit limit Slack documents for what Concord sends; the problems found (none for a good message). */
function slackProblems(m: SlackMessage): string[] {
  const problems: string[] = [];
  const blocks = [...(m.blocks ?? []), ...(m.attachments ?? []).flatMap((a) => a.blocks)] as any[];
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  if (m.text.length > LIMITS.sectionText) problems.push(`text ${m.text.length}`);
  for (const b of blocks) {
    if (b.text && b.text.text.length > LIMITS.sectionText) problems.push(`${b.type} text ${b.text.text.length}`);
    if (b.fields && b.fields.length > LIMITS.fields) problems.push(`${b.fields.length} fields`);
    for (const f of b.fields ?? []) if (f.text.length > LIMITS.field) problems.push(`field ${f.text.length}`);
    if (b.type === 'context') for (const e of b.elements) if (e.text.length > LIMITS.contextText) problems.push(`context ${e.text.length}`);
    if (b.type === 'actions') {
      for (const e of b.elements) {
        if (e.value !== undefined && e.value.length > LIMITS.buttonValue) problems.push(`button value ${e.value.length}`);
        if (e.text.text.length > LIMITS.buttonText) problems.push(`button text ${e.text.text.length}`);
        if (e.url !== undefined && e.url.length > LIMITS.url) problems.push(`button url ${e.url.length}`);
      }
    }
    if (b.text && b.text.text.length === 0) problems.push(`${b.type} with empty text`);
  }
  // Escaping: no raw `<` or `>` that is not one of Concord's own links.
  // The top-level text and the attachments' fallback too: Slack shows them in notifications (red team).
  const texts = [m.text, ...(m.attachments ?? []).map((a) => a.fallback), ...blocks.flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f: any) => f.text), ...(b.elements ?? []).map((e: any) => e.text?.text ?? e.text)])].filter((t) => typeof t === 'string');
  for (const t of texts) if (/<(?!https:\/\/)[^>]*>|&(?!amp;|lt;|gt;)/.test(t.replace(/<https:\/\/[^|>]+\|[^>]*>/g, ''))) problems.push(`unescaped mrkdwn in ${t.slice(0, 40)}`);
  return problems;
}

it('the incident message of the largest incident, worst characters everywhere, is inside every Block Kit limit', () => {
  for (const type of CHAT_EVENTS) {
    const message = incidentMessage(full(type));
    expect(slackProblems(message)).toEqual([]);
    expect(message.attachments![0]!.color).toBe(TLP_COLOURS['AMBER+STRICT']);
  }
});

it('carries severity, the TLP label and its colour, the title, status, participants and both buttons; no Acknowledge once resolved', () => {
  const view = chatView({ incident: incident({ title: 'Ransomware at the county clerk', tlp: 'GREEN', participants: ['fbi', 'cisa'], acknowledgements: [{ orgId: 'cisa', by: 'x', via: 'api', at: '2026-11-25T14:03:07.123Z' }], status: 'acknowledged' }), ackCode: '4821', event: event('acknowledged'), orgName: 'CISA', baseUrl: BASE }) as FullView;
  const message = incidentMessage(view);
  const json = JSON.stringify(message);
  for (const part of ['critical', 'TLP:GREEN', 'Ransomware at the county clerk', 'Acknowledged', 'fbi, cisa :white_check_mark:', '"Acknowledge"', '"Open in Concord"', `${BASE}/app#/incidents/${ID}`, '/concord ack 4821']) expect(json).toContain(part);
  expect(message.attachments![0]!.color).toBe('#33FF00');
  const resolved = incidentMessage(chatView({ incident: incident({ status: 'resolved' }), ackCode: '4821', event: event('resolved'), orgName: 'CISA', baseUrl: BASE }) as FullView);
  expect(JSON.stringify(resolved)).not.toContain('"Acknowledge"');
  expect(JSON.stringify(resolved)).not.toContain('/concord ack');
});

it('thread replies (notes of 5,000 characters, status updates) are cut to one section of at most 3,000', () => {
  for (const type of ['note', 'status_update']) {
    const reply = replyMessage(full(type));
    expect(slackProblems(reply)).toEqual([]);
    expect((reply.blocks![0] as any).text.text.endsWith('…')).toBe(true);
  }
});

it('the Teams card of every event type of the largest incident is an Adaptive Card 1.4 that Microsoft\'s library parses and validates without a complaint', () => {
  for (const type of CHAT_EVENTS) {
    const card = teamsCard(full(type));
    expect(card.version).toBe(CARD_VERSION);
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('"Open in Concord"');
    expect(JSON.stringify(card)).toContain(ackUrl);
  }
  const message = teamsMessage(full('reported'));
  expect(message.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
});

it('a RED incident, for every event type there is, is the fixed line and the link in both services, and nothing else', () => {
  const secrets = ['Ransomware at the county clerk', 'description-token', 'source-token', 'dedup-token', 'detail-token', 'responder-token', 'note-token', 'fbi-secret-partner', '12345678'];
  for (const type of EVENT_TYPES) {
    const view = chatView({
      incident: incident({ tlp: 'RED', title: secrets[0]!, description: secrets[1]!, reporter: { orgId: 'cisa', source: secrets[2]! }, dedupKey: secrets[3]!, details: { x: secrets[4]! }, assignee: { orgId: 'cisa', responder: secrets[5]! }, participants: ['cisa', secrets[7]!] }),
      ackCode: secrets[8]!, event: { ...event(type), data: { text: secrets[6], summary: secrets[6] } }, orgName: 'CISA', baseUrl: BASE, ackUrl,
    });
    expect(view).toEqual({ kind: 'red', text: redLine('CISA'), url: `${BASE}/app#/incidents/${ID}` });
    const slack = redMessage(view as never);
    const card = teamsCard(view);
    const sent = JSON.stringify([slack, card]);
    for (const s of [...secrets, ackUrl]) expect(sent).not.toContain(s);
    expect(slack.text).toBe(`A TLP:RED incident needs CISA: open Concord ${BASE}/app#/incidents/${ID}`);
    expect((slack.attachments![0]!.blocks[0] as any).text.text).toBe(`A TLP:RED incident needs CISA: <${BASE}/app#/incidents/${ID}|open Concord>`);
    expect(card.body).toEqual([expect.objectContaining({ type: 'TextBlock', text: 'A TLP:RED incident needs CISA: open Concord' })]);
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open Concord', url: `${BASE}/app#/incidents/${ID}` }]);
    expect(cardProblems(card)).toEqual([]);
  }
});

it('the limit check itself finds what breaks a limit (so the tests above can fail)', () => {
  const bad: SlackMessage = {
    text: 'x'.repeat(3001),
    blocks: [
      ...Array.from({ length: 50 }, () => ({ type: 'divider' })),
      { type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'z'.repeat(2001) }] },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, value: 'v'.repeat(256) }] },
      { type: 'section', text: { type: 'mrkdwn', text: 'a <!channel> & b' } },
    ],
  };
  expect(slackProblems(bad)).toEqual(['54 blocks', 'text 3001', 'section text 3001', 'context 2001', 'button value 256', 'button text 76', 'unescaped mrkdwn in a <!channel> & b']);
});
