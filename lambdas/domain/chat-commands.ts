/**
 * What a verified Slack request does for the organization whose signing secret it carries:
 * `/concord ack <code>` and the Acknowledge button acknowledge for that organization,
 * `via: "slack"`, `by` the Slack user's name; `/concord open` lists its open incidents.
 *
 * The request must come from a workspace the organization has connected (its `team`), so a
 * workspace that somehow holds the secret but is not the organization's acts for no one. Only
 * incidents the organization participates in are found; any other code is answered as unknown,
 * never saying whether such an incident exists. A RED incident is not acknowledged from chat
 * (RED is for named, cleared people, whom a Slack account does not prove): the answer is its fixed
 * line and the link, where a cleared person acknowledges.
 */
import { ConflictError, NotFoundError } from './errors';
import { openUrl, redLine, type ChatRequest } from './chat';
import type { Incident } from './incident';
import type { IncidentService } from './incident-service';
import type { IncidentRepository, Organization } from './ports';
import { isIncidentId } from '../shared/ids';

export interface ChatCommandDeps {
  incidents: Pick<IncidentService, 'acknowledgeFor' | 'openFor'>;
  repository: Pick<IncidentRepository, 'findOpenByAckCode' | 'get'>;
  baseUrl: string;
}

/** At most this many incidents in `/concord open`'s answer (it must fit one Slack message). */
export const OPEN_LIST_LIMIT = 20;

export const HELP = 'Concord: `/concord ack <code>` acknowledges an incident for your organization; `/concord open` lists its open incidents.';

const line = (s: string, max = 120) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export function makeChatCommands({ incidents, repository, baseUrl }: ChatCommandDeps) {
  const unknown = (code: string) => `Concord: no open incident of yours has code ${code}.`;

  async function acknowledge(org: Organization, incident: Incident | undefined, user: string, requestId: string, notFound: string): Promise<string> {
    if (!incident || !incident.participants.includes(org.id) || incident.status === 'resolved') return notFound;
    if (incident.tlp === 'RED') return `${redLine(org.name)} ${openUrl(baseUrl, incident.id)} (a TLP:RED incident is acknowledged there, by a person cleared for it).`;
    try {
      const { already } = await incidents.acknowledgeFor({ incidentId: incident.id, orgId: org.id, by: user, via: 'slack', requestId });
      return `Concord: ${already ? 'already acknowledged' : 'acknowledged'} for ${org.name}: ${line(incident.title)} ${openUrl(baseUrl, incident.id)}`;
    } catch (err) {
      if (err instanceof ConflictError) return `Concord: that incident is already resolved. ${openUrl(baseUrl, incident.id)}`;
      if (err instanceof NotFoundError) return notFound;
      throw err;
    }
  }

  return {
    /** The ephemeral answer's text. `connectedTeams`: the organization's Slack workspaces. */
    async handle(org: Organization, request: ChatRequest, requestId: string): Promise<string> {
      const teams = new Set((org.chat?.channels ?? []).flatMap((c) => (c.kind === 'slack' ? [c.team] : [])));
      if (!teams.has(request.team)) return `Concord: this Slack workspace is not connected to ${org.name}; its admin connects it with PUT /v1/organizations/${org.id}/chat.`;
      switch (request.kind) {
        case 'ack-code': {
          const record = await repository.findOpenByAckCode(request.code);
          return acknowledge(org, record?.incident, request.user, requestId, unknown(request.code));
        }
        case 'ack-incident': {
          const record = isIncidentId(request.incidentId) ? await repository.get(request.incidentId) : null;
          return acknowledge(org, record?.incident, request.user, requestId, 'Concord: that incident is not one of your organization\'s open incidents.');
        }
        case 'open': {
          const open = await incidents.openFor(org.id, { by: request.user, via: 'slack', requestId }, OPEN_LIST_LIMIT);
          if (!open.length) return `Concord: ${org.name} has no open incidents.`;
          const lines = open.map((i) => (i.tlp === 'RED'
            ? `• ${redLine(org.name)} ${openUrl(baseUrl, i.id)}`
            : `• [${i.severity}] TLP:${i.tlp} ${line(i.title)} (${i.status}) ${openUrl(baseUrl, i.id)}`));
          return `Concord: ${org.name}'s open incidents (newest first):\n${lines.join('\n')}`;
        }
        default:
          return HELP;
      }
    },
  };
}
