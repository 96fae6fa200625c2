/** The notice an organization's contacts get when a key is created for it, per SNS protocol. */
import type { KeyNotice, RenderedMessage } from '../../domain/ports';
import { ORG, SMS_MAX, SUBJECT_MAX, fit, toAscii, toGsm7 } from './messages';

/** A key was created for the organization: everyone on its topic hears of it, so a key nobody asked for is noticed. */
export function renderKeyNotice(n: KeyNotice): RenderedMessage {
  const subject = fit(toAscii(`[Concord] New ${n.role} API key for ${n.organization.name}`), SUBJECT_MAX);
  const body = [
    `A new ${n.role} API key was created for ${n.organization.name} (${n.organization.id}).`,
    '',
    `Key id:     ${n.keyId}`,
    `Role:       ${n.role}`,
    `Created:    ${n.at}`,
    `Created by: ${n.createdBy}`,
    '',
    `If nobody in ${n.organization.id} expected this key, have an admin revoke it at once: DELETE /v1/keys/${n.keyId}.`,
  ].join('\n');
  const sms = fit(toGsm7(`Concord: new ${n.role} API key ${n.keyId} for ${ORG(n.organization.id)}. Not expected? Have it revoked.`), SMS_MAX);
  return { sms, email: { subject, body }, default: `${subject}\n${n.keyId}` };
}
