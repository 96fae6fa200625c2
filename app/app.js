// The managers' console: plain JavaScript over the public API, no framework, uPlot for charts.
(() => {
  'use strict';
  const $ = (s) => document.querySelector(s);
  const SEVERITIES = ['critical', 'high', 'medium', 'low'];
  const COLORS = { critical: '#b50909', high: '#e07000', medium: '#b89200', low: '#5c8a00' };
  const DAY = 86400000;
  let key = sessionStorage.getItem('concord-key') || '';
  const charts = [];

  const text = (tag, content, className) => {
    const el = document.createElement(tag);
    el.textContent = content;
    if (className) el.className = className;
    return el;
  };

  async function api(path) {
    const res = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(body.detail || `HTTP ${res.status}`), { status: res.status });
    return body;
  }

  async function signIn(candidate) {
    key = candidate;
    // A manager may read metrics; anything else is refused with 403, an unknown key with 401.
    const now = new Date();
    await api(`v1/metrics?from=${new Date(now - DAY).toISOString()}&to=${now.toISOString()}`);
    sessionStorage.setItem('concord-key', key);
    $('#sign-in').hidden = true;
    $('#dashboard').hidden = false;
    $('#sign-out').hidden = false;
    $('#who').textContent = 'manager';
    await Promise.all([loadIncidents(), loadCharts()]);
  }

  async function loadIncidents() {
    const open = [];
    let cursor = null;
    do {
      const page = await api(`v1/incidents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      open.push(...page.items.filter((i) => i.status !== 'resolved'));
      cursor = page.nextCursor;
    } while (cursor && open.length < 500);
    const body = $('#incidents tbody');
    body.replaceChildren(...open.map((incident) => {
      const row = document.createElement('tr');
      row.dataset.id = incident.id;
      row.append(
        Object.assign(document.createElement('td'), { className: '' }),
        document.createElement('td'), text('td', incident.title), text('td', incident.status),
        text('td', incident.participants.join(', ')), text('td', new Date(incident.reportedAt).toLocaleString()),
      );
      row.cells[0].append(text('span', incident.severity, `sev ${incident.severity}`));
      row.cells[1].append(text('span', `TLP:${incident.tlp}`, `tlp ${incident.tlp.replace('+', '-')}`));
      row.addEventListener('click', () => showTimeline(incident, row));
      return row;
    }));
    $('#open-count').textContent = `(${open.length})`;
  }

  async function showTimeline(incident, row) {
    document.querySelectorAll('#incidents tr.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
    const events = [];
    let cursor = null;
    do { // 100 events a page; the console shows the first 1,000
      const page = await api(`v1/incidents/${incident.id}/timeline${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < 1000);
    $('#timeline-title').textContent = incident.title;
    $('#timeline').replaceChildren(...events.map((e) => {
      const li = document.createElement('li');
      li.append(text('strong', e.type.replace('_', ' ')), ' ');
      const who = [e.actor.orgId, e.actor.by].filter(Boolean).join(', ');
      const detail = e.data.text || e.data.resolution || e.data.note || (e.data.orgId ? `to ${e.data.orgId}` : '');
      if (detail) li.append(text('span', String(detail)));
      li.append(document.createElement('br'), text('span', `${new Date(e.at).toLocaleString()} · ${who} · ${e.actor.via}`, 'meta'));
      return li;
    }));
    $('#timeline-panel').hidden = false;
  }

  function draw(target, data, series, opts = {}) {
    const el = $(target);
    el.replaceChildren();
    const chart = new uPlot({
      width: Math.max(360, el.clientWidth || 420), height: 240,
      series: [{}, ...series], axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }], scales: { x: { time: opts.time !== false } }, ...opts.uplot,
    }, data, el);
    charts.push(chart);
    return chart;
  }

  async function loadCharts() {
    charts.splice(0).forEach((c) => c.destroy());
    const days = Number($('#days').value);
    const end = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) + DAY;
    const starts = Array.from({ length: days }, (_, i) => end - (days - i) * DAY);
    const daily = await Promise.all(starts.map((t) => api(`v1/metrics?from=${new Date(t).toISOString()}&to=${new Date(t + DAY).toISOString()}&groupBy=severity`)));
    const x = starts.map((t) => t / 1000);
    const bySeverity = (field, unit) => SEVERITIES.map((s) => daily.map((d) => {
      const g = d.groups.find((group) => group.key === s);
      const v = g && g[field].p50Seconds;
      return v == null ? null : v / unit;
    }));
    const severitySeries = SEVERITIES.map((s) => ({ label: s, stroke: COLORS[s], width: 2, spanGaps: true, points: { show: true } }));
    draw('#chart-tta', [x, ...bySeverity('timeToAcknowledge', 60)], severitySeries);
    draw('#chart-ttr', [x, ...bySeverity('timeToResolve', 3600)], severitySeries);

    const byOrg = await api(`v1/metrics?from=${new Date(starts[0]).toISOString()}&to=${new Date(end).toISOString()}&groupBy=org`);
    const orgs = byOrg.groups.filter((g) => g.timeToAcknowledge.count > 0);
    draw('#chart-org', [orgs.map((_, i) => i), orgs.map((g) => g.timeToAcknowledge.p50Seconds / 60)], [
      { label: 'median minutes', stroke: '#0b5fff', fill: 'rgba(11,95,255,.35)', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
    ], { time: false, uplot: {
      scales: { x: { time: false, range: [-0.5, Math.max(orgs.length, 1) - 0.5] }, y: { range: (_u, _min, max) => [0, (max || 1) * 1.1] } },
      axes: [{ splits: () => orgs.map((_, i) => i), values: (_u, ticks) => ticks.map((t) => (orgs[t] ? orgs[t].key : '')) }, { size: 70, values: (_u, ticks) => ticks.map((t) => +t.toPrecision(3)) }],
    } });
  }

  $('#sign-in').addEventListener('submit', (e) => {
    e.preventDefault();
    $('#sign-in-error').textContent = '';
    signIn($('#key').value.trim()).catch((err) => {
      $('#sign-in-error').textContent = err.status === 403 ? 'That key is not a manager key.' : err.status === 401 ? 'Unknown key.' : err.message;
    });
  });
  $('#sign-out').addEventListener('click', () => { sessionStorage.removeItem('concord-key'); location.reload(); });
  $('#days').addEventListener('change', () => loadCharts());
  if (key) signIn(key).catch(() => sessionStorage.removeItem('concord-key'));
})();
