/**
 * Checks every browser test of the app holds each screen to: no sideways scrolling, touch targets
 * of at least 44 px, and no serious or critical axe-core finding.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export async function noHorizontalScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** Buttons, fields and navigation links are at least 44 px high (as app.test.ts holds the rest of the app to). */
export async function bigEnoughTargets(page: Page) {
  const small = await page.$$eval('button, select, textarea, input:not([type=checkbox]):not([type=radio]), header a, summary, .check label', (els) => els
    .filter((e) => (e as HTMLElement).offsetParent !== null)
    .map((e) => ({ what: `${e.tagName}#${e.id} ${(e.textContent ?? '').trim().slice(0, 30)}`, h: e.getBoundingClientRect().height }))
    .filter((t) => t.h < 44));
  expect(small).toEqual([]);
}

export async function axe(page: Page, screen: string) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern: the page keeps its CSP (and the test its check of it).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (o?: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } })
      .axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect({ screen, violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ screen, violations: [] });
}
