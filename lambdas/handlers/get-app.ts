/**
 * The responders' web app: static files served by the API itself (locally at /app, behind API
 * Gateway at /<stage>/app), so it needs no bucket or CDN of its own, plus `config.json`, which
 * tells the page where people sign in. The page talks to the API with relative URLs only.
 *
 * Sign-in settings come from the function's environment (set by the stack from the stage's user
 * pool, and by `npm start` from its embedded provider); without an issuer the page offers the
 * API-key sign-in only.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';
import { APP_ENV } from '../config/app-env';

export { APP_ENV };


const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

/** Where the files are: beside the bundle in Lambda (the construct copies them to `console/`), in the repository (and node_modules) locally. */
function locate(name: string): string {
  const candidates = [
    join(__dirname, 'console', name),
    join(__dirname, '..', '..', 'app', name),
    join(__dirname, '..', '..', 'node_modules', 'uplot', 'dist', name),
  ];
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

const origin = (url: string | undefined) => {
  try { return url ? new URL(url).origin : undefined; } catch { return undefined; }
};

export interface AppConfig { issuer: string | null; clientId: string | null; resource: string | null; scope: string; sendToken: 'access_token' | 'id_token'; orgClaim: string }

export function appConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const issuer = env[APP_ENV.issuer]?.replace(/\/$/, '') || null;
  return {
    issuer,
    clientId: issuer ? env[APP_ENV.clientId] || 'concord-app' : null,
    resource: env[APP_ENV.resource] || null,
    scope: env[APP_ENV.scope] || 'openid profile',
    sendToken: env[APP_ENV.sendToken] === 'id_token' ? 'id_token' : 'access_token',
    orgClaim: env[APP_ENV.orgClaim] || 'org',
  };
}

/** No inline scripts or styles; the page may reach this API and the identity provider only. */
export function securityHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const others = [env[APP_ENV.issuer], ...(env[APP_ENV.extraOrigins] ?? '').split(/[\s,]+/)].map(origin).filter((o): o is string => !!o);
  const connect = ["'self'", ...new Set(others)].join(' ');
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
  if (params.asset === 'index.html' || (params.asset === undefined && event?.path?.endsWith('/'))) return toApp();
  const name = params.asset ?? 'index.html';
  if (name === 'config.json') {
    return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache', ...securityHeaders() }, body: JSON.stringify(appConfig()) };
  }
  if (!Object.hasOwn(TYPES, name)) throw new NotFoundError(`No app file ${name}.`);
  return {
    statusCode: 200,
    headers: { 'content-type': TYPES[name]!, 'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=300', ...securityHeaders() },
    body: read(name),
  };
}

/** Serves /app and /app/{asset} (and /app/): API Gateway routes those paths to this function. */
export const handler = httpHandler(ROUTES.appPage, getApp);
