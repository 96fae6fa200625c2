/** The lifecycle rules and TLP visibility, as pure functions. */
import { ConflictError, ValidationError } from '../../lambdas/domain/errors';
import { acknowledge, addNote, assign, canSee, mayAct, report, resolve, type IncidentRecord } from '../../lambdas/domain/incident';
import { type Caller } from '../../lambdas/domain/actor';

const T0 = '2026-11-03T12:00:00.000Z';
const T1 = '2026-11-03T12:05:00.000Z';
const fb: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k' };

function reported(overrides: Record<string, unknown> = {}): IncidentRecord {
  const { incident, events } = report('inc_1', 'facebook', { title: 't', severity: 'high', category: 'phishing', participants: ['fbi', 'cisa'], ...overrides }, T0);
  return { incident, eventCount: events.length, ackCode: null, escalation: null };
}

describe('report', () => {
  it('puts the reporter first, drops duplicates, defaults TLP to AMBER and starts at version 1', () => {
    const { incident, events } = report('inc_1', 'facebook', { title: 't', severity: 'low', category: 'other', participants: ['fbi', 'facebook', 'fbi'] }, T0);
    expect(incident).toMatchObject({ participants: ['facebook', 'fbi'], tlp: 'AMBER', status: 'reported', version: 1, reportedAt: T0 });
    expect(events).toEqual([expect.objectContaining({ seq: 1, type: 'reported', at: T0, actor: { orgId: 'facebook', by: null, via: 'api' } })]);
  });
});

describe('acknowledge', () => {
  it('sets acknowledgedAt once, bumps version and moves reported to acknowledged', () => {
    const first = acknowledge(reported(), 'fbi', { by: 'duty' }, T1)!;
    expect(first.incident).toMatchObject({ status: 'acknowledged', acknowledgedAt: T1, version: 2 });
    const second = acknowledge({ incident: first.incident, eventCount: 2, ackCode: null, escalation: null }, 'cisa', { via: 'sms' }, '2026-11-03T12:09:00.000Z')!;
    expect(second.incident.acknowledgedAt).toBe(T1);
    expect(second.incident.acknowledgements.map((a) => [a.orgId, a.via])).toEqual([['fbi', 'api'], ['cisa', 'sms']]);
    expect(second.events[0]).toMatchObject({ seq: 3, actor: { orgId: 'cisa', via: 'sms' } });
  });

  it('is a no-op for an organization that already acknowledged', () => {
    const once = acknowledge(reported(), 'fbi', {}, T1)!;
    expect(acknowledge({ incident: once.incident, eventCount: 2, ackCode: null, escalation: null }, 'fbi', {}, T1)).toBeNull();
  });

  it('keeps an assigned incident assigned', () => {
    const a = assign(reported(), fb, { orgId: 'cisa' }, T1);
    expect(acknowledge({ incident: a.incident, eventCount: 2, ackCode: null, escalation: null }, 'fbi', {}, T1)!.incident.status).toBe('assigned');
  });
});

describe('assign', () => {
  it('requires a participant and allows reassigning, recording the previous assignee', () => {
    expect(() => assign(reported(), fb, { orgId: 'google' }, T1)).toThrow(ValidationError);
    const first = assign(reported(), fb, { orgId: 'cisa', responder: 'desk' }, T1);
    const again = assign({ incident: first.incident, eventCount: 2, ackCode: null, escalation: null }, fb, { orgId: 'fbi' }, T1);
    expect(again.incident.assignee).toEqual({ orgId: 'fbi', responder: null });
    expect(again.events[0]!.data).toEqual({ assignee: { orgId: 'fbi', responder: null }, previous: { orgId: 'cisa', responder: 'desk' } });
  });
});

describe('resolve', () => {
  it('resolves from any open status and refuses every command after, except notes', () => {
    const done = resolve(reported(), fb, 'fixed', T1);
    expect(done.incident).toMatchObject({ status: 'resolved', resolvedAt: T1, resolution: 'fixed', version: 2 });
    const record = { incident: done.incident, eventCount: 2, ackCode: null, escalation: null };
    expect(() => resolve(record, fb, 'again', T1)).toThrow(ConflictError);
    expect(() => acknowledge(record, 'fbi', {}, T1)).toThrow(ConflictError);
    expect(() => assign(record, fb, { orgId: 'fbi' }, T1)).toThrow(ConflictError);
    expect(addNote(record, fb, 'postmortem', T1).incident.version).toBe(3);
  });
});

describe('canSee', () => {
  const partner = (orgId: string): Caller => ({ orgId, role: 'partner', keyId: 'k' });
  const manager = (orgId: string): Caller => ({ orgId, role: 'manager', keyId: 'k' });
  it.each([
    ['AMBER', partner('fbi'), true], ['AMBER', partner('google'), false],
    // #23: GREEN and CLEAR are the community's: every partner reads them.
    ['CLEAR', partner('google'), true], ['GREEN', partner('google'), true],
    ['AMBER+STRICT', partner('google'), false], ['RED', partner('google'), false],
    ['GREEN', { orgId: 'google', role: 'admin', keyId: 'k' } as Caller, false],
    ['AMBER', manager('odni'), true], ['GREEN', manager('odni'), true], ['CLEAR', manager('odni'), true],
    ['RED', manager('odni'), false], ['AMBER+STRICT', manager('odni'), false], ['RED', manager('fbi'), true],
    ['RED', { orgId: 'fbi', role: 'admin', keyId: 'k' } as Caller, false],
  ] as const)('%s to %j: %s', (tlp, caller, visible) => {
    expect(canSee(caller, { tlp, participants: ['facebook', 'fbi'] })).toBe(visible);
  });
});

describe('mayAct (#23: seeing is not acting)', () => {
  const as = (orgId: string, role: Caller['role']): Caller => ({ orgId, role, keyId: 'k' });
  it.each([
    [as('fbi', 'partner'), true],
    [as('google', 'partner'), false],
    [as('odni', 'manager'), false],
    [as('fbi', 'manager'), false],
    [as('fbi', 'admin'), false],
  ] as const)('%j on any TLP: %s', (caller, may) => {
    for (const tlp of ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const) {
      expect(mayAct(caller, { participants: ['facebook', 'fbi'] })).toBe(may);
      // Whoever may act may see, whatever the label.
      if (may) expect(canSee(caller, { tlp, participants: ['facebook', 'fbi'] })).toBe(true);
    }
  });
});
