/**
 * The layout the code keeps (issue #21): the domain imports nothing outward, the shared helpers
 * nothing but each other, no import circles in lambdas/, the single table's keys are built in the
 * key registry only, and every function is named once, in the function manifest.
 */
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { ITEMS } from '../../lambdas/adapters/dynamodb/keys';
import { FUNCTIONS, FUNCTION_NAMES, type ApiFunctionName } from '../../lambdas/functions';
import { ALL_ROUTES } from '../../lambdas/http/routes';
import { ROOT, importsOf, literalsOf, literalsOfFile, sourceFiles } from '../support/source-scan';

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('the domain', () => {
  /** The one package the domain computes with: DDSketch's mergeable bins for the metrics' percentiles (pure arithmetic, no I/O). */
  const DOMAIN_PACKAGES = ['@datadog/sketches-js'];

  it('imports only the domain, the shared helpers, Node built-ins and DDSketch', () => {
    const files = sourceFiles('lambdas/domain');
    expect(files.length).toBeGreaterThan(10);
    const outward = files.flatMap((file) => importsOf(file)
      .filter(({ specifier, target }) => (target
        ? !target.startsWith('lambdas/domain/') && !target.startsWith('lambdas/shared/')
        : !isBuiltin(specifier) && !DOMAIN_PACKAGES.includes(specifier)))
      .map(({ specifier }) => `${file} imports ${specifier}`));
    expect(outward).toEqual([]);
  });

  it('keeps the shared helpers free of everything but Node built-ins and each other', () => {
    const files = sourceFiles('lambdas/shared');
    expect(files.length).toBeGreaterThan(0);
    const outward = files.flatMap((file) => importsOf(file)
      .filter(({ specifier, target }) => (target ? !target.startsWith('lambdas/shared/') : !isBuiltin(specifier)))
      .map(({ specifier }) => `${file} imports ${specifier}`));
    expect(outward).toEqual([]);
  });
});

it('has no import circle in lambdas/ (type imports included)', () => {
  const files = sourceFiles('lambdas');
  const edges = new Map(files.map((f) => [f.replace(/\.ts$/, ''), importsOf(f).flatMap(({ target }) => (target && files.includes(`${target}.ts`) ? [target] : []))]));
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (node: string, path: string[]) => {
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') circles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next, [...path, next]);
    }
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, [node]);
  expect(circles).toEqual([]);
});

describe('the key registry', () => {
  const formats = ITEMS.flatMap((i) => [i.pk, i.sk, ...[i.gsi1, i.gsi2].flatMap((g) => g.split(' / '))]).filter((f) => f !== '—');
  /** `INC#`, `ORG#`, `AUDIT#`…: every prefix a documented key starts a part with. */
  const PREFIXES = [...new Set(formats.flatMap((f) => f.match(/[A-Z][A-Z_]*#/g) ?? []))];
  /** `INCIDENT`, `ORGS`, `ESCALATION`…: the keys that are a constant. */
  const CONSTANTS = new Set(formats.filter((f) => !f.includes('<')));
  const prefixed = new RegExp(`(^|[^A-Za-z0-9_])(${PREFIXES.join('|')})`);
  const buildsKey = (text: string) => prefixed.test(text) || CONSTANTS.has(text);

  const REGISTRY = 'lambdas/adapters/dynamodb/keys.ts';
  /** Measures the SDK's own cost with nothing of ours imported, by design (bench/README.md). */
  const ALLOWED = ['bench/entries/sdk-floor.ts', 'bench/entries/sdk-floor-command.ts'];

  it('recognises a key being built, and not the other strings with a #', () => {
    const found = (source: string) => literalsOf(source).filter((l) => buildsKey(l.text)).map((l) => l.text);
    expect(found("const k = { PK: `INC#${id}`, SK: 'INCIDENT' };")).toEqual(['INC#${}', 'INCIDENT']);
    expect(found("q({ ':p': 'KEYS#manager', ':o': `ORG#${org}#KEYS`, ':a': 'AUDIT#' + day });")).toEqual(['KEYS#manager', 'ORG#${}#KEYS', 'AUDIT#']);
    expect(found("names['#status'] = 'status'; limiter.consume(`events#${keyId}`); const s = `severity#${x}`; // PK INC#<id>")).toEqual([]);
    expect(PREFIXES).toEqual(expect.arrayContaining(['INC#', 'ORG#', 'KEY#', 'ISSUER#', 'AUDIT#', 'METRICS#', 'MAPPLIED#', 'RATE#', 'TAXIISTATUS#']));
  });

  it('is the only file that builds a key of the single table', () => {
    const files = ['lambdas', 'lib', 'local', 'scripts', 'bench', 'bin'].flatMap(sourceFiles);
    expect(files).toContain(REGISTRY);
    const builders = files.filter((f) => f !== REGISTRY && !ALLOWED.includes(f)).flatMap((file) => literalsOfFile(file)
      .filter((l) => buildsKey(l.text))
      .map((l) => `${file}:${l.line} ${l.text}`));
    expect(builders).toEqual([]);
  });
});

describe('the function manifest', () => {
  it('names exactly the handler files in lambdas/handlers/', () => {
    const files = readdirSync(join(ROOT, 'lambdas', 'handlers')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    expect([...FUNCTION_NAMES].sort()).toEqual(files);
  });

  it('serves each route by an API function of the manifest, and each API function serves a route', () => {
    const apiFunctions = FUNCTION_NAMES.filter((name) => FUNCTIONS[name] === 'api').sort();
    const routed = [...new Set(ALL_ROUTES.map((r) => r.handler as string))].sort();
    expect(routed).toEqual(apiFunctions);
  });

  it('refuses a name it lacks when compiling', () => {
    // @ts-expect-error — not a function of the manifest: `npm run typecheck` fails if this compiles.
    const typo: ApiFunctionName = 'get-incidnet';
    // @ts-expect-error — the authorizer serves no route.
    const notApi: ApiFunctionName = 'authorize';
    const known: ApiFunctionName = 'get-incident';
    expect([typo, notApi, known].map((name) => name in FUNCTIONS)).toEqual([false, true, true]);
  });
});
