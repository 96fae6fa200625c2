import { httpHandler } from '../http/handler';
import { openApiDocument } from '../http/openapi';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export const getOpenApi = async () => json(200, openApiDocument());

export const handler = httpHandler(ROUTES.openapi, getOpenApi);
