/**
 * Observables' canonical forms (domain/observables.ts), a table from the standards that define them
 * — RFC 5952 §4 (IPv6 text), RFC 3986/WHATWG URL (the URL Standard's serialization: scheme and host
 * lowercased, default ports dropped, dot segments resolved, fragments here left out), UTS #46 / IDNA
 * as WHATWG URL maps host names (A-labels) — and the use case that adds them to an incident.
 */
import { canonicalize, canonicalList, observableKey, sharedObservables } from '../../lambdas/domain/observables';
import { ValidationError, ForbiddenError, NotFoundError } from '../../lambdas/domain/errors';
import { makeIncidents } from '../../lambdas/domain/incident-service';
import { ulidGenerator } from '../../lambdas/shared/ids';
import type { Caller } from '../../lambdas/domain/actor';
import { ManualClock, MemoryDirectoryRepository, MemoryIncidentRepository } from '../support/memory-repositories';
import { ObservableInput, ReportIncidentBody, AddObservablesBody } from '../../lambdas/http/schemas';
import fc from 'fast-check';
import { OBSERVABLE_TYPES } from '../../lambdas/domain/observables';

const canon = (type: string, value: string, platform?: string) => {
  const c = canonicalize({ type, value, ...(platform === undefined ? {} : { platform }) });
  return c.ok ? c.observable.value : `refused: ${c.reason}`;
};

