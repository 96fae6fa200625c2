/**
 * PagerDuty's trigger as a Concord report (reportFromTrigger in integrations/pagerduty.ts), and the
 * Events API use case over the in-memory fakes: what the end-to-end tests cover through the
 * local server, here without it.
 */
import { ulidGenerator } from '../../lambdas/shared/ids';
import { JsonNumber, parseJsonLossless, stringifyJson } from '../../lambdas/shared/json';
import type { Caller } from '../../lambdas/domain/actor';
import { RateLimitedError, ValidationError } from '../../lambdas/domain/errors';
import { MAX_DETAILS_BYTES } from '../../lambdas/domain/incident';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { PagerDutyEvent, TITLE_MAX, makeEventsApi, reportFromTrigger, shortTitle, type PdEvent } from '../../lambdas/integrations/pagerduty';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';

type Trigger = Parameters<typeof reportFromTrigger>[0];
const trigger = (payload: Partial<Trigger['payload']> = {}, rest: Partial<PdEvent> = {}): Trigger =>
  ({ routing_key: 'rk', event_action: 'trigger', payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'error', ...payload }, ...rest }) as Trigger;

describe('reportFromTrigger', () => {
  it('maps the summary, source, class and each severity, with the routing key\'s defaults', () => {
    const mapped = (['critical', 'error', 'warning', 'info'] as const).map((severity) => reportFromTrigger(trigger({ severity }), 'dk', {}).severity);
    expect(mapped).toEqual(['critical', 'high', 'medium', 'low']);
    expect(reportFromTrigger(trigger({ class: 'ransomware' }, { links: [{ href: 'https://grafana.example/d/1', text: 'dashboard' }] }), 'dk', { tlp: 'GREEN', participants: ['cisa'] })).toEqual({
      title: 'Disk full on db-1', description: 'Disk full on db-1', severity: 'high', category: 'ransomware', tlp: 'GREEN', participants: ['cisa'],
      dedupKey: 'dk', source: 'db-1', links: [{ href: 'https://grafana.example/d/1', text: 'dashboard' }], details: { pagerduty: { class: 'ransomware' } },
    });
    expect(reportFromTrigger(trigger({ class: 'disk' }), 'dk', {}).category).toBe('other');
    expect(reportFromTrigger(trigger({ source: 's'.repeat(255) }), 'dk', {}).source).toBe('s'.repeat(200));
  });

  it('shortens a long summary to a title at a word boundary, keeping the whole summary as the description and in details', () => {
    const summary = `${'word '.repeat(60)}end`;
    const report = reportFromTrigger(trigger({ summary }), 'dk', {});
    expect(report.title.length).toBeLessThanOrEqual(TITLE_MAX);
    expect(report.title).toMatch(/word…$/);
    expect(report.description).toBe(summary);
    expect(report.details).toEqual({ pagerduty: { summary } });
    expect(shortTitle('a\n  b\tc')).toBe('a b c');
    expect(shortTitle('x'.repeat(300))).toBe(`${'x'.repeat(199)}…`);
  });

  it('keeps custom_details exactly as sent, wraps what is not an object, and files PagerDuty\'s own fields beside them', () => {
    const custom = parseJsonLossless('{"b":1,"a":12345678901234567890,"__proto__":{"x":1}}') as Record<string, unknown>;
    const kept = reportFromTrigger(trigger({ custom_details: custom, component: 'disk', timestamp: '2026-11-03T12:00:00+0000' }, { client: 'grafana' }), 'dk', {});
    expect(stringifyJson(kept.details)).toBe('{"b":1,"a":12345678901234567890,"__proto__":{"x":1},"pagerduty":{"timestamp":"2026-11-03T12:00:00+0000","component":"disk","client":"grafana"}}');
    expect(stringifyJson(reportFromTrigger(trigger({ custom_details: new JsonNumber('1e400') }), 'dk', {}).details)).toBe('{"custom_details":1e400}');
    expect(reportFromTrigger(trigger({ custom_details: ['a', 1] }), 'dk', {}).details).toEqual({ custom_details: ['a', 1] });
    expect(reportFromTrigger(trigger({ custom_details: null }), 'dk', {}).details).toEqual({ custom_details: null });
    expect(reportFromTrigger(trigger(), 'dk', {}).details).toEqual({});
  });

  it('files PagerDuty\'s fields under concord_pagerduty where the sender used `pagerduty` itself', () => {
    const details = reportFromTrigger(trigger({ custom_details: { pagerduty: 'mine' } }, { client: 'grafana' }), 'dk', {}).details;
    expect(details).toEqual({ pagerduty: 'mine', concord_pagerduty: { client: 'grafana' } });
  });

  it('refuses details larger than an incident takes, naming custom_details', () => {
    const big = { blob: 'x'.repeat(MAX_DETAILS_BYTES) };
    expect(() => reportFromTrigger(trigger({ custom_details: big }), 'dk', {})).toThrow(ValidationError);
    try { reportFromTrigger(trigger({ custom_details: big }), 'dk', {}); } catch (err) {
      expect((err as ValidationError).errors).toEqual([{ path: 'payload.custom_details', message: expect.stringMatching(/at most 16384 bytes/) }]);
    }
  });

  it('takes what the schema accepts: a trigger needs a payload, the other actions a dedup key', () => {
    expect(PagerDutyEvent.safeParse({ routing_key: 'rk', event_action: 'trigger' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['payload']);
    expect(PagerDutyEvent.safeParse({ routing_key: 'rk', event_action: 'resolve' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['dedup_key']);
    expect(PagerDutyEvent.safeParse({ ...trigger(), description: 'a v1 leftover' }).success).toBe(true);
  });
});

describe('the Events API over the fakes', () => {
  const caller: Caller = { orgId: 'facebook', role: 'partner', keyId: 'key_fb' };
  function setup(eventsPerMinute = 100) {
    const repository = new MemoryIncidentRepository();
    const directory = new MemoryDirectoryRepository();
    for (const id of ['facebook', 'cisa']) directory.organizations.set(id, { id, name: id, kind: 'agency', contacts: [], createdAt: '', updatedAt: '' });
    const clock = new ManualClock();
    const incidents = makeIncidents({ incidents: repository, directory, audit: repository.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
    const hits = new Map<string, number>();
    const limiter = { consume: async (bucket: string, limit: number) => { const n = (hits.get(bucket) ?? 0) + 1; hits.set(bucket, n); return n <= limit ? { allowed: true as const } : { allowed: false as const, retryAfterSeconds: 60 }; } };
    return { repository, events: makeEventsApi({ incidents, repository, limiter, eventsPerMinute }), hits };
  }

  it('triggers once per open dedup key, acknowledges and resolves by it, and ignores a key it does not know', async () => {
    const { events, repository } = setup();
    expect(await events.enqueue(caller, { participants: ['cisa'] }, trigger({}, { dedup_key: 'disk' }))).toBe('disk');
    expect(await events.enqueue(caller, {}, trigger({ summary: 'again' }, { dedup_key: 'disk' }))).toBe('disk');
    const open = (await repository.findOpenByDedupKey('facebook', 'disk'))!;
    expect([open.incident.title, open.incident.participants]).toEqual(['Disk full on db-1', ['facebook', 'cisa']]);
    await events.enqueue(caller, {}, { routing_key: 'rk', event_action: 'acknowledge', dedup_key: 'disk', client: 'grafana' });
    await events.enqueue(caller, {}, { routing_key: 'rk', event_action: 'resolve', dedup_key: 'disk' });
    const done = (await repository.get(open.incident.id))!.incident;
    expect([done.status, done.acknowledgements.map((a) => a.by)]).toEqual(['resolved', ['grafana']]);
    expect(await events.enqueue(caller, {}, { routing_key: 'rk', event_action: 'resolve', dedup_key: 'never-seen' })).toBe('never-seen');
    // After the resolve, the same key opens a new incident.
    await events.enqueue(caller, {}, trigger({}, { dedup_key: 'disk' }));
    expect((await repository.findOpenByDedupKey('facebook', 'disk'))!.incident.id).not.toBe(open.incident.id);
  });

  it('makes up a dedup key for a trigger without one', async () => {
    const { events } = setup();
    const [a, b] = [await events.enqueue(caller, {}, trigger()), await events.enqueue(caller, {}, trigger())];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it('takes the configured events a minute per routing key, then refuses with a retry time', async () => {
    const { events, hits } = setup(2);
    await events.enqueue(caller, {}, trigger());
    await events.enqueue(caller, {}, trigger());
    await expect(events.enqueue(caller, {}, trigger())).rejects.toBeInstanceOf(RateLimitedError);
    expect([...hits.keys()]).toEqual(['events#key_fb']);
  });
});

describe('shortTitle never splits a character (red team, round four, F5)', () => {
  it('F5: a summary cut inside a surrogate pair keeps the whole character or drops it, never half of it', () => {
    for (let pad = 190; pad <= 200; pad++) {
      const title = shortTitle('a'.repeat(pad) + '😀'.repeat(10));
      expect(title.length).toBeLessThanOrEqual(200);
      expect(title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });
});
