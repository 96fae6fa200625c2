import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import * as ROUTES from '../http/route-table';

export async function addNote({ caller, params, body }: Input<typeof ROUTES.addNote>) {
  const { incidents } = await container();
  return json(201, await incidents.addNote(caller, params.id!, body.text));
}

export const handler = httpHandler(ROUTES.addNote, addNote);
