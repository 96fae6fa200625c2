/** The SNS client, made on first use: only the functions that publish or provision topics import this. */
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsProvisioner } from '../adapters/sns/provisioner';
import type { Config } from '../config/env';

let client: SNSClient | undefined;
export const snsClient = () => (client ??= new SNSClient({}));

export const snsProvisioner = (config: Config) => new SnsProvisioner(snsClient(), config.topicPrefix, config.topicKmsKey, config.pushDeadLetterArn);
