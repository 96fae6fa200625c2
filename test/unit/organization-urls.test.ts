/**
 * Red team, round four (F2): a push endpoint or issuer that is no URL at all reached `new URL()`
 * inside the loopback check (zod runs a refinement even after `z.url()` failed), which threw: the
 * directory PUT answered 500 with a stack in the log. Each must be a 400 naming the field.
 */
import { OrganizationBody } from '../../lambdas/http/schemas';

const MALFORMED = ['nope', 'https://a b/', 'https://x:99999/', 'https://[::1/', 'https://%zz/', 'idp.example.com'];

describe('malformed URLs in an organization are field errors, never a throw (red team F2)', () => {
  it.each(MALFORMED)('F2: endpoints[0].url %p is refused with the field named', (url) => {
    const result = OrganizationBody.safeParse({ name: 'x', kind: 'agency', endpoints: [{ url }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain('endpoints.0.url');
  });

  it.each(MALFORMED)('F2: identity[0].issuer %p is refused with the field named', (issuer) => {
    const result = OrganizationBody.safeParse({ name: 'x', kind: 'agency', identity: [{ issuer, audience: 'concord' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain('identity.0.issuer');
  });
});
