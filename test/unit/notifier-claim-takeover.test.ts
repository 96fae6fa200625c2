/**
 * Review of 34be3fb (#27): a delivery's record now ends its claim by an unconditional Delete in the
 * record's own transaction (incident-repository.ts commit; the memory fake does the same). Before,
 * a run let its claims go with a write conditioned on being their owner. Over in-memory fakes.
 */
import type { Caller } from '../../lambdas/domain/actor';
import { CLAIM_LEASE_MS, PublishError } from '../../lambdas/domain/notifications';
import type { NotificationPublisher } from '../../lambdas/domain/ports';
import { notifierOverFakes } from '../support/notifier-fakes';

/** A publisher whose every call waits until the test lets it succeed or fail for good. */
function gatedPublisher() {
  const calls: Array<{ orgId: string; settle: (ok: boolean) => void }> = [];
  const delivered: string[] = [];
  const publisher: NotificationPublisher = {
    publish: (orgId) => new Promise<string>((resolve, reject) => {
      calls.push({ orgId, settle: (ok) => { if (ok) { delivered.push(orgId); resolve(`msg-${delivered.length}`); } else reject(new PublishError('NotFoundException: Topic does not exist', false)); } });
    }),
    sendSms: async () => undefined,
  } as NotificationPublisher;
  return { publisher, calls, delivered };
}

const until = async (done: () => boolean) => { for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r)); };

function setup() {
  const gated = gatedPublisher();
  return { ...notifierOverFakes(['org-00', 'org-01'], gated.publisher), ...gated };
}

const reporter: Caller = { orgId: 'org-00', role: 'partner', keyId: 'k' };

// The record of a run whose lease ran out deleted the claim the run that took the delivery over
// held; a replay then found the delivery failed and unclaimed, claimed it and published it while
// the holder published it too: two messages for one (event, organization) (found in review of
// 34be3fb). A record now ends only its own run's claim: refused for that, it is recorded on the next
// try without ending any claim, and the run lets go only what is still its own.
it('a run whose lease ran out, recording its failed outcome, leaves the claim of the run that took the delivery over: a replay meanwhile publishes nothing', async () => {
  const { incidents, notifier, repository, clock, calls, delivered } = setup();
  const { incident } = await incidents.report(reporter, { title: 't', severity: 'high', category: 'ddos', participants: ['org-00', 'org-01'] });
  const event = (await repository.timeline(incident.id, { limit: 1 })).events[0]!;

  // Run A claims the deliveries (to org-00 and org-01) and stalls in its publishes past its lease.
  const a = notifier.notify(incident.id, event);
  await until(() => calls.length === 2);
  const n = calls.length;
  clock.advance(CLAIM_LEASE_MS / 1000 + 1);
  // The stream runs the record again (run B): the leases are out, B claims them and publishes.
  const b = notifier.notify(incident.id, event);
  await until(() => calls.length === 2 * n);
  expect(calls.length).toBe(2 * n);
  // A's publishes fail for good: A records notification_failed.
  for (const call of calls.slice(0, n)) call.settle(false);
  expect(await a).toEqual({ 'org-00': 'failed', 'org-01': 'failed' });
  // An admin replays failed deliveries while B still holds its claims.
  let replayDone = false;
  const replay = notifier.replayFailed().finally(() => { replayDone = true; });
  for (let i = 0; i < n && !replayDone; i++) {
    await until(() => replayDone || calls.length > 2 * n + i);
    calls[2 * n + i]?.settle(true);
  }
  await replay;
  for (const call of calls.slice(n, 2 * n)) call.settle(true);
  await b.catch(() => undefined);
  // B held the claims: only B may have published. At most one message reached each organization.
  expect(delivered.filter((o) => o === 'org-01')).toHaveLength(1);
  expect(delivered.filter((o) => o === 'org-00')).toHaveLength(1);
});
