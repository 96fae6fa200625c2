/**
 * Writing organizations: the directory use cases with the SNS provisioner that creates each
 * organization's topics. Only PUT /v1/organizations and directory-file loading import this, so only
 * they bundle the SNS client.
 */
import { makeDirectory } from '../domain/directory';
import { DynamoOnCallRepository } from '../adapters/dynamodb/oncall-repository';
import { derived } from './adapters';
import { snsProvisioner } from './sns';

/** Through the API: a change of contacts keeps the schedules and the escalation policy that name them whole. */
export const organizations = derived(({ config, overrides, clock, db, directoryRepository }) =>
  makeDirectory({ directory: directoryRepository, provisioner: overrides.provisioner ?? snsProvisioner(config), clock, oncall: new DynamoOnCallRepository(db, config.tableName) }));

/** From a directory file, which carries the schedules and policies its contacts go with (checked by the loader). */
export const organizationsOfFile = derived(({ config, overrides, clock, directoryRepository }) =>
  makeDirectory({ directory: directoryRepository, provisioner: overrides.provisioner ?? snsProvisioner(config), clock }));
