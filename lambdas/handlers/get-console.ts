/**
 * The managers' console became the responders' app (/app), whose metrics views managers see.
 * Old bookmarks still work: /console and /console/{asset} redirect there. The locations are
 * relative, because behind API Gateway everything lives under /<stage>/.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { httpHandler, type Input } from '../http/handler';
import * as ROUTES from '../http/route-table';

export async function getConsole({ params }: Input<typeof ROUTES.consolePage>): Promise<APIGatewayProxyResult> {
  return {
    statusCode: 302,
    headers: { location: params.asset === undefined ? 'app' : '../app', 'cache-control': 'no-cache', 'content-type': 'text/plain; charset=utf-8' },
    body: 'The console moved to the responders\' app.',
  };
}

export const handler = httpHandler(ROUTES.consolePage, getConsole);
