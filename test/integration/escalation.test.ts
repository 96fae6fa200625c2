/** Escalation with an injected clock: once per level, to participants and managers, never past TLP. */
import type { Container } from '../../lambdas/wiring/incidents';
import { ManualClock } from '../support/memory-repositories';
import { FaultyPublisher } from '../support/faulty-publisher';
import { handler as notify } from '../../lambdas/handlers/notify-from-stream';
import { KEYS, report, startTestApi, type TestApi } from '../support/harness';
import { marshall } from '@aws-sdk/util-dynamodb';
import { eventItem } from '../../lambdas/adapters/dynamodb/incident-items';
import type { TimelineEvent } from '../../lambdas/domain/incident';

const clock = new ManualClock(Date.parse('2026-11-03T12:00:00.000Z'));
const publisher = new FaultyPublisher();
let api: TestApi;
let services: Container;
beforeAll(async () => {
  api = await startTestApi({ overrides: { clock, publisher, pause: async () => {} } });
  services = api.services;
});
afterAll(() => api.stop());

const timeline = async (id: string) => (await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${id}/timeline`)).body.events as TimelineEvent[];

async function notifyLast(id: string) {
  const events = await timeline(id);
  const last = events.at(-1)!;
  await notify({ Records: [{ eventName: 'INSERT', dynamodb: { NewImage: marshall(eventItem(id, last)) as never, SequenceNumber: '1' } }] });
  return last;
}

it('escalates an unacknowledged critical incident after 5 minutes, once per level, to participants and managers', async () => {
  const { body: incident } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity: 'critical', participants: ['fbi'] }));
  clock.advance(4 * 60 + 59);
  expect(await services.incidents.escalateDue()).toEqual([]);
  clock.advance(1);
  expect(await services.incidents.escalateDue()).toEqual([{ incidentId: incident.id, level: 1 }]);
  expect(await services.incidents.escalateDue()).toEqual([]);

  const escalated = await notifyLast(incident.id);
  expect(escalated).toMatchObject({ type: 'escalated', data: { level: 1, unacknowledgedSeconds: 300 } });
  const sent = publisher.sent.filter((s) => s.incidentId === incident.id);
  // Participants again, and the organizations holding manager keys (cisa, odni in the test directory).
  expect(sent.map((s) => s.orgId).sort()).toEqual(['cisa', 'facebook', 'fbi', 'odni']);
  expect(sent.every((s) => s.message.sms.startsWith('ESCALATED CRITICAL'))).toBe(true);
  expect((await api.call(KEYS.partner.facebook, 'GET', `/v1/incidents/${incident.id}`)).body.version).toBe(1);

  clock.advance(5 * 60);
  expect(await services.incidents.escalateDue()).toEqual([{ incidentId: incident.id, level: 2 }]);
});

it('never escalates a RED incident to managers outside it, and stops once acknowledged', async () => {
  publisher.sent.length = 0;
  const { body: red } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity: 'high', tlp: 'RED', participants: ['fbi'] }));
  const { body: acked } = await api.call(KEYS.partner.facebook, 'POST', '/v1/incidents', report({ severity: 'high', participants: ['fbi'] }));
  await api.call(KEYS.partner.fbi, 'POST', `/v1/incidents/${acked.id}/acknowledge`, {});
  clock.advance(15 * 60);
  const done = await services.incidents.escalateDue();
  expect(done.map((d) => d.incidentId)).toContain(red.id);
  expect(done.map((d) => d.incidentId)).not.toContain(acked.id);
  await notifyLast(red.id);
  expect(publisher.sent.filter((s) => s.incidentId === red.id).map((s) => s.orgId).sort()).toEqual(['facebook', 'fbi']);
});

it('stops after the last level', async () => {
  const { body: incident } = await api.call(KEYS.partner.google, 'POST', '/v1/incidents', report({ severity: 'low' }));
  const levels: number[] = [];
  for (let i = 0; i < 5; i++) {
    clock.advance(240 * 60);
    levels.push(...(await services.incidents.escalateDue()).filter((d) => d.incidentId === incident.id).map((d) => d.level));
  }
  expect(levels).toEqual([1, 2, 3]);
});

it('escalates every incident due in one run of the timer, past its batch of 100 (the bench found 1,000 due draining 100 a minute)', async () => {
  const { handler: escalate } = await import('../../lambdas/handlers/escalate-incidents');
  const ids: string[] = [];
  for (let i = 0; i < 130; i++) {
    ids.push((await services.incidents.report({ orgId: 'facebook', role: 'partner', keyId: 't' }, { title: `due ${i}`, severity: 'critical', category: 'misinformation', participants: ['fbi'] })).incident.id);
  }
  clock.advance(5 * 60);
  const run = await escalate();
  expect(run.escalated).toBeGreaterThanOrEqual(130);
  expect(await services.incidents.escalateDue()).toEqual([]);
}, 120_000);
