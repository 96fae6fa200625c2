/** TAXII 2.1 as pure functions: negotiation, error messages, filtering, ordering and paging. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../lambdas/domain/errors';
import { UnsupportedMediaTypeError } from '../../lambdas/http/errors';
import { NotAcceptableError, isTaxiiContentType, isTaxiiPath, negotiate, taxiiError } from '../../lambdas/http/taxii';
import { page, positionOf, select, type Entry } from '../../lambdas/integrations/taxii';

const withAccept = (accept?: string) => ({ headers: accept === undefined ? {} : { Accept: accept } }) as unknown as APIGatewayProxyEvent;

describe('negotiation', () => {
  it.each([undefined, '', 'application/taxii+json;version=2.1', 'application/taxii+json', '*/*', 'application/*',
    'text/html, application/taxii+json; version="2.1"; q=0.5', 'APPLICATION/TAXII+JSON;VERSION=2.1'])('accepts %p', (accept) => {
    expect(() => negotiate(withAccept(accept))).not.toThrow();
  });
  it.each(['application/json', 'application/taxii+json;version=2.0', 'application/taxii+json;q=0', 'text/html', 'application/stix+json;version=2.1'])('refuses %p (406)', (accept) => {
    expect(() => negotiate(withAccept(accept))).toThrow(NotAcceptableError);
  });
  it('takes a TAXII 2.1 content type only', () => {
    expect(isTaxiiContentType('application/taxii+json;version=2.1')).toBe(true);
    expect(isTaxiiContentType('application/taxii+json; charset=utf-8; version=2.1')).toBe(true);
    expect(isTaxiiContentType('application/taxii+json')).toBe(true);
    for (const t of [undefined, 'application/json', 'application/taxii+json;version=2.0', 'application/taxii+json;charset=latin1', 'text/plain']) expect(isTaxiiContentType(t)).toBe(false);
  });
  it('knows its paths', () => {
    expect(['/taxii2', '/taxii2/', '/taxii2/concord/'].every(isTaxiiPath)).toBe(true);
    expect(['/taxii20', '/v1/incidents', '/'].some(isTaxiiPath)).toBe(false);
  });
});

describe('error messages', () => {
  const body = (r: { body: string }) => JSON.parse(r.body);
  it('carry title, description, error_id and http_status as a string, in the TAXII media type', () => {
    const r = taxiiError(new NotFoundError('No collection x.'), 'req-1');
    expect(r.statusCode).toBe(404);
    expect(r.headers!['content-type']).toBe('application/taxii+json;version=2.1');
    expect(body(r)).toEqual({ title: 'Not found', description: 'No collection x.', error_id: 'req-1', http_status: '404' });
  });
  it('list invalid fields, keep the headers, and never show a cause', () => {
    expect(body(taxiiError(new ValidationError('1 invalid field: limit.', [{ path: 'limit', message: 'too small' }]), 'r'))).toMatchObject({ http_status: '400', details: { errors: [{ path: 'limit', message: 'too small' }] } });
    expect(taxiiError(new UnauthorizedError('key'), 'r').headers!['www-authenticate']).toContain('Basic');
    expect(taxiiError(new UnsupportedMediaTypeError('x'), 'r').statusCode).toBe(415);
    expect(taxiiError(new NotAcceptableError('x'), 'r').statusCode).toBe(406);
    const fault = taxiiError(new Error('secret stack detail'), 'r-9');
    expect(fault.statusCode).toBe(500);
    expect(fault.body).not.toContain('secret');
    expect(body(fault).description).toContain('r-9');
  });
});

describe('select and page', () => {
  const obj = (type: string, n: number, modified?: string) => ({ type, id: `${type}--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, spec_version: '2.1' as const, ...(modified ? { modified } : { created: '2022-10-01T00:00:00.000Z' }) });
  const entries: Entry[] = [
    { object: obj('incident', 2, '2026-01-02T00:00:00.000Z'), dateAdded: '2026-01-02T00:00:00.000Z' },
    { object: obj('identity', 1, '2026-01-01T00:00:00.000Z'), dateAdded: '2026-01-02T00:00:00.000Z' },
    { object: obj('incident', 1, '2026-01-01T00:00:00.000Z'), dateAdded: '2026-01-01T00:00:00.000Z' },
    { object: obj('identity', 1, '2026-01-01T00:00:00.000Z'), dateAdded: '2026-01-03T00:00:00.000Z' },
    { object: obj('marking-definition', 9), dateAdded: '2026-01-03T00:00:00.000Z' },
  ];

  it('keeps one entry per object, added when it last was, oldest first then by id', () => {
    const out = select(entries, {});
    expect(out.map((e) => [e.object.id.slice(0, 12), e.dateAdded])).toEqual([
      ['incident--00', '2026-01-01T00:00:00.000Z'], ['incident--00', '2026-01-02T00:00:00.000Z'],
      ['identity--00', '2026-01-03T00:00:00.000Z'], ['marking-defi', '2026-01-03T00:00:00.000Z'],
    ]);
  });

  it('filters by type, id, added_after, version (timestamps in any precision) and spec version', () => {
    expect(select(entries, { types: ['incident'] })).toHaveLength(2);
    expect(select(entries, { ids: [obj('incident', 2).id] })).toHaveLength(1);
    expect(select(entries, { addedAfter: '2026-01-02T00:00:00.000Z' })).toHaveLength(2);
    expect(select(entries, { versions: ['2026-01-02T00:00:00Z'] }).map((e) => e.object.id)).toEqual([obj('incident', 2).id]);
    expect(select(entries, { versions: ['first'] })).toHaveLength(4);
    expect(select(entries, { specVersions: ['2.0'] })).toEqual([]);
  });

  it('pages strictly after a position, saying whether more follow', () => {
    const all = select(entries, {});
    const first = page(all, 2);
    expect(first).toMatchObject({ more: true });
    const second = page(all, 2, positionOf(first.items.at(-1)!));
    expect(second.more).toBe(false);
    expect([...first.items, ...second.items]).toEqual(all);
  });
});
