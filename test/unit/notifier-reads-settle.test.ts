/**
 * A notice reads its organizations (and their escalation policies) while it claims the
 * deliveries. Whatever the claims answer — refused by the store, or nothing to claim — those reads
 * have settled before the notice answers: nothing is left reading after it (a Lambda is frozen
 * then, and its next invocation would find the requests still in flight). Over in-memory fakes.
 */
import type { Caller } from '../../lambdas/domain/actor';
import type { ClaimOutcome, NotificationPublisher } from '../../lambdas/domain/ports';
import { notifierOverFakes } from '../support/notifier-fakes';

function setup(claims: () => Promise<Map<string, ClaimOutcome>>) {
  const publisher = { publish: async () => 'msg', sendSms: async () => undefined } as unknown as NotificationPublisher;
  const fakes = notifierOverFakes(['org-00', 'org-01'], publisher);
  // The organizations' read answers 30 ms after it is asked.
  const reads = { settled: 0 };
  const getOrganizations = fakes.directory.getOrganizations.bind(fakes.directory);
  fakes.directory.getOrganizations = async (ids) => {
    await new Promise((r) => setTimeout(r, 30));
    reads.settled++;
    return getOrganizations(ids);
  };
  return { ...fakes, reads, claims };
}

const reporter: Caller = { orgId: 'org-00', role: 'partner', keyId: 'k' };

async function reported(s: ReturnType<typeof setup>) {
  const { incident } = await s.incidents.report(reporter, { title: 't', severity: 'high', category: 'ddos', participants: ['org-00', 'org-01'] });
  s.repository.claimAll = s.claims;
  return { incident, event: (await s.repository.timeline(incident.id, { limit: 1 })).events[0]! };
}

it('claims refused by the store: the notice fails once the organizations\' read has answered', async () => {
  const s = setup(async () => { throw new Error('throttled'); });
  const { incident, event } = await reported(s);
  await expect(s.notifier.notify(incident.id, event)).rejects.toThrow('throttled');
  expect(s.reads.settled).toBe(1);
});

it('nothing to claim (every delivery recorded): the notice answers once the organizations\' read has answered', async () => {
  const s = setup(async () => new Map([['org-00', 'done'], ['org-01', 'done']]));
  const { incident, event } = await reported(s);
  expect(await s.notifier.notify(incident.id, event)).toEqual({ 'org-00': 'skipped', 'org-01': 'skipped' });
  expect(s.reads.settled).toBe(1);
});
