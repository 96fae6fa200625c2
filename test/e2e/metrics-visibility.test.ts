/**
 * TLP through GET /v1/metrics: a manager learns nothing about a RED or AMBER+STRICT incident their
 * organization does not participate in. The same history is played twice on its own table under
 * the same injected clock, once with two restricted incidents cisa is not in and once without them;
 * cisa's manager must get byte-identical answers (JSON and CSV, every groupBy, windows from a day
 * down to one millisecond at a hidden report), both while one of them is read live from the
 * incidents (current minute) and once all are in the buckets, while odni's manager, a participant,
 * counts them.
 */
import { ManualClock } from '../support/memory-repositories';
import { KEYS, eventually, report, startTestApi, type TestApi } from '../support/harness';

const T0 = Date.parse('2026-03-10T09:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const GREEN_AT = T0 + 10 * MIN;
const STRICT_CISA_AT = T0 + 12 * MIN + 7;
const RED_AT = T0 + 15 * MIN + 123;
const STRICT_AT = T0 + 16 * MIN + 1;
/** Reported in the minute the first answers are read live, from the incidents. */
const LATE_AT = T0 + 44 * MIN + 30_007;
const LIVE_NOW = T0 + 44 * MIN + 50_000;

type Step = { at: number; run(api: TestApi, ids: Map<string, string>): Promise<unknown> };

const reportStep = (name: string, at: number, key: string, body: Record<string, unknown>): Step => ({
  at,
  async run(api, ids) {
    const r = await api.call(key, 'POST', '/v1/incidents', report(body));
    expect(r.status).toBe(201);
    expect(Date.parse(r.body.reportedAt)).toBe(at);
    ids.set(name, r.body.id);
  },
});
const ackStep = (name: string, at: number, key: string): Step => ({
  at, run: async (api, ids) => expect((await api.call(key, 'POST', `/v1/incidents/${ids.get(name)}/acknowledge`, {})).status).toBe(200),
});
const resolveStep = (name: string, at: number, key: string): Step => ({
  at, run: async (api, ids) => expect((await api.call(key, 'POST', `/v1/incidents/${ids.get(name)}/resolve`, { resolution: 'done' })).status).toBe(200),
});

/** What every run has: a GREEN incident, and an AMBER+STRICT one cisa participates in. */
const VISIBLE: Step[] = [
  reportStep('green', GREEN_AT, KEYS.partner.facebook, { tlp: 'GREEN', severity: 'high', category: 'phishing', participants: ['fbi'] }),
  ackStep('green', GREEN_AT + 90_000, KEYS.partner.fbi),
  resolveStep('green', GREEN_AT + 20 * MIN, KEYS.partner.facebook),
  reportStep('strict-cisa', STRICT_CISA_AT, KEYS.partner.facebook, { tlp: 'AMBER+STRICT', severity: 'medium', category: 'intrusion', participants: ['cisa'] }),
  ackStep('strict-cisa', STRICT_CISA_AT + 4_321, KEYS.partner.cisa),
];

/** What only the first run has: restricted incidents of organizations other than cisa. */
const HIDDEN: Step[] = [
  reportStep('red', RED_AT, KEYS.partner.twitter, { tlp: 'RED', severity: 'critical', category: 'ransomware', participants: ['odni', 'google'] }),
  ackStep('red', RED_AT + 1_234, KEYS.partner.odni),
  ackStep('red', RED_AT + 7_000, KEYS.partner.google),
  resolveStep('red', RED_AT + 5 * MIN, KEYS.partner.twitter),
  reportStep('strict', STRICT_AT, KEYS.partner.google, { tlp: 'AMBER+STRICT', severity: 'low', category: 'ddos', participants: ['odni'] }),
  ackStep('strict', STRICT_AT + 61_000, KEYS.partner.odni),
  resolveStep('strict', STRICT_AT + 9 * MIN, KEYS.partner.google),
  reportStep('late', LATE_AT, KEYS.partner.google, { tlp: 'RED', severity: 'critical', category: 'account-takeover', participants: ['odni'] }),
  ackStep('late', LATE_AT + 5_000, KEYS.partner.odni),
];

const WINDOWS: Array<[number, number]> = [
  [Date.parse('2026-03-10T00:00:00.000Z'), Date.parse('2026-03-11T00:00:00.000Z')],
  [T0, T0 + 60 * MIN],
  [T0 - 3 * 60 * MIN + 17, T0 + 30 * 60 * MIN + 5],
  [RED_AT, RED_AT + 1],
  [STRICT_AT, STRICT_AT + 1],
  [RED_AT - 500, RED_AT + 500],
  [T0 + 15 * MIN, T0 + 16 * MIN + 2],
  [STRICT_CISA_AT, RED_AT + 1],
  [LATE_AT, LATE_AT + 1],
  [T0 + 44 * MIN, T0 + 46 * MIN],
];
const GROUP_BYS = ['', '&groupBy=severity', '&groupBy=category', '&groupBy=org'];

interface Run { cisa: string[]; odni: Array<{ reported: number; acknowledged: number; resolved: number }> }

async function play(steps: Step[]): Promise<{ live: Run; buckets: Run }> {
  const clock = new ManualClock(T0);
  const api = await startTestApi({ metrics: true, overrides: { clock } });
  try {
    const ids = new Map<string, string>();
    for (const step of [...steps].sort((a, b) => a.at - b.at)) {
      clock.advance((step.at - clock.now().getTime()) / 1000);
      await step.run(api, ids);
    }
    const answers = async (): Promise<Run> => {
      const cisa: string[] = [];
      const odni: Run['odni'] = [];
      for (const [from, to] of WINDOWS) {
        for (const g of GROUP_BYS) {
          const path = `/v1/metrics?from=${iso(from)}&to=${iso(to)}${g}`;
          const json = await api.call(KEYS.manager.cisa, 'GET', path);
          expect(json.status).toBe(200);
          cisa.push(json.text, (await api.call(KEYS.manager.cisa, 'GET', path, undefined, { accept: 'text/csv' })).text);
          if (!g) odni.push((await api.call(KEYS.manager.odni, 'GET', path)).body.incidents);
        }
      }
      return { cisa, odni };
    };
    const hidden = steps.some((s) => s.at === RED_AT);
    const day = `/v1/metrics?from=2026-03-10T00:00:00.000Z&to=2026-03-11T00:00:00.000Z&groupBy=org`;
    const handledByOrg = async (key: string) => (await api.call(key, 'GET', day)).body.groups.reduce((n: number, g: any) => n + g.incidents.resolved + g.incidents.acknowledged, 0);
    // Wait until the aggregator has folded everything in: each organization's acknowledgements and resolutions.
    const settled = () => eventually(async () => (await handledByOrg(KEYS.manager.odni)) >= (hidden ? 3 + 5 + 3 + 1 : 3)
      && (await handledByOrg(KEYS.manager.cisa)) >= 2 + 1 + 1, 120_000);
    // The minute of the late report is read live from the incidents, the rest from buckets.
    clock.advance((LIVE_NOW - clock.now().getTime()) / 1000);
    await settled();
    const live = await answers();
    // Two days on, everything comes from the buckets and the stored minutes.
    clock.advance(2 * 86400);
    await settled();
    return { live, buckets: await answers() };
  } finally {
    await api.stop();
  }
}

it('a manager outside a RED or AMBER+STRICT incident gets the same figures with or without it', async () => {
  const withHidden = await play([...VISIBLE, ...HIDDEN]);
  const without = await play(VISIBLE);
  for (const phase of ['live', 'buckets'] as const) {
    expect(withHidden[phase].cisa).toHaveLength(WINDOWS.length * GROUP_BYS.length * 2);
    withHidden[phase].cisa.forEach((answer, i) => expect(answer).toBe(without[phase].cisa[i]));
    // cisa sees its own AMBER+STRICT incident and the GREEN one: the whole day counts both.
    expect(JSON.parse(without[phase].cisa[0]!).incidents).toEqual({ reported: 2, acknowledged: 2, resolved: 1, open: 1 });
    // odni participates in the hidden incidents: its figures count them (and not cisa's AMBER+STRICT one).
    expect(without[phase].odni[0]).toEqual({ reported: 1, acknowledged: 1, resolved: 1, open: 0 });
    expect(withHidden[phase].odni[0]).toEqual({ reported: 4, acknowledged: 4, resolved: 3, open: 1 });
    for (const at of [RED_AT, LATE_AT]) {
      const i = WINDOWS.findIndex(([f, t]) => f === at && t === at + 1);
      expect(withHidden[phase].odni[i]).toEqual({ reported: 1, acknowledged: 1, resolved: at === RED_AT ? 1 : 0, open: at === RED_AT ? 0 : 1 });
      expect(without[phase].odni[i]).toEqual({ reported: 0, acknowledged: 0, resolved: 0, open: 0 });
    }
  }
}, 480_000); // generous: the aggregator is slow under a loaded 2-core machine; nothing here is timed
