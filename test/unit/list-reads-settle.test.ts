/**
 * The lists that read several pages at once (a partner's own and the community's; a chat
 * channel's open incidents, by status) settle every read before they fail: nothing is left reading
 * after the answer (a Lambda is frozen then).
 */
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import type { ListQuery } from '../../lambdas/domain/ports';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

/** A repository whose first listing fails at once; every other answers 30 ms later, counted. */
function setup(fails: (query: ListQuery) => boolean) {
  const incidents = new MemoryIncidentRepository();
  const clock = new ManualClock();
  const service = makeIncidents({ incidents, directory: new MemoryDirectoryRepository(), audit: incidents.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const settled = { count: 0 };
  const list = incidents.list.bind(incidents);
  incidents.list = async (query) => {
    if (fails(query)) throw new Error('throttled');
    await new Promise((r) => setTimeout(r, 30));
    settled.count++;
    return list(query);
  };
  return { service, settled };
}

it('a partner\'s visible list: the community read failing fails it once its own read has answered', async () => {
  const { service, settled } = setup((q) => q.scope.kind === 'community');
  const fb: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
  await expect(service.list(fb, { limit: 10, scope: 'visible' })).rejects.toThrow('throttled');
  expect(settled.count).toBe(1);
});

it('a channel\'s open incidents: one status failing fails it once the other two have answered', async () => {
  const { service, settled } = setup((q) => q.status === 'reported');
  await expect(service.openFor('fbi', { by: 'U1', via: 'slack' }, 10)).rejects.toThrow('throttled');
  expect(settled.count).toBe(2);
});
