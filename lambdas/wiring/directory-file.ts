/** Loading directory files: for the local server, the operator's scripts and tests, never a function. */
import { makeDirectoryLoader } from '../domain/directory-file';
import { derived } from './adapters';
import { organizationsOfFile } from './organizations';
import { onCallRepository } from './oncall';

export const directoryFiles = derived(async ({ clock, directoryRepository }) =>
  makeDirectoryLoader({ directory: directoryRepository, organizations: await organizationsOfFile(), clock, oncall: await onCallRepository() }));
