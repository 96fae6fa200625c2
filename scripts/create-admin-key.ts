/**
 * The first admin key of a deployed stage, written with the operator's AWS credentials:
 *   npm run admin-key -- --stage prod --org cisa --name "Cybersecurity and Infrastructure Security Agency"
 * Creates the organization if it is missing (with its topic), tells its contacts, stores only the
 * key's hash, and prints the key once. This is the only way to make another organization's first
 * key: through the API, an admin creates keys for their own organization only.
 */
import { awsDirectory, stageArgs } from './aws-directory';

async function main() {
  const { values } = stageArgs({ org: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string', default: 'agency' } });
  const org = values.org;
  if (!org || !/^[a-z0-9-]{2,40}$/.test(org)) throw new Error('--org <id> is required: lowercase letters, digits and -, 2-40 characters');
  if (values.kind !== 'agency' && values.kind !== 'company') throw new Error('--kind is agency or company');
  const directory = awsDirectory(values.stage!, values.region);
  const existing = (await directory.listOrganizations()).find((o) => o.id === org);
  if (existing?.createdBy) {
    // Another organization's admin prepared this entry (its contacts, perhaps): the operator reviews
    // it and onboards it from a directory file, which replaces it, before any key exists for it.
    throw new Error(`${org} was created through the API by an admin of ${existing.createdBy}, not by the operator. Review it (GET /v1/organizations), then load ${org} from a directory file (npm run load-directory), which replaces that entry; then run this again.`);
  }
  if (!existing) {
    console.error(`Creating organization ${org}…`);
    await directory.putOrganization(org, { name: values.name ?? org, kind: values.kind, contacts: [] });
  }
  const { keyId, key } = await directory.bootstrapKey(org, 'admin');
  console.error(`Admin key ${keyId} for ${org} on stage ${values.stage}. It is shown only now; store it in your password manager.`);
  console.log(key);
}

main().catch((err: Error) => {
  console.error(`Could not create the admin key: ${err.message}`);
  process.exit(1);
});
