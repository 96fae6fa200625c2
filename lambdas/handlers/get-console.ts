/**
 * The managers' console: a static page and its scripts, served by the API itself (locally at
 * /console, behind API Gateway at /<stage>/console), so it needs no bucket or CDN of its own. The
 * page talks to the API with relative URLs and the manager's key, which it keeps in the tab only.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../domain/errors';
import { httpHandler, type Input } from '../http/handler';
import { ROUTES } from '../http/routes';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
};

/** Where the files are: beside the bundle in Lambda, in the repository (and node_modules) locally. */
function locate(name: string): string {
  const candidates = [
    join(__dirname, 'console', name),
    join(__dirname, '..', '..', 'console', name),
    join(__dirname, '..', '..', 'node_modules', 'uplot', 'dist', name),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`console asset ${name} is missing`);
  return found;
}

const cache = new Map<string, string>();
const read = (name: string) => {
  let body = cache.get(name);
  if (body === undefined) cache.set(name, (body = readFileSync(locate(name), 'utf8')));
  return body;
};

const HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function getConsole({ params }: Input<typeof ROUTES.consolePage>): Promise<APIGatewayProxyResult> {
  const name = params.asset ?? 'index.html';
  if (!Object.hasOwn(TYPES, name)) throw new NotFoundError(`No console file ${name}.`);
  return {
    statusCode: 200,
    headers: { 'content-type': TYPES[name]!, 'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=300', ...HEADERS },
    body: read(name),
  };
}

/** Serves both /console and /console/{asset}: API Gateway routes the two paths to this function. */
export const handler = httpHandler(ROUTES.consolePage, getConsole);
