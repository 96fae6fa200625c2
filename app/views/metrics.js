// The managers' response times: daily medians by severity and each organization's median, drawn
// with uPlot (loaded by index.html as a classic script: the global `uPlot`) from GET v1/metrics.

import { api } from '../api.js';
import { $ } from '../dom.js';
import { rules } from '../rules.js';
import { state } from '../state.js';
import { show } from './shell.js';

/** Severity lines on the charts' white: each at least 3:1 (WCAG 1.4.11). */
const COLORS = { critical: '#b50909', high: '#e07000', medium: '#957600', low: '#5c8a00' };
/** A severity the app has no colour for yet (the API added one) is drawn in grey, at 3:1 too. */
const colorOf = (severity) => COLORS[severity] ?? '#767676';
const DAY = 86400000;
const charts = [];

function draw(target, data, series, opts = {}) {
  const node = $(target);
  node.replaceChildren();
  const width = Math.max(260, Math.min(node.clientWidth || 420, 900));
  const chart = new uPlot({
    width, height: 240,
    series: [{}, ...series], axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }], scales: { x: { time: opts.time !== false } }, ...opts.uplot,
  }, data, node);
  charts.push(chart);
  return chart;
}

export function initMetrics() {
  $('#days').addEventListener('change', () => renderMetrics());
}

export async function renderMetrics() {
  show('view-metrics');
  document.title = 'Response times · Concord';
  $('#metrics-denied').hidden = state.isManager;
  $('#dashboard').hidden = !state.isManager;
  if (!state.isManager) return;
  charts.splice(0).forEach((c) => c.destroy());
  const days = Number($('#days').value);
  const today = new Date();
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + DAY;
  const starts = Array.from({ length: days }, (_, i) => end - (days - i) * DAY);
  const daily = await Promise.all(starts.map((t) => api(`v1/metrics?from=${new Date(t).toISOString()}&to=${new Date(t + DAY).toISOString()}&groupBy=severity`)));
  const x = starts.map((t) => t / 1000);
  const bySeverity = (name, unit) => rules.severities.map((s) => daily.map((d) => {
    const g = d.groups.find((group) => group.key === s);
    const v = g && g[name].p50Seconds;
    return v == null ? null : v / unit;
  }));
  const severitySeries = rules.severities.map((s) => ({ label: s, stroke: colorOf(s), width: 2, spanGaps: true, points: { show: true } }));
  draw('#chart-tta', [x, ...bySeverity('timeToAcknowledge', 60)], severitySeries);
  draw('#chart-ttr', [x, ...bySeverity('timeToResolve', 3600)], severitySeries);
  const byOrg = await api(`v1/metrics?from=${new Date(starts[0]).toISOString()}&to=${new Date(end).toISOString()}&groupBy=org`);
  const orgs = byOrg.groups.filter((g) => g.timeToAcknowledge.count > 0);
  draw('#chart-org', [orgs.map((_, i) => i), orgs.map((g) => g.timeToAcknowledge.p50Seconds / 60)], [
    { label: 'median minutes', stroke: '#0b5fff', fill: 'rgba(11,95,255,.35)', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
  ], { time: false, uplot: {
    scales: { x: { time: false, range: [-0.5, Math.max(orgs.length, 1) - 0.5] }, y: { range: (_u, _min, max) => [0, (max || 1) * 1.1] } },
    axes: [{ splits: () => orgs.map((_, i) => i), values: (_u, ticks) => ticks.map((t) => (orgs[t] ? orgs[t].key : '')) }, { size: 60, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }],
  } });
}
