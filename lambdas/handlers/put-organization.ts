import { ValidationError } from '../domain/errors';
import { container } from '../wiring/incidents';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';
import { OrgId } from '../http/schemas';

export async function putOrganization({ caller, params, body }: Input<typeof ROUTES.putOrganization>) {
  const id = params.id!;
  const valid = OrgId.safeParse(id);
  if (!valid.success) {
    throw new ValidationError('The organization id is not valid.', [{ path: 'id', message: valid.error.issues[0]!.message }]);
  }
  const { directory } = await container();
  const { created, organization } = await directory.putOrganization(id, body, caller);
  return json(created ? 201 : 200, organization, created ? { location: `/v1/organizations/${id}` } : {});
}

export const handler = httpHandler(ROUTES.putOrganization, putOrganization);
