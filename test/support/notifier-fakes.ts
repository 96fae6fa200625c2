/**
 * A notifier over the in-memory fakes, as the notifier's unit tests use it: organizations with one
 * duty contact (an email) each, a fixed rendering, ack links that only look signed, no backoff.
 * A test changes a fake's methods on the returned objects (they are the ones the notifier calls).
 */
import { ulidGenerator } from '../../lambdas/shared/ids';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { makeNotifier } from '../../lambdas/domain/notifications';
import type { NotificationPublisher, RenderedMessage } from '../../lambdas/domain/ports';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from './memory-repositories';

export function notifierOverFakes(orgIds: readonly string[], publisher: NotificationPublisher) {
  const repository = new MemoryIncidentRepository();
  const directory = new MemoryDirectoryRepository();
  for (const id of orgIds) directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [{ id: 'duty', name: 'duty', email: `duty@${id}.example`, phone: null }], createdAt: '', updatedAt: '' });
  const clock = new ManualClock();
  const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
  const render = (): RenderedMessage => ({ sms: 's', email: { subject: 's', body: 'b' }, default: 'd' });
  const notifier = makeNotifier({
    incidents, repository, deliveries: repository, directory, publisher, render, clock, pause: async () => {},
    links: { link: async (id, org, contact) => `https://concord.example/v1/ack/${id}.${org}.${contact}` },
  });
  return { repository, directory, clock, incidents, notifier };
}
