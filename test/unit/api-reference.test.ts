/** docs/API.md, the repository's own API reference, lists exactly the routes the service serves, with their roles. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ROUTES } from '../../lambdas/http/routes';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` \| ([^|]*) \|/gm)]
  .map(([, method, path, roles]) => ({ route: `${method} ${path}`, roles: roles!.trim() }));
const served = ALL_ROUTES.filter((r) => !r.localOnly);

it('documents every route once, and nothing the service does not serve', () => {
  expect(rows.map((r) => r.route).sort()).toEqual(served.map((r) => `${r.method} ${r.path}`).sort());
  expect(new Set(rows.map((r) => r.route)).size).toBe(rows.length);
});

it('states each route\'s roles as the route table enforces them', () => {
  for (const spec of served) {
    const row = rows.find((r) => r.route === `${spec.method} ${spec.path}`)!;
    expect({ route: row.route, roles: row.roles }).toEqual({ route: row.route, roles: spec.auth === 'public' ? '—' : spec.auth.join(', ') });
  }
});

it('never sends a reader outside the repository for the contract', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).not.toMatch(/\.\.\/shared/);
  expect(readme).toContain('docs/API.md');
});
