/**
 * Loads a directory file (the format of CONCORD_DIRECTORY) into a deployed stage, with the
 * operator's AWS credentials: organizations, their topics and subscriptions, and hashed keys.
 *   npm run load-directory -- --stage prod directory.json
 * Idempotent: loading the same file twice changes nothing.
 */
import { readDirectoryFile } from '../local/start';
import { awsDirectory, stageArgs } from './aws-directory';

async function main() {
  const { values, positionals } = stageArgs();
  const file = positionals[0];
  if (!file) throw new Error('name the directory file: npm run load-directory -- --stage prod directory.json');
  const directory = readDirectoryFile(file);
  const service = awsDirectory(values.stage!, values.region);
  let n = 0;
  for (const org of directory.organizations) {
    await service.load({ organizations: [org] });
    console.error(`[${++n}/${directory.organizations.length}] ${org.id}: ${org.contacts.length} contacts, ${org.keys?.length ?? 0} keys`);
  }
  console.error('Done. Email subscriptions wait for each contact to confirm.');
}

main().catch((err: Error) => {
  console.error(`Could not load the directory: ${err.message}`);
  process.exit(1);
});
