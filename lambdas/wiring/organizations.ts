/**
 * Writing organizations: the directory use cases with the SNS provisioner that creates each
 * organization's topics. Only PUT /v1/organizations and directory-file loading import this, so only
 * they bundle the SNS client.
 */
import { makeDirectory } from '../domain/directory';
import { derived } from './adapters';
import { snsProvisioner } from './sns';

export const organizations = derived(({ config, overrides, clock, directoryRepository }) =>
  makeDirectory({ directory: directoryRepository, provisioner: overrides.provisioner ?? snsProvisioner(config), clock }));
