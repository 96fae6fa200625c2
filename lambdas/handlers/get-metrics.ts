import { metrics as metricsService } from '../wiring/metrics';
import type { MetricsAnswer } from '../domain/metrics/service';
import { httpHandler, type Input } from '../http/handler';
import { header } from '../http/request';
import { json } from '../http/responses';
import { GET_METRICS } from '../http/metrics-route';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const COLUMNS = ['group', 'reported', 'acknowledged', 'resolved', 'open',
  'tta_count', 'tta_mean_s', 'tta_p50_s', 'tta_p90_s', 'tta_p99_s', 'tta_max_s',
  'ttr_count', 'ttr_mean_s', 'ttr_p50_s', 'ttr_p90_s', 'ttr_p99_s', 'ttr_max_s'];

type Figures = Pick<MetricsAnswer, 'incidents' | 'timeToAcknowledge' | 'timeToResolve'>;

const cell = (v: string | number | null) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const row = (key: string, f: Figures) => {
  const d = (x: Figures['timeToAcknowledge']) => [x.count, x.meanSeconds, x.p50Seconds, x.p90Seconds, x.p99Seconds, x.maxSeconds];
  return [key, f.incidents.reported, f.incidents.acknowledged, f.incidents.resolved, f.incidents.open, ...d(f.timeToAcknowledge), ...d(f.timeToResolve)].map(cell).join(',');
};

/** One row for all incidents, then one per group: what a spreadsheet wants. */
export function toCsv(answer: MetricsAnswer): string {
  return [COLUMNS.join(','), row('all', answer), ...answer.groups.map((g) => row(g.key, g))].join('\r\n') + '\r\n';
}

const wantsCsv = (event: APIGatewayProxyEvent) => /\btext\/csv\b/i.test(header(event, 'accept') ?? '');

export async function getMetrics({ query, caller }: Input<typeof GET_METRICS>, event: APIGatewayProxyEvent) {
  const metrics = await metricsService();
  // The caller's figures: only what their key may see (RED and AMBER+STRICT outside their org never).
  const answer = await metrics.query(query, caller);
  if (!wantsCsv(event)) return json(200, answer);
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="concord-metrics-${query.from.slice(0, 10)}.csv"` },
    body: toCsv(answer),
  };
}

export const handler = httpHandler(GET_METRICS, getMetrics);
