/**
 * The small HTML pages behind emailed acknowledgement links. A person opened the link from an
 * email, so every answer on /v1/ack/* is one of these pages, errors included, with the same
 * headers: no framing, no caching, no referrer, nothing loaded from anywhere.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { problemFor } from './problems';
import { html } from './responses';
import type { Incident } from '../domain/incident';
import { logger } from '../runtime/logger';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, body: string, headers: Record<string, string> = {}) {
  return html(status, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)} · Concord</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
.tlp{display:inline-block;padding:.1rem .5rem;background:#000;color:#ffc000;font-weight:700;letter-spacing:.05em}
.tlp.RED{color:#ff2b2b}.tlp.GREEN{color:#33ff00}.tlp.CLEAR{color:#fff}
button{font-size:1.1rem;padding:.6rem 1.4rem;border:0;border-radius:.3rem;background:#0b5fff;color:#fff;cursor:pointer}</style>
</head><body>${body}</body></html>`, { ...headers, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
}

const summary = (incident: Incident) =>
  `<p><span class="tlp ${escape(incident.tlp.replace('+', '-'))}">TLP:${escape(incident.tlp)}</span></p>
<h1>${escape(incident.title)}</h1>
<p>${escape(incident.severity)} · ${escape(incident.category)} · ${escape(incident.status)} · reported by ${escape(incident.reporter.orgId)} at ${escape(incident.reportedAt)}</p>`;

export const ackForm = (incident: Incident, orgId: string, contact: string) => page(200, incident.title, `${summary(incident)}
<form method="post"><p>Acknowledge for <strong>${escape(orgId.toUpperCase())}</strong> as <strong>${escape(contact)}</strong>?</p>
<button type="submit">Acknowledge</button></form>`);

/**
 * The incident in the responders' app, where the person can follow and work it after signing in.
 * Relative to /v1/ack/{token}, so it stays under the stage behind API Gateway.
 */
export const appLink = (incident: Incident) => `../../app#/incidents/${encodeURIComponent(incident.id)}`;
const openInApp = (incident: Incident) =>
  `<p><a href="${escape(appLink(incident))}">Open the incident in Concord</a> (you sign in with your organization's account).</p>`;

export const acknowledgedPage = (incident: Incident, orgId: string, already: boolean) => page(200, 'Acknowledged', `${summary(incident)}
<p>${already ? `${escape(orgId.toUpperCase())} had already acknowledged this incident. Nothing more to do.` : `Acknowledged for <strong>${escape(orgId.toUpperCase())}</strong>. Thank you.`}</p>
${openInApp(incident)}`);

/** A resolved incident: nothing left to acknowledge (200 on GET, 409 on POST). */
export const resolvedPage = (status: number, incident: Incident) => page(status, 'Resolved', `${summary(incident)}
<p>This incident is resolved; there is nothing left to acknowledge.</p>
${openInApp(incident)}`);

export const errorPage = (status: number, message: string, headers: Record<string, string> = {}) =>
  page(status, 'Concord', `<h1>${escape(message)}</h1>`, headers);

/** Any failure on an ack route as a page: domain errors with their status, anything else a 500. */
export function errorAsPage(err: unknown, requestId: string): APIGatewayProxyResult {
  const known = problemFor(err);
  if (known) return errorPage(known.status, (err as Error).message, known.headers);
  logger.error('unhandled error', { requestId, error: err });
  return errorPage(500, `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
}
