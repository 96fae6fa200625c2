/**
 * Reloads a directory file on purpose, after showing what it would change.
 *   npm run load-directory -- --stage prod directory.json            what would change in a stage
 *   npm run load-directory -- --stage prod directory.json --apply    and change it
 *   npm run load-directory -- --local directory.json [--apply]       the same for npm start's data
 *                                                                    (CONCORD_DATA_DIR; stop the server first)
 * A start only seeds: it adds organizations and keys the table has never had and revokes keys the
 * file dropped, but keeps every change made through the API. This command also replaces the
 * organizations that differ from the file. It never revives a revoked key.
 */
import { parseArgs } from 'node:util';
import type { DirectoryLoader, DirectoryPlan } from '../lambdas/domain/directory-file';
import { describePlan, localDirectory, readDirectoryFile } from '../local/start';
import { awsDirectory } from './aws-directory';
import { ENV } from '../lambdas/config/env';

async function main() {
  const { values, positionals } = parseArgs({
    options: { stage: { type: 'string' }, region: { type: 'string' }, local: { type: 'boolean', default: false }, apply: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file || (!values.stage && !values.local)) {
    throw new Error('usage: npm run load-directory -- (--stage <stage> | --local) <directory.json> [--apply]');
  }
  // npm start's data is local mode's (loopback issuers and endpoints allowed); a stage's never is.
  if (values.local) process.env[ENV.localMode] = 'true';
  const directoryFile = readDirectoryFile(file);
  let service: DirectoryLoader;
  let close = async () => {};
  if (values.local) {
    ({ service, close } = await localDirectory(process.env.CONCORD_DATA_DIR ?? '.concord/data'));
  } else {
    service = awsDirectory(values.stage!, values.region).files;
  }
  try {
    const plan: DirectoryPlan = await service.plan(directoryFile);
    console.error(describePlan(plan, 'reload').join('\n') || 'Nothing would change.');
    if (!values.apply) {
      console.error('Nothing was changed. Run again with --apply to make these changes.');
      return;
    }
    await service.apply(directoryFile, plan, 'reload');
    console.error('Applied. Email subscriptions wait for each contact to confirm.');
  } finally {
    await close();
  }
}

main().catch((err: Error) => {
  console.error(`Could not load the directory: ${err.message}`);
  process.exit(1);
});
