/** Request parsing: every rule of API.md's conventions, without a server. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ValidationError } from '../../lambdas/domain/errors';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../lambdas/http/errors';
import { parseInput, parseJsonBody } from '../../lambdas/http/request';
import { ROUTES } from '../../lambdas/http/routes';
import { makeCursorCodec } from '../../lambdas/http/cursor';

const event = (body: string | null, headers: Record<string, string> = { 'Content-Type': 'application/json' }, extra: Partial<APIGatewayProxyEvent> = {}) =>
  ({ body, headers, isBase64Encoded: false, requestContext: { requestId: 'r', authorizer: { orgId: 'fbi', role: 'partner', keyId: 'k' } }, ...extra }) as unknown as APIGatewayProxyEvent;

describe('parseJsonBody', () => {
  it('accepts JSON media types with parameters and +json suffixes', () => {
    expect(parseJsonBody(event('{"a":1}', { 'content-type': 'application/json; charset=utf-8' }))).toEqual({ a: 1 });
    expect(parseJsonBody(event('{"a":1}', { 'content-type': 'application/vnd.concord+json' }))).toEqual({ a: 1 });
  });
  it('decodes base64 bodies as API Gateway sends them', () => {
    expect(parseJsonBody(event(Buffer.from('{"a":"é"}').toString('base64'), undefined, { isBase64Encoded: true }))).toEqual({ a: 'é' });
  });
  it('treats an empty body as absent', () => expect(parseJsonBody(event('  ', {}))).toBeUndefined());
  it('refuses non-JSON, oversized, malformed, too deep and ill-formed Unicode', () => {
    expect(() => parseJsonBody(event('a=1', { 'content-type': 'application/x-www-form-urlencoded' }))).toThrow(UnsupportedMediaTypeError);
    expect(() => parseJsonBody(event(`"${'x'.repeat(65 * 1024)}"`))).toThrow(PayloadTooLargeError);
    expect(() => parseJsonBody(event('{'))).toThrow(ValidationError);
    expect(() => parseJsonBody(event('['.repeat(50) + ']'.repeat(50)))).toThrow(/nested deeper/);
    expect(() => parseJsonBody(event('{"\\udc00":1}'))).toThrow(/surrogate/);
  });
});

describe('parseInput', () => {
  it('reports body and query problems together, unknown fields by name', () => {
    try {
      parseInput(event(JSON.stringify({ severity: 'x', nope: 1 })), ROUTES.reportIncident);
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).errors).toEqual(expect.arrayContaining([
        { path: 'title', message: 'is required' },
        { path: 'nope', message: 'unknown field' },
        { path: 'severity', message: expect.stringContaining('critical') },
      ]));
    }
  });
  it('allows an empty acknowledge body and defaults the list limit to 25 and the scope to own', () => {
    expect(parseInput(event(null, {}), ROUTES.acknowledgeIncident).body).toEqual({});
    expect(parseInput(event(null, {}, { queryStringParameters: {} }), ROUTES.listIncidents).query).toEqual({ limit: 25, scope: 'own' });
  });
  it('checks the role before anything else', () => {
    const managerEvent = event('garbage', {}, { requestContext: { requestId: 'r', authorizer: { orgId: 'cisa', role: 'manager', keyId: 'k' } } } as never);
    expect(() => parseInput(managerEvent, ROUTES.reportIncident)).toThrow(/manager key may not/);
    expect(() => parseInput(event('{}', {}, { requestContext: { requestId: 'r' } } as never), ROUTES.reportIncident)).toThrow(/API key or token is required/);
  });
});

describe('two Authorization headers (#22 item 6)', () => {
  const twice = (extra: Partial<APIGatewayProxyEvent>) => event('{}', { 'content-type': 'application/json', Authorization: 'Bearer second-key-0123456789abcdef' }, extra);
  const refusal = (f: () => unknown) => { try { f(); } catch (err) { return err; } return null; };

  it('are 400 naming the header, before any caller is trusted, whatever API Gateway\'s authorizer made of them', () => {
    // API Gateway's `headers` keeps one value; `multiValueHeaders` keeps every one.
    const err = refusal(() => parseInput(twice({ multiValueHeaders: { Authorization: ['Bearer first-key-0123456789abcdef', 'Bearer second-key-0123456789abcdef'] } }), ROUTES.reportIncident));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors).toEqual([{ path: 'Authorization', message: expect.stringMatching(/2 times/) }]);
  });

  it('count across the header name\'s cases, and on public routes too', () => {
    const mixed = twice({ multiValueHeaders: { authorization: ['Bearer a-key-0123456789abcdefghij'], AUTHORIZATION: ['Bearer b-key-0123456789abcdefghij'] } });
    expect((refusal(() => parseInput(mixed, ROUTES.reportIncident)) as ValidationError).errors).toEqual([{ path: 'Authorization', message: expect.stringMatching(/2 times/) }]);
    const health = event(null, {}, { multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] } });
    expect((refusal(() => parseInput(health, ROUTES.health)) as ValidationError).errors).toEqual([{ path: 'Authorization', message: expect.stringMatching(/2 times/) }]);
  });

  it('one header, as API Gateway sends it in both maps, passes', () => {
    expect(refusal(() => parseInput(event(null, { Authorization: 'Bearer k' }, { multiValueHeaders: { Authorization: ['Bearer k'] } }), ROUTES.acknowledgeIncident))).toBeNull();
  });
});

describe('cursor', () => {
  const codec = makeCursorCodec('s'.repeat(32));
  const id = 'inc_01M899CQ51KBW81DJ4QTE6713E';
  const manager = { orgId: 'cisa', role: 'manager' as const, keyId: 'k1' };
  const filters = { status: 'reported', severity: 'low' };
  const foreign = /belongs to another listing/;
  const message = (f: () => unknown) => { try { f(); } catch (err) { return (err as ValidationError).message; } return 'no error'; };

  it('round-trips and refuses anything altered or signed with another secret', () => {
    const c = codec.encodeList(id, manager, filters);
    expect(codec.decodeList(c, manager, filters)).toBe(id);
    expect(codec.decodeList(c, { ...manager, keyId: 'another key of the same organization and role' }, { ...filters })).toBe(id);
    for (const bad of [c.slice(1), `${c}x`, '!!', c.slice(0, -2) + (c.endsWith('AA') ? 'BB' : 'AA')]) {
      expect(() => codec.decodeList(bad, manager, filters)).toThrow(ValidationError);
      expect(message(() => codec.decodeList(bad, manager, filters))).not.toMatch(foreign);
    }
    expect(() => makeCursorCodec('t'.repeat(32)).decodeList(c, manager, filters)).toThrow(ValidationError);
    expect(c.length).toBeLessThanOrEqual(512);
  });

  it('binds a list cursor to the caller\'s organization and role and to the exact filters', () => {
    const c = codec.encodeList(id, manager, filters);
    for (const [caller, f] of [
      [{ ...manager, orgId: 'odni' }, filters],
      [{ ...manager, role: 'partner' as const }, filters],
      [manager, { status: 'reported' }],
      [manager, { ...filters, severity: 'high' }],
      [manager, { ...filters, participant: 'fbi' }],
      [manager, {}],
    ] as const) {
      expect(() => codec.decodeList(c, caller, f)).toThrow(ValidationError);
      expect(message(() => codec.decodeList(c, caller, f))).toMatch(foreign);
    }
  });

  it('binds a timeline cursor to the caller and the incident, and never passes for a list cursor', () => {
    const t = codec.encodeTimeline(100, manager, id);
    expect(codec.decodeTimeline(t, manager, id)).toBe(100);
    expect(message(() => codec.decodeTimeline(t, manager, 'inc_01M899CQ51KBW81DJ4QTE6713F'))).toMatch(foreign);
    expect(message(() => codec.decodeTimeline(t, { ...manager, orgId: 'fbi', role: 'partner' }, id))).toMatch(foreign);
    expect(() => codec.decodeList(t, manager, {})).toThrow(ValidationError);
    expect(() => codec.decodeTimeline(codec.encodeList(id, manager, {}), manager, id)).toThrow(ValidationError);
  });
});
