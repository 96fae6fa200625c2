/**
 * Re-aggregation: incidents whose changes no aggregator saw (as after the upgrade to per-scope
 * buckets) are folded into the buckets of their scopes; running it twice, or over a window that
 * overlaps, counts nothing twice; and each manager still gets only what `canSee` shows them.
 */
import { metrics as metricsService } from '../../lambdas/wiring/metrics';
import type { Caller } from '../../lambdas/domain/actor';
import { ManualClock } from '../support/memory-repositories';
import { KEYS, startTestApi, type TestApi } from '../support/harness';

const clock = new ManualClock(Date.parse('2026-05-04T10:00:00.000Z'));
let api: TestApi;
// No aggregator on the stream: the buckets stay empty until re-aggregated.
beforeAll(async () => { api = await startTestApi({ overrides: { clock } }); });
afterAll(() => api.stop());

const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 't' });
const DAY_FROM = '2026-05-04T00:00:00.000Z';
const DAY_TO = '2026-05-05T00:00:00.000Z';
const figures = async (key: string) => (await api.call(key, 'GET', `/v1/metrics?from=${DAY_FROM}&to=${DAY_TO}&groupBy=org`)).body;

it('folds existing incidents into their scopes once, and managers see only what canSee shows them', async () => {
  const { incidents } = api.services;
  const green = (await incidents.report(partner('facebook'), { title: 't', severity: 'high', category: 'ddos', tlp: 'GREEN', participants: ['fbi'] })).incident;
  clock.advance(60);
  await incidents.acknowledge(partner('fbi'), green.id, {});
  const red = (await incidents.report(partner('twitter'), { title: 't', severity: 'critical', category: 'ransomware', tlp: 'RED', participants: ['odni'] })).incident;
  clock.advance(120);
  await incidents.acknowledge(partner('odni'), red.id, {});
  clock.advance(600);
  await incidents.resolve(partner('twitter'), red.id, 'done');
  await incidents.report(partner('google'), { title: 't', severity: 'low', category: 'phishing', tlp: 'AMBER+STRICT', participants: ['cisa'] });
  clock.advance(2 * 86400);

  // Nothing aggregated yet: the buckets are empty.
  expect((await figures(KEYS.manager.cisa)).incidents.reported).toBe(0);

  const metrics = await metricsService();
  expect(await metrics.reaggregate('2026-05-01T00:00:00.000Z', '2026-05-06T00:00:00.000Z')).toBe(3);
  const once = { cisa: await figures(KEYS.manager.cisa), odni: await figures(KEYS.manager.odni) };
  expect(once.cisa.incidents).toEqual({ reported: 2, acknowledged: 1, resolved: 0, open: 2 });
  expect(once.cisa.timeToAcknowledge).toMatchObject({ count: 1, meanSeconds: 60, maxSeconds: 60 });
  expect(once.cisa.groups.find((g: any) => g.key === 'twitter').incidents.reported).toBe(0);
  expect(once.cisa.groups.find((g: any) => g.key === 'google').incidents.reported).toBe(1);
  expect(once.odni.incidents).toEqual({ reported: 2, acknowledged: 2, resolved: 1, open: 1 });
  expect(once.odni.timeToResolve).toMatchObject({ count: 1, meanSeconds: 720, maxSeconds: 720 });
  expect(once.odni.groups.find((g: any) => g.key === 'google').incidents.reported).toBe(0);

  // Again, and over an overlapping window: nothing counts twice.
  await metrics.reaggregate('2026-05-04T09:00:00.000Z', '2026-05-04T11:00:00.000Z');
  await metrics.reaggregate('2026-05-01T00:00:00.000Z', '2026-05-06T00:00:00.000Z');
  expect(await figures(KEYS.manager.cisa)).toEqual(once.cisa);
  expect(await figures(KEYS.manager.odni)).toEqual(once.odni);
}, 120_000);
