/**
 * Loopback issuers and push endpoints are accepted only by `npm start` (issue #22, item 6): a
 * deployed stage must never trust a token issuer on, or push incidents to, its own host. Local
 * mode is one explicit setting (CONCORD_LOCAL_MODE=true) that `npm start` sets and the stack never does.
 */
import { ENV, localMode } from '../../lambdas/config/env';
import { OrganizationBody } from '../../lambdas/http/schemas';
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { fieldErrors } from '../../lambdas/http/request';

const LOOPBACK = [
  'http://127.0.0.1:8080', 'http://localhost:3000/local/idp', 'http://[::1]:3000',
  'https://localhost', 'https://127.0.0.1', 'https://[::1]', 'https://idp.localhost', 'https://127.10.0.1', 'https://0.0.0.0', 'https://[::ffff:127.0.0.1]', 'https://LOCALHOST.',
];
const org = (url: string) => ({ name: 'County', kind: 'agency', identity: [{ issuer: url, audience: 'concord' }], endpoints: [{ url }] });
const pathsRefused = (url: string) => {
  const parsed = OrganizationBody.safeParse(org(url));
  return parsed.success ? [] : fieldErrors(parsed.error, 'body').map((e) => e.path);
};

let saved: string | undefined;
beforeEach(() => { saved = process.env[ENV.localMode]; });
afterEach(() => { if (saved === undefined) delete process.env[ENV.localMode]; else process.env[ENV.localMode] = saved; });

describe('6R: in a deployed stage (CONCORD_LOCAL_MODE unset)', () => {
  beforeEach(() => { delete process.env[ENV.localMode]; });

  it('is not local mode', () => expect(localMode()).toBe(false));

  it.each(LOOPBACK)('refuses %s as an issuer and as a push endpoint, naming both fields', (url) => {
    expect(pathsRefused(url)).toEqual(['identity.0.issuer', 'endpoints.0.url']);
  });

  it('accepts https on any other host', () => {
    expect(pathsRefused('https://idp.example')).toEqual([]);
    expect(pathsRefused('https://127.example.org')).toEqual([]);
  });

  it('refuses them in the directory file too (npm run load-directory against a stage)', () => {
    const parsed = DirectoryFileSchema.safeParse({ organizations: [{ id: 'county', ...org('http://127.0.0.1:9000') }] });
    expect(parsed.success ? [] : fieldErrors(parsed.error, 'file').map((e) => e.path)).toEqual(['organizations.0.identity.0.issuer', 'organizations.0.endpoints.0.url']);
  });

  it('does not take any other value as local mode', () => {
    for (const value of ['1', 'yes', 'TRUE ', '']) {
      process.env[ENV.localMode] = value;
      expect(localMode()).toBe(false);
    }
  });
});

describe('6R: in local mode (npm start sets CONCORD_LOCAL_MODE=true)', () => {
  beforeEach(() => { process.env[ENV.localMode] = 'true'; });

  it.each(LOOPBACK)('accepts %s', (url) => {
    expect(pathsRefused(url)).toEqual([]);
  });

  it('still refuses http anywhere but loopback', () => {
    expect(pathsRefused('http://idp.example')).toEqual(['identity.0.issuer', 'endpoints.0.url']);
  });
});
