/**
 * Links name other incidents (red team, #23): a reader who may see this incident but not the one
 * it links to learns nothing of that one — not from `related`, the `linked`/`unlinked` events, nor
 * the "Duplicate of …" resolution a duplicate link writes (in the incident and its `resolved` event).
 */
import type { Caller } from '../../lambdas/domain/actor';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeNotifier } from '../../lambdas/domain/notifications';
import { render } from '../../lambdas/adapters/sns/messages';
import type { NotificationPublisher, PublishContext, RenderedMessage } from '../../lambdas/domain/ports';
import { ulidGenerator } from '../../lambdas/shared/ids';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: `k-${orgId}` });

function world() {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['fbi', 'google', 'cisa']) directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [], createdAt: '', updatedAt: '' });
  const clock = new ManualClock();
  return makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
}

class RecordingPublisher implements NotificationPublisher {
  readonly sent: Array<{ orgId: string; context: PublishContext; message: RenderedMessage }> = [];
  async publish(orgId: string, message: RenderedMessage, context: PublishContext) { this.sent.push({ orgId, context, message }); return `m-${this.sent.length}`; }
  async sendSms() {}
}

/**
 * fbi's GREEN incident (google takes part) linked as a duplicate of fbi's own `tlp` one, with the
 * notifier publishing what `render` makes of each notice; every contact cleared for RED.
 */
async function duplicateOfHidden(tlp: 'RED' | 'AMBER+STRICT' | 'AMBER', renderWith: Parameters<typeof makeNotifier>[0]['render']) {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['fbi', 'google']) directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [{ id: 'duty', name: 'duty', email: `duty@${id}.example`, phone: null, red: true }], createdAt: '', updatedAt: '' });
  const clock = new ManualClock();
  const service = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const publisher = new RecordingPublisher();
  const notifier = makeNotifier({ incidents: service, repository, deliveries: repository, directory, publisher, clock, pause: async () => {}, render: renderWith, links: { link: async () => 'https://concord.example/ack' } });
  const green = (await service.report(partner('fbi'), { title: 'green', severity: 'high', category: 'misinformation', tlp: 'GREEN', participants: ['google'] })).incident;
  const hidden = (await service.report(partner('fbi'), { title: 'hidden', severity: 'high', category: 'misinformation', tlp, participants: [] })).incident;
  await service.link(partner('fbi'), green.id, { incidentId: hidden.id, relation: 'duplicate' });
  return { repository, service, publisher, notifier, green, hidden };
}

it.each(['RED', 'AMBER+STRICT', 'AMBER'] as const)('tells a participant that a duplicate was resolved without naming a %s incident it may not see', async (tlp) => {
  const { repository, publisher, notifier, green, hidden } = await duplicateOfHidden(tlp, (n) => ({ sms: JSON.stringify(n.event.data), email: { subject: n.event.type, body: JSON.stringify(n.event.data) }, default: 'd' }));
  const resolved = repository.events.get(green.id)!.find((e) => e.type === 'resolved')!;
  await notifier.notify(green.id, resolved);
  const to = (orgId: string) => JSON.stringify(publisher.sent.filter((m) => m.orgId === orgId).map((m) => m.message));
  expect(to('google')).toContain('Duplicate of another incident');
  expect(to('google')).not.toContain(hidden.id);
  expect(to('google')).toContain('resolved');
});

