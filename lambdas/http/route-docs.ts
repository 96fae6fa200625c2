/**
 * What the OpenAPI document says of each route: summaries, descriptions, responses. Kept apart from
 * routes.ts so that functions do not bundle documentation they never serve.
 */
import type * as z from 'zod/mini';
import type { RouteName } from './routes';
import * as r from './response-schemas';

export interface ResponseSpec { description: string; schema?: z.ZodMiniType; contentType?: string }
export interface RouteDocs { summary: string; description?: string; responses: Record<number, ResponseSpec> }

const incident = { description: 'The incident.', schema: r.Incident };
const TAXII = 'application/taxii+json;version=2.1';

export const ROUTE_DOCS: Record<RouteName, RouteDocs> = {
  health: {
    summary: 'Liveness check.',
    responses: { 200: { description: 'The service answers.', schema: r.Health } },
  },
  openapi: {
    summary: 'This document.',
    responses: { 200: { description: 'The OpenAPI 3.1 document.' } },
  },
  reportIncident: {
    summary: 'Report an incident.',
    description: 'Creates an incident reported by the caller\'s organization, which always participates. With a `dedupKey` that your organization used for an incident that is not resolved yet, nothing is created and that incident is returned with 200.',
    responses: { 201: { description: 'Created; `location` names it.', schema: r.Incident }, 200: { description: 'An unresolved incident with the same dedupKey already exists: it is returned unchanged.', schema: r.Incident } },
  },
  listIncidents: {
    summary: 'List the incidents you may see, newest first.',
    description: '`scope=own` (the default): partners see incidents their organization participates in; managers also see every incident not labelled RED or AMBER+STRICT. `scope=community`: every GREEN and CLEAR incident of the community, whoever participates (TLP 2.0 lets them be shared within the community), the same list for partners and managers; any partner may read them (get, timeline, STIX, TAXII), only participants act on them (others 403). Other filters apply within the scope. Unknown query parameters, or another scope, are rejected (400). `cursor` is opaque and signed, and bound to the caller (organization and role), the scope and the exact filters: a changed cursor, or one from another caller, scope or filters, is a 400 naming `cursor`.',
    responses: { 200: { description: 'A page of incidents.', schema: r.IncidentPage } },
  },
  getIncident: {
    summary: 'Get an incident.',
    responses: { 200: incident },
  },
  acknowledgeIncident: {
    summary: 'Acknowledge for your organization.',
    description: 'One acknowledgement per organization; the first sets `acknowledgedAt`. Acknowledging again is a no-op 200. The body may be empty.',
    responses: { 200: incident },
  },
  assignIncident: {
    summary: 'Assign the incident to a participant organization.',
    description: 'The assignee must be a participant (400 otherwise). Reassigning is allowed.',
    responses: { 200: incident },
  },
  resolveIncident: {
    summary: 'Resolve the incident.',
    description: 'Resolving twice is a 409.',
    responses: { 200: incident },
  },
  addNote: {
    summary: 'Add a note to the timeline.',
    description: 'Allowed in every status, resolved included.',
    responses: { 201: { description: 'The timeline event.', schema: r.TimelineEvent } },
  },
  inviteParticipants: {
    summary: 'Bring organizations into the incident.',
    description: 'For CLEAR and GREEN any participant may invite, and any organization may add itself; for AMBER, AMBER+STRICT and RED only the reporter\'s organization (others 403). Every organization must be in the directory (400 naming each unknown one). Organizations already participating are left as they are; when none is new, nothing changes (200, same version). A resolved incident is a 409. New participants are notified as on a report; timeline `participants_added`. At most 50 participants.',
    responses: { 200: incident },
  },
  editIncident: {
    summary: 'Edit the incident (JSON merge patch).',
    description: 'A JSON merge patch (RFC 7396) of `title`, `description`, `severity`, `category`, `links` and `tlp`; any other field is a 400, and so is a patch that changes nothing. `null` removes `description` or `links`; title, severity, category and tlp may not be removed. `tlp` only by the reporter\'s organization (403). `If-Match: "<version>"` (optional; the ETag of every incident answer) makes it conditional: 412 when the incident has moved on, 400 when it is not a version. A narrower TLP hides the incident from then on (lists, TAXII, metrics), a wider one shows it. A severity change re-plans escalation. Timeline `updated` with `{"changes": {"<field>": {"from", "to"}}}`. Allowed in every status.',
    responses: { 200: incident },
  },
  reopenIncident: {
    summary: 'Reopen a resolved incident.',
    description: 'Within 30 days of `resolvedAt`: back to the status it had before (assigned, acknowledged or reported), `resolvedAt` and `resolution` cleared; metrics use its last resolve. An open incident, or one resolved more than 30 days ago, is a 409. Its acknowledgement code and dedup key were given up at resolve and are not claimed again.',
    responses: { 200: incident },
  },
  postStatusUpdate: {
    summary: 'Post a status update.',
    description: 'One structured line for every participant: `summary`, `phase`?, `nextUpdateInMinutes`? (5–1440). The incident carries it as `lastUpdate` and `nextUpdateDueAt`; the other participants are notified. When the due time passes with no newer update while the incident is open, the assignee\'s organization (else the reporter\'s) gets one reminder (`update_due`). A resolved incident is a 409. `ETag` is the incident\'s version after the update.',
    responses: { 201: { description: 'The timeline event `status_update`.', schema: r.TimelineEvent } },
  },
  linkIncident: {
    summary: 'Link the incident to another one.',
    description: 'Both incidents must be visible to the caller (404 otherwise). `duplicate` also resolves this incident with the resolution "Duplicate of <incidentId>" (409 when it is already resolved); a duplicate link that would close a cycle is a 400, and so is a link to itself. Linking again with the same relation changes nothing (200); another relation replaces it. At most 100 links per incident. The link is listed in this incident\'s `related`, which shows only incidents the viewer may see.',
    responses: { 201: { description: 'Linked: the incident.', schema: r.Incident }, 200: { description: 'Already linked so: the incident, unchanged.', schema: r.Incident } },
  },
  addObservables: {
    summary: 'Add observables to the incident (a participant).',
    description: 'Each observable is stored in canonical form; one already on the incident (same type, canonical value and platform) is left as it is, and when none is new nothing changes (200, the same version). Every invalid one is listed in the 400 (`observables.<i>.value` and why). At most 200 per incident. Timeline `observables_added`; `version` + 1. Correlation with other incidents follows on the stream: each incident sharing one gets a `correlated` event only if every participant of it may see the other.',
    responses: { 200: incident },
  },
  getRelated: {
    summary: 'Incidents related to this one: sharing an observable, or linked.',
    description: 'Only incidents the caller may see, newest first, each with the observables it shares with this one and, for a link, its `relation`. Matches are read from the correlation index, which the stream keeps (a report\'s matches appear within moments); the 1000 newest incidents of each observable are considered. RED and AMBER+STRICT incidents answered are recorded in the audit trail as reads (`related`). `cursor` is opaque and signed, bound to the caller and the incident.',
    responses: { 200: { description: 'A page of related incidents.', schema: r.RelatedPage } },
  },
  lookupObservable: {
    summary: 'Have we seen this before? The incidents you may see that carry an observable.',
    description: 'The query is canonicalized as on report (`platform` is required for `user-account`); an invalid value is a 400 naming it. Incident summaries, newest first, among the 1000 newest incidents carrying it. RED and AMBER+STRICT incidents answered are recorded in the audit trail as reads (`lookup`). `cursor` is bound to the caller and the observable.',
    responses: { 200: { description: 'A page of incident summaries.', schema: r.LookupPage } },
  },
  unlinkIncident: {
    summary: 'Remove a link.',
    description: 'A duplicate stays resolved (reopen it to undo that). No such link, or a linked incident the caller may not see: 404.',
    responses: { 204: { description: 'Removed.' } },
  },
  getIncidentAudit: {
    summary: 'Who read and who changed the incident, oldest first: for its participants.',
    description: 'Every change, every read of a RED or AMBER+STRICT incident, and every denied attempt to read it. Participants only: a caller who may see the incident but does not participate gets 403; one who may not see it, 404. At most `limit` entries (1–100, default 100) a page; `cursor` as for timelines.',
    responses: { 200: { description: 'A page of entries.', schema: r.AuditPage } },
  },
  listAudit: {
    summary: 'The audit trail in a window, oldest first: for admins.',
    description: '`from` (inclusive, default 24 hours before `to`) and `to` (exclusive, default now), at most 366 days apart; `orgId` keeps entries whose actor is of that organization (`unknown` for refused credentials); `action` keeps one action. Entries about a RED or AMBER+STRICT incident whose participants do not include the admin\'s organization are never shown one by one: once a UTC day has ended (and 5 minutes more), each acting organization\'s such entries of that whole day are one `restricted-summary` row `{kind, orgId, day, count}` (count: requests, a page carrying several incidents being one), after that day\'s entries, whatever part of the day the window covers; `orgId` and `action` filter the summaries too. A summary counts as a row of the page; a page sums up at most 31 days, so over a longer window a page may end early (even empty) with a `nextCursor`: follow it until it is null. No endpoint changes or deletes an entry.',
    responses: { 200: { description: 'A page of entries and day summaries.', schema: r.AdminAuditPage } },
  },
  getTimeline: {
    summary: 'The incident\'s timeline, oldest first, a page at a time.',
    description: 'At most `limit` events (1–100, default 100) per page; `nextCursor` continues after the page\'s last event and is null on the last page. `cursor` is opaque and signed, bound to the caller and the incident: a changed cursor, or one of another listing, is a 400 naming `cursor`. Unknown query parameters are rejected.',
    responses: { 200: { description: 'A page of events.', schema: r.Timeline } },
  },
  putOrganization: {
    summary: 'Create or replace an organization.',
    responses: { 201: { description: 'Created.', schema: r.Organization }, 200: { description: 'Replaced (or unchanged).', schema: r.Organization } },
  },
  listSchedules: {
    summary: 'An organization\'s on-call schedules.',
    description: 'Anyone of the organization (its keys, people, managers, admin); another organization\'s caller gets 404.',
    responses: { 200: { description: 'Every schedule.', schema: r.ScheduleList } },
  },
  putSchedule: {
    summary: 'Create or replace an on-call schedule.',
    description: 'The organization\'s own admin (another organization\'s admin: 403). Layers hand off at the same wall-clock time of the schedule\'s zone (`daily`, `weekly`) or every N elapsed hours; a later layer wins where it has someone; overrides win over all. 400 names the field for an unknown zone, a start that does not exist (the spring-forward gap), a member who is not a contact, a restriction whose `to` is not after `from`, overlapping restrictions, an override of a non-member. Audited (`schedule.put`).',
    responses: { 201: { description: 'Created.', schema: r.Schedule }, 200: { description: 'Replaced (or unchanged).', schema: r.Schedule } },
  },
  getSchedule: {
    summary: 'An on-call schedule, with its calendar link.',
    description: 'Anyone of the organization; another organization\'s caller gets 404.',
    responses: { 200: { description: 'The schedule.', schema: r.Schedule } },
  },
  deleteSchedule: {
    summary: 'Remove an on-call schedule.',
    description: 'The organization\'s own admin. 409 while its escalation policy names the schedule. Audited (`schedule.delete`).',
    responses: { 204: { description: 'Removed.' } },
  },
  rotateFeedToken: {
    summary: 'A new calendar link for a schedule; every earlier link stops working.',
    description: 'The organization\'s own admin. Audited (`schedule.feed_token`).',
    responses: { 200: { description: 'The schedule with its new `calendarUrl`.', schema: r.Schedule } },
  },
  addOverride: {
    summary: '"Take this shift": an override on a schedule of the caller\'s own organization.',
    description: 'A signed-in person adds one only for themselves: the contact of their organization whose email is the address their identity provider vouches for (`email` claim); no such contact: 403. The organization\'s admin may name any member contact (`contact`); other keys: 403. Another organization\'s caller: 404. 400 names the field: `to` not after `from`, not in the future or more than 93 days after `from`; `contact` not a member of a layer. Audited (`schedule.override`).',
    responses: { 201: { description: 'The schedule, with the new override last.', schema: r.Schedule } },
  },
  getShifts: {
    summary: 'The final shifts of a schedule over a window (at most 93 days), oldest first.',
    description: 'Overrides applied, computed from the schedule (its age does not matter). A shift overlapping the window is given whole (its real start and end, looked for up to 31 days beyond the window).',
    responses: { 200: { description: 'The shifts.', schema: r.ShiftList } },
  },
  getOnCall: {
    summary: 'Who is on call at an instant (default now), and until when.',
    description: '`contacts` holds the one contact on call, or none; `until` is when that changes (null: not within 93 days).',
    responses: { 200: { description: 'Who is on call.', schema: r.OnCall } },
  },
  getScheduleCalendar: {
    summary: 'The schedule\'s calendar feed (RFC 5545): the next 60 days\' shifts.',
    description: 'No credential but the signed feed token of `calendarUrl` (calendar apps send none): a wrong or revoked token is 403. One VEVENT per shift, stable UID, DTSTART/DTEND in UTC, the contact\'s name in SUMMARY.',
    responses: { 200: { description: 'The calendar.', contentType: 'text/calendar' } },
  },
  putEscalationPolicy: {
    summary: 'Set the organization\'s escalation policy.',
    description: 'The organization\'s own admin. Level 1 (`afterMinutes` 0) is paged when the organization is notified; level n+1 `afterMinutes` after level n while the organization has not acknowledged; then the policy repeats `repeat` times, then the service-wide escalation to managers applies. Targets are the organization\'s schedules and contacts. Audited (`escalation.put`).',
    responses: { 200: { description: 'The policy.', schema: r.EscalationPolicy } },
  },
  getEscalationPolicy: {
    summary: 'The organization\'s escalation policy.',
    description: 'Anyone of the organization; 404 when it has none (all its contacts are paged).',
    responses: { 200: { description: 'The policy.', schema: r.EscalationPolicy } },
  },
  listDirectory: {
    summary: 'Who may take part in an incident: every organization\'s id, name and kind.',
    description: 'For anyone signed in (the report form picks participants from it). No contacts, identity settings or keys.',
    responses: { 200: { description: 'Every organization.', schema: r.DirectoryList } },
  },
  listOrganizations: {
    summary: 'The directory, without secrets.',
    responses: { 200: { description: 'Every organization.', schema: r.OrganizationList } },
  },
  createKey: {
    summary: 'Create an API key for your own organization.',
    description: 'An admin creates keys for their own organization only (another organization\'s is 403): an admin minting a partner key for another organization could read its RED incidents. Another organization\'s first key comes from the operator (`npm run admin-key`, or a directory file locally). Every creation is announced to the organization\'s contacts (its topic) before the key exists. `defaults` are for partner keys only.',
    responses: { 201: { description: 'The key, shown only this once.', schema: r.CreatedKey } },
  },
  listKeys: {
    summary: 'An organization\'s API keys: ids, roles, created, last used, revoked; never a secret.',
    description: 'So a leaked key can be found and revoked without knowing its id. `lastUsedAt` is kept to the minute. Any admin may list and revoke any organization\'s keys.',
    responses: { 200: { description: 'Every key, revoked ones included.', schema: r.KeyList } },
  },
  deleteKey: {
    summary: 'Revoke an API key.',
    description: 'Locally the key stops working at once; behind API Gateway within the authorizer cache time (at most 60 s). A revoked key is kept as a tombstone: no restart or directory file brings it back. Revoking it again is 404.',
    responses: { 204: { description: 'Revoked.' } },
  },
  enqueueEvent: {
    summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve.',
    description: 'Point a tool\'s PagerDuty URL here. `routing_key` is a partner key of the reporting organization; its defaults (participants, TLP) apply. Mapping: summary → title (cut at a word boundary to 200 characters; the full summary is the description), source → source, severity critical|error|warning|info → critical|high|medium|low, class → category when it names one of ours (else other), custom_details → details, exactly as sent (PagerDuty\'s own fields under details.pagerduty, or details.concord_pagerduty where custom_details has a pagerduty key of its own), links → links. A trigger whose dedup_key names an open incident changes nothing; acknowledge and resolve of an unknown or resolved dedup_key are accepted and ignored. At most CONCORD_EVENTS_PER_MINUTE (default 300) events a minute per routing key, then 429 with retry-after. Unknown fields are ignored, as PagerDuty does. Errors use PagerDuty\'s shape, not problem documents; an unknown, revoked or non-partner routing key is answered exactly like any other invalid event.',
    responses: {
      202: { description: 'Accepted.', schema: r.PagerDutyAccepted },
      400: { description: 'Invalid event (or routing key).', schema: r.PagerDutyRejected },
      429: { description: 'Too many events for this routing key; see retry-after.', schema: r.PagerDutyRejected },
    },
  },
  receiveCloudWatchAlarm: {
    summary: 'Subscribe an SNS topic of CloudWatch alarms here.',
    description: 'An HTTPS endpoint for an SNS subscription; `routingKey` is a partner key, as for /v2/enqueue. The subscription is confirmed automatically. Every message\'s signature is verified against its signing certificate, fetched only from an sns.<region>.amazonaws.com host over HTTPS. ALARM triggers an incident and OK resolves it, deduplicated by the alarm ARN; other states change nothing. A bad signature or routing key is 403.',
    responses: { 200: { description: 'Processed (or deliberately ignored).' } },
  },
  putChat: {
    summary: 'Connect the organization\'s Slack and Teams channels.',
    description: 'Replaces the list of chat channels (an empty list disconnects them all); only the organization\'s own admin. Each incident the organization takes part in is posted once per Slack channel and kept current (notes and status updates as thread replies); each Teams channel gets an Adaptive Card per event. A TLP:RED incident is posted only as "A TLP:RED incident needs <org>: open Concord" with the link. Slack credentials (bot token, signing secret) are never sent here: they live in the organization\'s secret (`concord/<stage>/slack/<orgId>` in Secrets Manager). The answer shows a Teams webhook URL without its query (its signature). Audited as `organization.chat`.',
    responses: { 200: { description: 'The channels now connected.', schema: r.ChatConnections } },
  },
  slackInteractions: {
    summary: 'Slack interactivity: the Acknowledge button of an incident message.',
    description: 'Slack\'s Request URL for interactivity (form-encoded `payload`). The `v0` request signature (HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>` with the organization\'s signing secret) is verified in constant time, and the timestamp must be within 5 minutes; anything else is 401 and changes nothing. The button acknowledges for the organization, `via: "slack"`, `by` the Slack user\'s name. Answered at once with an ephemeral message; the incident message itself is updated through the stream.',
    responses: { 200: { description: 'An ephemeral Slack message: `{"response_type": "ephemeral", "text"}`.', schema: r.SlackAnswer }, 401: { description: 'Missing, stale or wrong signature.' } },
  },
  slackCommands: {
    summary: 'Slack slash command `/concord`.',
    description: '`/concord ack <code>` acknowledges the open incident with that code for the organization, `via: "slack"`, `by` the Slack user\'s name; `/concord open` lists the organization\'s open incidents (a TLP:RED one as its fixed line and link). Signature as for interactions; anything else 401.',
    responses: { 200: { description: 'An ephemeral Slack message.', schema: r.SlackAnswer }, 401: { description: 'Missing, stale or wrong signature.' } },
  },
  getAckPage: {
    summary: 'The page behind an emailed acknowledgement link.',
    description: 'Names the incident and offers a button that POSTs — unless the incident is resolved or the link\'s organization has already acknowledged, which the page says instead, with no button. Never changes anything: mail scanners open links. An expired (24 h), altered or malformed token is 403; an incident no longer there 404. All answers are HTML, errors included.',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' }, 403: { description: 'Expired, altered or malformed link (HTML).', contentType: 'text/html' }, 404: { description: 'No such incident (HTML).', contentType: 'text/html' } },
  },
  postAck: {
    summary: 'Acknowledge through an emailed link.',
    description: 'Acknowledges as the token\'s organization, by its contact, `via: "email"`. A repeat answers 200 "already acknowledged"; a resolved incident 409; an expired, altered or malformed token 403; an incident no longer there 404. All answers are HTML, errors included.',
    responses: { 200: { description: 'Acknowledged, or already acknowledged (HTML).', contentType: 'text/html' }, 403: { description: 'Expired, altered or malformed link (HTML).', contentType: 'text/html' }, 404: { description: 'No such incident (HTML).', contentType: 'text/html' }, 409: { description: 'The incident is resolved (HTML).', contentType: 'text/html' } },
  },
  replayNotifications: {
    summary: 'Publish again the notifications that failed after retries.',
    description: 'Each (event, organization) that has a `notification_failed` is published again; a success is recorded once as `notified`. Safe to run repeatedly and concurrently: each delivery is claimed (a lease of 2 minutes) before it is published, so concurrent replays and the notifier publish it once; one claimed by another run is left to it (counted neither replayed nor failed). A delivery whose run stopped while holding its claim is listed here too, and replayed once the lease has ended.',
    responses: { 200: { description: 'What was replayed.', schema: r.ReplayResult } },
  },
  getMetrics: {
    summary: 'Response-time figures over a window of reportedAt.',
    description: 'Window [from, to) of `reportedAt`. Only incidents the calling manager may see are counted: every incident not RED or AMBER+STRICT, and a restricted one only when the manager\'s organization participates. Counts and means are exact; percentiles are nearest-rank (pN is the smallest duration with at least N % of the observations at or below it), within 1 % relative error and never above the max. Time to acknowledge = first acknowledgedAt − reportedAt; with groupBy=org, each organization\'s own acknowledgement; an incident counts in every participant\'s group. Figures are pre-aggregated in buckets from a minute to a week long as incidents change (a few seconds behind the commands; the current minute is read from its incidents); partial minutes at the window\'s edges come from each minute\'s stored contributions, so any window is exact. With `Accept: text/csv`, the same figures as CSV: a row for all incidents, then one per group.',
    responses: { 200: { description: 'The figures (JSON, or CSV on Accept: text/csv).', schema: r.MetricsAnswer } },
  },
  getIncidentStix: {
    summary: 'The incident as a STIX 2.1 bundle.',
    description: 'Who may see the incident may export it (404 otherwise, as GET /v1/incidents/{id}). One `identity` per participating organization, the `incident` with OASIS\'s Incident Core extension, a `note` per timeline note, and OASIS\'s TLP 2.0 marking-definitions; every other object carries `object_marking_refs`. Ids are UUIDv5 of Concord\'s ids: exporting twice yields the same objects, and a changed incident a new `modified`. The bundle stays under what Lambda can answer (6 MB): notes past that are left out, newest first, and counted on the incident as `x_concord_notes_omitted`; TAXII serves every note, a page at a time.',
    responses: { 200: { description: 'A STIX 2.1 bundle.', contentType: 'application/stix+json;version=2.1' } },
  },
  taxiiDiscovery: {
    summary: 'TAXII 2.1 discovery.',
    description: 'The TAXII server\'s title and its one API root. TAXII routes answer `application/taxii+json;version=2.1` (Accept must admit it, else 406) and errors as TAXII error messages. Any key authenticates: Bearer, or HTTP Basic with the key as the password.',
    responses: { 200: { description: 'The discovery resource.', contentType: TAXII } },
  },
  taxiiApiRoot: {
    summary: 'The TAXII API root.',
    responses: { 200: { description: 'Versions and max_content_length.', contentType: TAXII } },
  },
  taxiiCollections: {
    summary: 'The TAXII collections: Concord\'s incidents.',
    responses: { 200: { description: 'The collections; can_write is true for partners.', contentType: TAXII } },
  },
  taxiiCollection: {
    summary: 'One TAXII collection.',
    responses: { 200: { description: 'The collection.', contentType: TAXII }, 404: { description: 'No such collection.', contentType: TAXII } },
  },
  taxiiObjects: {
    summary: 'STIX objects of the collection, oldest added first.',
    description: 'Exactly what GET /v1/incidents shows the caller, as STIX. Filters: `added_after`, `match[id]`, `match[type]`, `match[version]` (first, last, all or timestamps; Concord keeps one version per object), `match[spec_version]`, each comma-separated. `limit` ≤ 100; `next` is signed and bound to the caller and the filters; a page of very large objects ends early, with `next`. `date_added` follows commit order (an `added_after` poll from the last `date_added` it saw never misses a committed version). Headers X-TAXII-Date-Added-First/Last.',
    responses: { 200: { description: 'A TAXII envelope.', contentType: TAXII } },
  },
  taxiiAddObjects: {
    summary: 'Add STIX incidents (partners).',
    description: 'Content-Type `application/taxii+json;version=2.1` (else 415); at most max_content_length (64 KiB) bytes (else 413). Each `incident` is reported as your organization with its STIX id as the dedupKey (posting it again changes nothing while it is open); TLP from its TLP 2.0 (or 1.0) marking, unmarked AMBER; severity from the Incident Core criticality; participants from `x_concord_participants`, else the key\'s defaults. Marking-definitions and identities are accepted as context; other objects are failures.',
    responses: { 202: { description: 'The TAXII status resource.', contentType: TAXII } },
  },
  taxiiObject: {
    summary: 'One STIX object (its versions per match[version]).',
    responses: { 200: { description: 'A TAXII envelope.', contentType: TAXII }, 404: { description: 'Not there or not visible to the caller.', contentType: TAXII } },
  },
  taxiiObjectVersions: {
    summary: 'The versions of one STIX object.',
    responses: { 200: { description: 'The versions resource.', contentType: TAXII }, 404: { description: 'Not there or not visible to the caller.', contentType: TAXII } },
  },
  taxiiManifest: {
    summary: 'The manifest of the collection.',
    description: 'Same filters and paging as the objects route; one record per object: id, date_added, version, media_type.',
    responses: { 200: { description: 'The manifest.', contentType: TAXII } },
  },
  taxiiStatus: {
    summary: 'The status of an add-objects request.',
    description: 'Only to the organization that posted; kept 7 days.',
    responses: { 200: { description: 'The status resource.', contentType: TAXII }, 404: { description: 'No such status for your organization.', contentType: TAXII } },
  },
  appPage: {
    summary: 'The responders\' web app (HTML).',
    description: 'People sign in with their organization\'s identity provider (OpenID Connect, code + PKCE), operators with an API key: incidents, their timelines and actions, the report form, and response-time charts for managers. Talks to this API with relative URLs.',
    responses: { 200: { description: 'The page.', contentType: 'text/html' } },
  },
  appAsset: {
    summary: 'The app\'s scripts, styles and `config.json` (where people sign in: issuer, client id, resource, scope, organization claim).',
    responses: { 200: { description: 'The file.' }, 302: { description: '`index.html`: to the app itself (relative `location` `../app`), where the page\'s relative URLs resolve.' }, 404: { description: 'No such file.' } },
  },
  appView: {
    summary: 'The app\'s views: ES modules that the app\'s scripts import.',
    responses: { 200: { description: 'The module.', contentType: 'text/javascript' }, 404: { description: 'No such view.' } },
  },
  appSlash: {
    summary: 'The app\'s address with a trailing slash: a redirect to the app.',
    responses: { 302: { description: 'To the app (relative `location` `../app`).' } },
  },
  consolePage: {
    summary: 'The managers\' console moved to /app: a redirect there.',
    responses: { 302: { description: 'To the app (relative `location`).' } },
  },
  consoleAsset: {
    summary: 'The console\'s old files: a redirect to the app.',
    responses: { 302: { description: 'To the app (relative `location`).' } },
  },
};
