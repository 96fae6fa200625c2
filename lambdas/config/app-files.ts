/**
 * The responders' app's files: the name the page asks for under `/app/` (a view under
 * `/app/views/`), where the file is in the repository, and the type it is served as. get-app
 * serves these and nothing else; the stack copies them beside get-app's bundle, under `console/`
 * with the same names. A test keeps this list equal to the files in `app/`.
 */
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const app = (name: string, type: string) => [name, { source: `app/${name}`, type }] as const;

export interface AppFile { source: string; type: string }

export const APP_FILES: Readonly<Record<string, AppFile>> = Object.fromEntries([
  app('index.html', 'text/html; charset=utf-8'),
  app('style.css', CSS),
  // Native ES modules, no build step: main.js imports the others by relative URL.
  app('main.js', JS),
  app('api.js', JS),
  app('sign-in.js', JS),
  app('rules.js', JS),
  app('state.js', JS),
  app('dom.js', JS),
  app('drafts.js', JS),
  app('views/shell.js', JS),
  app('views/list.js', JS),
  app('views/incident.js', JS),
  app('views/actions.js', JS),
  app('views/coordination.js', JS),
  app('views/observables.js', JS),
  app('views/report.js', JS),
  app('views/metrics.js', JS),
  app('views/oncall.js', JS),
  ['uPlot.iife.min.js', { source: 'node_modules/uplot/dist/uPlot.iife.min.js', type: JS }],
  ['uPlot.min.css', { source: 'node_modules/uplot/dist/uPlot.min.css', type: CSS }],
]);

/** What the stack copies beside get-app's bundle: `console/<name>` from `<source>`. */
export const APP_COPY_FILES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(APP_FILES).map(([name, f]) => [name, f.source]));
