import { ValidationError } from '../domain/errors';
import { container } from '../container';
import { httpHandler, type Input } from '../http/handler';
import { json } from '../http/responses';
import { ROUTES } from '../http/routes';
import { ORG_ID_PATTERN } from '../http/schemas';

export async function putOrganization({ params, body }: Input<typeof ROUTES.putOrganization>) {
  const id = params.id!;
  if (!ORG_ID_PATTERN.test(id)) {
    throw new ValidationError('The organization id is not valid.', [{ path: 'id', message: 'lowercase letters, digits and "-", 2–40 characters' }]);
  }
  const { directory } = await container();
  const { created, organization } = await directory.putOrganization(id, body);
  return json(created ? 201 : 200, organization, created ? { location: `/v1/organizations/${id}` } : {});
}

export const handler = httpHandler(ROUTES.putOrganization, putOrganization);
