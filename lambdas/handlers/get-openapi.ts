import { httpHandler } from '../http/handler';
import { openApiDocument } from '../http/openapi';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';

export const getOpenApi = async () => json(200, openApiDocument());

export const handler = httpHandler(ROUTES.openapi, getOpenApi);
