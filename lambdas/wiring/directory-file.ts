/** Loading directory files: for the local server, the operator's scripts and tests, never a function. */
import { container } from './incidents';
import { makeDirectoryLoader } from '../domain/directory-file';
import { derived } from './adapters';

export const directoryFiles = derived(async ({ clock, directoryRepository }) =>
  makeDirectoryLoader({ directory: directoryRepository, organizations: (await container()).directory, clock }));
