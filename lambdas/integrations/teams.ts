/**
 * Microsoft Teams' edge: one Adaptive Card (schema 1.4, what Teams renders) per event, posted to
 * the channel's Workflows webhook ("When a Teams webhook request is received" → "Post card in a
 * chat or channel") as the message envelope those workflows take.
 */
import type { ChatView, FullView, RedView } from '../domain/chat';

export const CARD_VERSION = '1.4';

/** Adaptive Card text colours for each label (`attention` is Teams' red). */
const TLP_COLOUR = { RED: 'attention', 'AMBER+STRICT': 'warning', AMBER: 'warning', GREEN: 'good', CLEAR: 'default' } as const;

const EVENT_LABEL: Record<string, string> = {
  reported: 'Reported', acknowledged: 'Acknowledged', assigned: 'Assigned', resolved: 'Resolved', note: 'Note',
  participants_added: 'Participants added', reopened: 'Reopened', status_update: 'Status update', updated: 'Edited',
};

/** Text for a TextBlock: Adaptive Cards render a subset of Markdown, so its markers are escaped. */
const plain = (s: string, max: number) => {
  const escaped = s.replace(/([\\*_~`[\]()#>!|-])/g, '\\$1');
  return escaped.length <= max ? escaped : `${escaped.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
};

const card = (body: unknown[], actions: unknown[]) => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: CARD_VERSION,
  body,
  actions,
});

/** RED: the fixed line and the link. */
export function redCard(view: RedView) {
  return card(
    [{ type: 'TextBlock', text: view.text, wrap: true, weight: 'Bolder', color: TLP_COLOUR.RED }],
    [{ type: 'Action.OpenUrl', title: 'Open Concord', url: view.url }],
  );
}

export function incidentCard(view: FullView) {
  const facts = [
    { title: 'Severity', value: view.severity },
    { title: 'Status', value: view.status },
    { title: 'Participants', value: plain(view.participants.map((p) => (view.acknowledgedBy.includes(p) ? `${p} ✓` : p)).join(', '), 2000) },
    ...(view.ackCode ? [{ title: 'Code', value: view.ackCode }] : []),
  ];
  const what = `${EVENT_LABEL[view.event.type] ?? view.event.type} by ${view.event.by}`;
  return card([
    { type: 'TextBlock', text: `TLP:${view.tlp}`, weight: 'Bolder', color: TLP_COLOUR[view.tlp], size: 'Small' },
    { type: 'TextBlock', text: plain(view.title, 400), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'FactSet', facts },
    { type: 'TextBlock', text: plain(what, 400), isSubtle: true, wrap: true },
    ...(view.event.text ? [{ type: 'TextBlock', text: plain(view.event.text, 5000), wrap: true }] : []),
  ], [
    { type: 'Action.OpenUrl', title: 'Open in Concord', url: view.url },
    ...(view.ackUrl ? [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: view.ackUrl }] : []),
  ]);
}

export const teamsCard = (view: ChatView) => (view.kind === 'red' ? redCard(view) : incidentCard(view));

/** What a Workflows webhook takes: a message with the card as its one attachment. */
export const teamsMessage = (view: ChatView) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: teamsCard(view) }],
});