it.each(['RED', 'AMBER+STRICT', 'AMBER'] as const)('an HTTPS push carries the incident with its resolution as told: a duplicate of a %s incident is not named to a participant outside it (review 13)', async (tlp) => {
  // The real rendering: the push (`https`) is the incident and the event as JSON.
  const { repository, service, publisher, notifier, green, hidden } = await duplicateOfHidden(tlp, render);
  // The resolution, and notes on the resolved incident after it: each push carries the incident.
  await service.addNote(partner('fbi'), green.id, 'closing remarks');
  await service.addNote(partner('google'), green.id, 'thanks');
  for (const e of repository.events.get(green.id)!.filter((x) => x.type === 'resolved' || x.type === 'note')) await notifier.notify(green.id, e);
  const pushes = publisher.sent.filter((m) => m.orgId === 'google').map((m) => JSON.parse(m.message.https!));
  expect(pushes.map((p) => p.event.type)).toEqual(['resolved', 'note']); // google's own note is not sent to it
  for (const p of pushes) expect(p.incident.resolution).toBe('Duplicate of another incident');
  expect(JSON.stringify(publisher.sent.filter((m) => m.orgId === 'google'))).not.toContain(hidden.id);
  // A participant of both is told the incident it is a duplicate of (google's note reaches fbi).
  const own = publisher.sent.filter((m) => m.orgId === 'fbi').map((m) => JSON.parse(m.message.https!));
  expect(own.map((p) => p.event.data.text)).toEqual(['thanks']);
  for (const p of own) expect(p.incident.resolution).toBe(`Duplicate of ${hidden.id}`);
});

it.each(['RED', 'AMBER+STRICT', 'AMBER'] as const)('a GREEN incident linked to a %s one tells the community nothing of it; its participants see it all', async (tlp) => {
  const service = world();
  const green = (await service.report(partner('fbi'), { title: 'green', severity: 'high', category: 'misinformation', tlp: 'GREEN', participants: [] })).incident;
  const hidden = (await service.report(partner('fbi'), { title: 'hidden', severity: 'high', category: 'misinformation', tlp, participants: [] })).incident;
  const other = (await service.report(partner('fbi'), { title: 'other', severity: 'high', category: 'misinformation', tlp: 'GREEN', participants: [] })).incident;
  await service.link(partner('fbi'), other.id, { incidentId: hidden.id, relation: 'related' });
  await service.unlink(partner('fbi'), other.id, hidden.id);
  await service.link(partner('fbi'), green.id, { incidentId: hidden.id, relation: 'duplicate' });
  const seenBy = async (orgId: string) => JSON.stringify([
    await service.get(partner(orgId), green.id), await service.timeline(partner(orgId), green.id),
    await service.get(partner(orgId), other.id), await service.timeline(partner(orgId), other.id),
    (await service.list(partner(orgId), { scope: 'community', limit: 100 })).items,
  ]);
  expect(await seenBy('google')).not.toContain(hidden.id);
  expect((await service.get(partner('google'), green.id)).status).toBe('resolved');
  expect(await seenBy('fbi')).toContain(`Duplicate of ${hidden.id}`);
});

it('shows who was paged (contacts, level, round) to the incident\'s participants only, not to the community reading a GREEN incident (red team)', async () => {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of ['fbi', 'google', 'cisa']) directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [{ id: 'duty', name: 'duty', email: `duty@${id}.example`, phone: null }], createdAt: '', updatedAt: '' });
  const clock = new ManualClock();
  const service = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const notifier = makeNotifier({
    incidents: service, repository, deliveries: repository, directory, publisher: new RecordingPublisher(), clock, pause: async () => {},
    render: () => ({ sms: 's', email: { subject: 's', body: 'b' }, default: 'd' }),
    links: { link: async () => 'https://concord.example/ack' },
  });
  const green = (await service.report(partner('fbi'), { title: 'green', severity: 'high', category: 'misinformation', tlp: 'GREEN', participants: ['google'] })).incident;
  await notifier.notify(green.id, repository.events.get(green.id)![0]!);
  const notices = async (orgId: string) => (await service.timeline(partner(orgId), green.id)).events.filter((e) => e.type === 'notified');
  expect((await notices('google')).some((e) => Array.isArray(e.data.contacts))).toBe(true);
  const outside = await notices('cisa');
  expect(outside.length).toBeGreaterThan(0);
  for (const e of outside) {
    expect(e.data).not.toHaveProperty('contacts');
    expect(e.data).not.toHaveProperty('level');
    expect(e.data).not.toHaveProperty('round');
  }
});