describe('canonical forms', () => {
  it.each([
    // domain names: case, the root's trailing dot, IDNA A-labels (UTS #46 mapping as WHATWG URL does it)
    ['domain-name', 'Polls-Closed.EXAMPLE', 'polls-closed.example'],
    ['domain-name', 'polls-closed.example.', 'polls-closed.example'],
    ['domain-name', 'München.de', 'xn--mnchen-3ya.de'],
    ['domain-name', 'xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['domain-name', 'MÜNCHEN.DE.', 'xn--mnchen-3ya.de'],
    ['domain-name', 'ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'], // full-width letters and dot map to ASCII
    ['domain-name', 'faß.de', 'xn--fa-hia.de'], // non-transitional processing, as browsers do
    ['domain-name', '_dmarc.example.com', '_dmarc.example.com'],
    // URLs: the URL Standard's serialization, fragment left out
    ['url', 'HTTP://EXAMPLE.com:80/a/./b/../c?q=1#frag', 'http://example.com/a/c?q=1'],
    ['url', 'https://example.com:443', 'https://example.com/'],
    ['url', 'https://example.com:8443/x', 'https://example.com:8443/x'],
    ['url', 'https://München.de/ä?ü#x', 'https://xn--mnchen-3ya.de/%C3%A4?%C3%BC'],
    ['url', 'https://example.com/#', 'https://example.com/'],
    ['url', 'http://[2001:DB8::0:1]:80/', 'http://[2001:db8::1]/'],
    // IPv4: dotted decimal; a leading zero is refused, not guessed
    ['ipv4-addr', '192.0.2.1', '192.0.2.1'],
    ['ipv4-addr', '0.0.0.0', '0.0.0.0'],
    // IPv6: RFC 5952 §4's examples
    ['ipv6-addr', '2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['ipv6-addr', '2001:DB8::0001', '2001:db8::1'],
    ['ipv6-addr', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one 0 group is not shortened
    ['ipv6-addr', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run
    ['ipv6-addr', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: the first of equal runs
    ['ipv6-addr', '0:0:0:0:0:0:0:0', '::'],
    ['ipv6-addr', '::FFFF:C000:0201', '::ffff:192.0.2.1'], // §5: IPv4-mapped in dotted decimal
    ['ipv6-addr', '::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['ipv6-addr', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    // email: the domain as a domain name, the local part as given (RFC 5321: it may be case-sensitive)
    ['email-addr', 'Voter.Help@Polls-Closed.EXAMPLE.', 'Voter.Help@polls-closed.example'],
    ['email-addr', 'info@München.de', 'info@xn--mnchen-3ya.de'],
    // file: SHA-256, lowercase hex
    ['file', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    // phone numbers: E.164
    ['phone-number', '+1 (202) 555-0101', '+12025550101'],
    ['phone-number', '+44 20 7946 0958', '+442079460958'],
  ])('%s %j → %j', (type, value, expected) => {
    expect(canon(type, value)).toBe(expected);
  });

  it('writes user accounts with the platform and the handle lowercased, without a leading @', () => {
    expect(canonicalize({ type: 'user-account', value: '@PollsClosedNow', platform: 'Twitter' })).toEqual({ ok: true, observable: { type: 'user-account', value: 'pollsclosednow', platform: 'twitter' } });
    expect(canon('user-account', 'pollsclosednow', 'twitter')).toBe('pollsclosednow');
  });

  it.each([
    ['ipv4-addr', '010.0.0.1', /leading zero/],
    ['ipv4-addr', '192.168.001.1', /leading zero/],
    ['ipv4-addr', '256.1.1.1', /greater than 255/],
    ['ipv4-addr', '1.2.3', /four decimal numbers/],
    ['ipv4-addr', '0x7f.0.0.1', /four decimal numbers/],
    ['ipv6-addr', '1::2::3', /not an IPv6 address/],
    ['ipv6-addr', '1:2:3:4:5:6:7:8:9', /not an IPv6 address/],
    ['ipv6-addr', 'fe80::1%eth0', /zone id/],
    ['ipv6-addr', '12345::1', /not an IPv6 address/],
    ['domain-name', 'a..example', /empty label/],
    ['domain-name', 'ex ample.com', /white space/],
    ['domain-name', '0x7f.1', /IP address/],
    ['domain-name', '192.0.2.1', /IP address/],
    ['domain-name', 'a%41.example', /character no host name has/],
    ['domain-name', '-bad.example', /starts or ends with "-"/],
    ['domain-name', `${'a'.repeat(64)}.example`, /longer than 63/],
    ['url', 'not a url', /white space/],
    ['url', '/relative/path', /absolute URL/],
    ['url', 'https://exa\tmple.com/', /white space or control/],
    ['email-addr', 'nobody', /local-part@domain/],
    ['email-addr', 'x@-bad.example', /domain that/],
    // RFC 5321: an "@" in the local part only inside a quoted string (red team: a@b@c.example was accepted).
    ['email-addr', 'a@b@c.example', /local part/],
    ['file', 'abc123', /SHA-256/],
    ['phone-number', '2025550101', /E\.164/],
    ['phone-number', '+0123456789', /E\.164/],
    ['domain-name', 'evil\u202Egoogle.com', /bidirectional/],
    ['user-account', '@', /must name the account/],
    ['url', 'https://example.com/\ud800', /surrogate/],
    ['user-account', '@@pollsnow', /at most one leading/],
  ])('refuses %s %j', (type, value, reason) => {
    const c = canonicalize({ type, value, ...(type === 'user-account' ? { platform: 'twitter' } : {}) });
    expect(c.ok).toBe(false);
    expect(c.ok ? '' : c.reason).toMatch(reason);
  });

  it('asks user accounts for a platform, and no other type', () => {
    expect(canonicalize({ type: 'user-account', value: 'x' })).toMatchObject({ ok: false, path: 'platform' });
    expect(canonicalize({ type: 'domain-name', value: 'x.example', platform: 'twitter' })).toMatchObject({ ok: false, path: 'platform' });
    expect(canonicalize({ type: 'user-account', value: 'x', platform: 'Bad Platform' })).toMatchObject({ ok: false, path: 'platform' });
  });

  it('makes two spellings of one observable one identity, and keeps platforms apart', () => {
    const a = canonicalList([{ type: 'domain-name', value: 'MÜNCHEN.de.' }, { type: 'user-account', value: '@Foo', platform: 'twitter' }]);
    const b = canonicalList([{ type: 'domain-name', value: 'xn--mnchen-3ya.de' }, { type: 'user-account', value: 'foo', platform: 'facebook' }]);
    expect(sharedObservables(a, b)).toEqual([{ type: 'domain-name', value: 'xn--mnchen-3ya.de' }]);
    expect(observableKey(a[1]!)).not.toBe(observableKey(b[1]!));
  });

  it('lists every invalid observable of a list, each by its path', () => {
    let caught: unknown;
    try {
      canonicalList([{ type: 'domain-name', value: 'ok.example' }, { type: 'ipv4-addr', value: '010.1.1.1' }, { type: 'file', value: 'nope' }]);
    } catch (err) { caught = err; }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).errors).toEqual([
      { path: 'observables.1.value', message: expect.stringMatching(/leading zero/) },
      { path: 'observables.2.value', message: expect.stringMatching(/SHA-256/) },
    ]);
  });
});

describe('any input', () => {
  const weird = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('\u0000', '\ud800', 'xn--', 'xn--a', '[::1]', 'http://[', 'http://a b', '1.2.3.4.', '::ffff:1.2.3.04', '%41', 'é.é', '.', '..', '@', '@@x', 'a@b@c', '\u202e', 'ｈｔｔｐ://ｘ', 'file:///etc/passwd', 'javascript:alert(1)'),
    fc.ipV4().map((ip) => ip.replace(/(^|\.)(\d)/g, '$10$2')),
    fc.ipV6(), fc.ipV4(), fc.domain(), fc.webUrl({ withFragments: true, withQueryParameters: true }), fc.emailAddress(),
  );
  it('is canonicalized or refused with a reason, never thrown on; a canonical form is its own canonical form', () => {
    fc.assert(fc.property(fc.constantFrom(...OBSERVABLE_TYPES), weird, fc.option(fc.constantFrom('twitter', 'Facebook', 'bad platform', ''), { nil: undefined }), (type, value, platform) => {
      const c = canonicalize({ type, value, ...(platform === undefined ? {} : { platform }) });
      if (!c.ok) { expect(c.reason.length).toBeGreaterThan(0); return; }
      const again = canonicalize({ type, value: c.observable.value, ...(c.observable.platform === undefined ? {} : { platform: c.observable.platform }) });
      expect(again).toEqual(c);
    }), { numRuns: 3000 });
  });
});

describe('the request schemas', () => {
  it('list each invalid observable of a report with its path and reason', () => {
    const parsed = ReportIncidentBody.safeParse({
      title: 't', severity: 'low', category: 'other',
      observables: [{ type: 'domain-name', value: 'fine.example' }, { type: 'ipv4-addr', value: '01.2.3.4' }, { type: 'url', value: 'nope' }, { type: 'domain-name', value: 'x.example', note: 'a\u202Eb' }],
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(expect.arrayContaining(['observables.1.value', 'observables.2.value', 'observables.3.note']));
    expect(issues).toHaveLength(3);
  });

  it('take at most 200 observables and refuse unknown fields and types', () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ type: 'ipv4-addr', value: `10.0.${i >> 8}.${i & 255}` }));
    expect(AddObservablesBody.safeParse({ observables: many }).success).toBe(false);
    expect(AddObservablesBody.safeParse({ observables: many.slice(0, 200) }).success).toBe(true);
    expect(AddObservablesBody.safeParse({ observables: [] }).success).toBe(false);
    expect(ObservableInput.safeParse({ type: 'domain-name', value: 'x.example', colour: 'red' }).success).toBe(false);
    expect(ObservableInput.safeParse({ type: 'mutex', value: 'x' }).success).toBe(false);
  });
});

describe('observables on incidents', () => {
  function setup() {
    const incidents = new MemoryIncidentRepository();
    const directory = new MemoryDirectoryRepository();
    for (const id of ['facebook', 'twitter', 'cisa']) directory.organizations.set(id, { id, name: id, kind: 'company', contacts: [], createdAt: '', updatedAt: '' });
    const clock = new ManualClock();
    const service = makeIncidents({ incidents, directory, audit: incidents.audit, clock, ids: ulidGenerator(clock), pause: async () => {} });
    return { incidents, service };
  }
  const fb: Caller = { orgId: 'facebook', role: 'partner', keyId: 'k1' };
  const tw: Caller = { orgId: 'twitter', role: 'partner', keyId: 'k2' };
  const base = { title: 'Fake "polls closed" domain', severity: 'high' as const, category: 'misinformation' as const };

  it('stores them in canonical form on report, each once, and in the reported event', async () => {
    const { service } = setup();
    const { incident } = await service.report(fb, { ...base, observables: [{ type: 'domain-name', value: 'Polls-Closed.EXAMPLE.' }, { type: 'domain-name', value: 'polls-closed.example', note: 'again' }] });
    expect(incident.observables).toEqual([{ type: 'domain-name', value: 'polls-closed.example' }]);
    const { events } = await service.timeline(fb, incident.id);
    expect(events[0]!.data.observables).toEqual([{ type: 'domain-name', value: 'polls-closed.example' }]);
  });

  it('adds new ones as a new version with an observables_added event; ones already there are a no-op', async () => {
    const { service } = setup();
    const { incident } = await service.report(fb, { ...base, observables: [{ type: 'domain-name', value: 'polls-closed.example' }] });
    const added = await service.addObservables(fb, incident.id, [{ type: 'domain-name', value: 'POLLS-CLOSED.example' }, { type: 'user-account', value: '@PollsNow', platform: 'Twitter', note: 'pushes the domain' }]);
    expect(added.version).toBe(2);
    expect(added.observables).toEqual([{ type: 'domain-name', value: 'polls-closed.example' }, { type: 'user-account', value: 'pollsnow', platform: 'twitter', note: 'pushes the domain' }]);
    const again = await service.addObservables(fb, incident.id, [{ type: 'user-account', value: 'pollsnow', platform: 'twitter' }]);
    expect(again.version).toBe(2);
    const { events } = await service.timeline(fb, incident.id);
    expect(events.map((e) => e.type)).toEqual(['reported', 'observables_added']);
    expect(events[1]!.data).toEqual({ observables: [{ type: 'user-account', value: 'pollsnow', platform: 'twitter', note: 'pushes the domain' }] });
  });

  it('refuses more than 200 in all, invalid ones (each listed), and changes nothing', async () => {
    const { service } = setup();
    const ips = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ type: 'ipv4-addr', value: `10.1.${(i + from) >> 8}.${(i + from) & 255}` }));
    const { incident } = await service.report(fb, { ...base, observables: ips(150) as never });
    await expect(service.addObservables(fb, incident.id, ips(51, 150))).rejects.toBeInstanceOf(ValidationError);
    await expect(service.addObservables(fb, incident.id, [{ type: 'ipv4-addr', value: '1.2.3.04' }])).rejects.toMatchObject({ errors: [{ path: 'observables.0.value' }] });
    expect((await service.get(fb, incident.id)).version).toBe(1);
    expect((await service.addObservables(fb, incident.id, ips(50, 150))).observables).toHaveLength(200);
  });

  it('lets participants add them: a reader of a GREEN incident is 403, one who may not see it 404', async () => {
    const { service } = setup();
    const green = (await service.report(fb, { ...base, tlp: 'GREEN' })).incident;
    const amber = (await service.report(fb, { ...base, tlp: 'AMBER' })).incident;
    const one = [{ type: 'domain-name', value: 'x.example' }];
    await expect(service.addObservables(tw, green.id, one)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.addObservables(tw, amber.id, one)).rejects.toBeInstanceOf(NotFoundError);
  });
});
