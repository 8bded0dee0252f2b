/**
 * axe-core in the page under test (the copy in node_modules, evaluated in the page: nothing is
 * fetched). Browser tests call `expectNoSeriousViolations` at the page states they reach; a
 * serious or critical WCAG 2.x A/AA violation fails the test with the rule and the first nodes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  // Colours are judged on a settled page: a toast or dialog halfway through its fade has a blended colour no one reads.
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'), undefined, { timeout: 10_000 });
  const installed = await page.evaluate(() => 'axe' in window);
  // Evaluated over the DevTools protocol, not as a <script>: a strict Content-Security-Policy cannot block it.
  if (!installed) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)) }));
  });
}

/** Fails with the findings when axe reports a serious or critical violation; `state` names the page state. */
export async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  const findings = await seriousViolations(page);
  expect(findings, `axe-core on ${state} (${page.url()})`).toEqual([]);
}
