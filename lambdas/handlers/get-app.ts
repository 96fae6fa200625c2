/**
 * The responders' web app: static files served by the API itself (locally at /app, behind API
 * Gateway at /<stage>/app), so it needs no bucket or CDN of its own, plus `config.json`, which
 * tells the page where people sign in. The page talks to the API with relative URLs only.
 *
 * The files are native ES modules (no build step): config/app-files.ts lists what may be served.
 * Sign-in settings come from config/app-env.ts (set by the stack from the stage's user pool, and
 * by `npm start` from its embedded provider); without an issuer the page offers the API-key
 * sign-in only.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';
import { APP_ENV, readAppSettings, type AppSettings, type AppSignIn } from '../config/app-env';
import { APP_FILES } from '../config/app-files';

export { APP_ENV };

/** Where a file is: beside the bundle in Lambda (the construct copies it to `console/<name>`), in the repository locally. */
function locate(name: string): string {
  const candidates = [join(__dirname, 'console', name), join(__dirname, '..', '..', APP_FILES[name]!.source)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`app asset ${name} is missing`);
  return found;
}

const cache = new Map<string, string>();
const read = (name: string) => {
  let body = cache.get(name);
  if (body === undefined) cache.set(name, (body = readFileSync(locate(name), 'utf8')));
  return body;
};

/** Read at the first request, not at load: `npm start` sets the environment after loading the handlers. */
let settings: AppSettings | undefined;
const current = () => (settings ??= readAppSettings());

/** What the page learns from `config.json`. */
export function appConfig(s: AppSettings = current()): AppSignIn {
  return { issuer: s.issuer, clientId: s.clientId, resource: s.resource, scope: s.scope, sendToken: s.sendToken, orgClaim: s.orgClaim };
}

/** No inline scripts or styles; the page may reach this API and the identity provider only. */
export function securityHeaders(s: AppSettings = current()): Record<string, string> {
  const connect = ["'self'", ...s.connectOrigins].join(' ');
  return {
    'content-security-policy': `default-src 'self'; connect-src ${connect}; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/** `/app/` and `/app/index.html` would load the page one directory too deep, where its relative URLs miss. */
const toApp = (): APIGatewayProxyResult => ({
  statusCode: 302,
  headers: { location: '../app', 'cache-control': 'no-cache', 'content-type': 'text/plain; charset=utf-8' },
  body: 'The app is at ../app.',
});

export async function getApp({ params }: Input<typeof ROUTES.appPage>, event?: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  // Behind API Gateway /app/ reaches the /app resource: its path still ends with the slash.
  if (params.asset === 'index.html' || (params.asset === undefined && params.view === undefined && event?.path?.endsWith('/'))) return toApp();
  const name = params.view !== undefined ? `views/${params.view}` : params.asset ?? 'index.html';
  if (name === 'config.json') {
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...securityHeaders() }, body: JSON.stringify(appConfig()) };
  }
  if (!Object.hasOwn(APP_FILES, name)) throw new NotFoundError(`No app file ${name}.`);
  return {
    statusCode: 200,
    headers: { 'content-type': APP_FILES[name]!.type, 'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=300', ...securityHeaders() },
    body: read(name),
  };
}

/** Serves /app, /app/{asset}, /app/views/{view} (and /app/): API Gateway routes those paths to this function. */
export const handler = httpHandler(ROUTES.appPage, getApp);
