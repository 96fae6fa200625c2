/** The directory file refuses what would load wrongly: duplicates, impossible keys, reserved ids (issue #10, item 6). */
import { DirectoryFileSchema } from '../../lambdas/http/directory-file-schema';
import { fieldErrors } from '../../lambdas/http/request';

const org = (id: string, keys: Array<{ role: string; key: string; defaults?: unknown }> = []) =>
  ({ id, name: id.toUpperCase(), kind: 'agency', contacts: [], keys });
const errorsOf = (file: unknown) => {
  const parsed = DirectoryFileSchema.safeParse(file);
  return parsed.success ? [] : fieldErrors(parsed.error, 'file');
};

it('refuses one key string listed for two organizations, naming both entries', () => {
  const shared = 'the-same-secret-for-two-orgs-000000';
  expect(errorsOf({ organizations: [org('fbi', [{ role: 'partner', key: shared }]), org('cisa', [{ role: 'admin', key: shared }])] }))
    .toEqual([{ path: 'organizations.1.keys.0.key', message: expect.stringContaining('organizations.0.keys.0') }]);
});

it('refuses a duplicate organization id instead of letting the second replace the first', () => {
  expect(errorsOf({ organizations: [org('fbi'), org('cisa'), org('fbi')] }))
    .toEqual([{ path: 'organizations.2.id', message: expect.stringContaining('organizations.0') }]);
});

it('refuses keys that could never authenticate: spaces, non-ASCII, too short', () => {
  const errors = errorsOf({ organizations: [org('fbi', [
    { role: 'partner', key: 'a key with spaces in it 0123456789' },
    { role: 'partner', key: 'ключ-который-не-ascii-0123456789' },
    { role: 'partner', key: 'short' },
  ])] });
  expect(errors.map((e) => e.path)).toEqual(['organizations.0.keys.0.key', 'organizations.0.keys.1.key', 'organizations.0.keys.2.key']);
});

it('refuses defaults on keys other than partner keys, and the reserved id "concord"', () => {
  expect(errorsOf({ organizations: [org('concord'), org('fbi', [{ role: 'manager', key: 'manager-key-0123456789abcdef', defaults: { tlp: 'GREEN' } }])] }).map((e) => e.path))
    .toEqual(['organizations.0.id', 'organizations.1.keys.0.defaults']);
});

it('accepts a valid file', () => {
  expect(errorsOf({ organizations: [org('fbi', [{ role: 'partner', key: 'fbi-partner-key-0123456789abcdef', defaults: { tlp: 'GREEN' } }]), org('cisa')] })).toEqual([]);
});

it('takes people as a test directory would write them: any login without spaces (matched without case), any password', () => {
  const parsed = DirectoryFileSchema.parse({
    organizations: [org('fbi')],
    people: [{ login: 'Alice', name: 'Alice Agent', orgId: 'fbi', password: 'pw' }, { login: 'b', name: 'B', orgId: 'fbi', password: 'x' }],
  });
  expect(parsed.people!.map((p) => p.login)).toEqual(['alice', 'b']);
  expect(errorsOf({ organizations: [org('fbi')], people: [
    { login: 'Alice', name: 'A', orgId: 'fbi', password: 'pw' }, { login: 'alice', name: 'A again', orgId: 'fbi', password: 'pw' },
    { login: 'with space', name: 'S', orgId: 'fbi', password: 'pw' }, { login: 'c', name: 'C', orgId: 'fbi', password: '' },
  ] }).map((e) => e.path)).toEqual(['people.2.login', 'people.3.password', 'people.1.login']);
});
