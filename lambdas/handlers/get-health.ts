import { httpHandler } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export const getHealth = async () => json(200, { status: 'ok' });

export const handler = httpHandler(ROUTES.health, getHealth);
