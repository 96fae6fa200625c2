/**
 * The escalation timer (the scheduled function that runs every minute): open incidents across 50
 * organizations, each organization with a daily rotation and a two-level escalation policy. Each
 * report is notified (level 1 paged, as the stream would), then the clock moves past the severity's
 * escalation time and level 2's delay, and the timer runs: once with everything due (escalations
 * and level-2 pages), once more at once (nothing due: its idle cost). Measured: time, DynamoDB
 * requests and what it did, at two volumes, to show how a run grows.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../lambdas/config/env';
import { handler as escalate } from '../lambdas/handlers/escalate-incidents';
import { container, resetContainer } from '../lambdas/wiring/incidents';
import { directoryFiles } from '../lambdas/wiring/directory-file';
import { notifications } from '../lambdas/wiring/notifications';
import type { Caller } from '../lambdas/domain/actor';
import { LocalOutbox } from '../local/outbox';
import { progress } from './support';

const ORGS = Array.from({ length: 50 }, (_, i) => `esc-${String(i).padStart(2, '0')}`);

function counting(client: DynamoDBDocumentClient, tally: { requests: number }) {
  client.middlewareStack.add((next) => async (args) => { tally.requests++; return next(args); }, { step: 'initialize', name: 'countTimerRequests' });
}

export async function benchEscalationTimer(endpoint: string, newTable: (name: string, stream?: boolean) => Promise<string>, volumes: number[]) {
  const rows: Array<Record<string, unknown>> = [];
  for (const open of volumes) {
    const tableName = await newTable(`bench-timer-${open}`, true);
    process.env[ENV.tableName] = tableName;
    process.env[ENV.dynamodbEndpoint] = endpoint;
    process.env[ENV.signingSecret] = 'bench-signing-secret-0123456789abcdef0123';
    process.env[ENV.publicBaseUrl] = 'http://localhost:3000';
    let now = Date.parse('2026-11-03T12:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const tally = { requests: 0 };
    const outbox = new LocalOutbox(() => new Date(now));
    resetContainer({ publisher: outbox, provisioner: outbox, clock, onDynamoDbClient: (c) => counting(c, tally) });
    await (await directoryFiles()).load({
      organizations: ORGS.map((id) => ({
        id, name: id, kind: 'agency',
        contacts: [{ id: 'day', name: 'day', email: `day@${id}.example`, phone: '+12025550100' }, { id: 'night', name: 'night', email: `night@${id}.example`, phone: '+12025550101' }, { id: 'lead', name: 'lead', email: `lead@${id}.example`, phone: null }],
        keys: [{ role: 'partner', key: `bench-${id}-partner-key-0000000000` }],
        schedules: [{ id: 'watch', name: 'Watch', timeZone: 'America/New_York', layers: [{ start: '2026-10-01T09:00', rotation: 'daily', members: ['day', 'night'] }] }],
        escalation: { levels: [{ afterMinutes: 0, targets: [{ schedule: 'watch' }] }, { afterMinutes: 5, targets: [{ contact: 'lead' }] }] },
      })),
    });
    const { incidents } = await container();
    const { notifier } = await notifications();
    const bar = progress(`  escalation timer: ${open.toLocaleString('en')} open incidents across ${ORGS.length} organizations`);
    for (let i = 0; i < open; i++) {
      const reporter = ORGS[i % ORGS.length]!;
      const caller: Caller = { orgId: reporter, role: 'partner', keyId: 'bench' };
      const { incident } = await incidents.report(caller, { title: `Timer ${i}`, severity: 'critical', category: 'ddos', participants: [ORGS[(i + 1) % ORGS.length]!, ORGS[(i + 2) % ORGS.length]!] });
      const [reported] = (await incidents.unrecorded(caller, 'read').events(incident)).slice(0, 1);
      await notifier.notify(incident.id, reported!);
      if (i % 50 === 0) bar(i / open);
    }
    bar.done();
    // Past critical's escalation time (5 minutes) and level 2's delay.
    now += 10 * 60_000;
    // The first run catches up with both escalation levels and level 2's pages; the second, at once, finds nothing due.
    for (const run of ['everything due', 'again at once (nothing due)']) {
      tally.requests = 0;
      const started = performance.now();
      const done = await escalate();
      rows.push({ openIncidents: open, organizations: ORGS.length, run, ms: +(performance.now() - started).toFixed(1), requests: tally.requests, ...done });
    }
  }
  return rows;
}
