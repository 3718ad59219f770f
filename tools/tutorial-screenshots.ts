/**
 * Follows docs/tutorial.md on the built page in headless Chromium, as a reader would with the default scene, and
 * writes one screenshot per step to docs/tutorial/step-N.png (the tutorial shows them). Run after `npm run build`:
 *   node scripts/tsrun.mjs tools/tutorial-screenshots.ts [--out docs/tutorial]
 * It takes a few minutes on a software rasteriser: step 4 waits for three runs of 2 ps each.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, serveDist } from '../test/e2e/browser.ts';

const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : join('docs', 'tutorial');
mkdirSync(out, { recursive: true });

const LONG = { timeout: 600_000 };
const { server, url } = await serveDist();
const context = await launchChromium({ serviceWorkers: 'block' });
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) > 0, null, LONG);
  const control = (name: string) => page.locator('.lil-controller', { hasText: name });
  const shot = async (n: number) => {
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, `step-${n}.png`) });
    console.log(`step ${n}: ${join(out, `step-${n}.png`)}`);
  };
  const next = () => page.locator('#tour').getByText('next').click();
  const setTemperature = async (T: number) => {
    const input = control('temperature (K)').locator('input');
    await input.fill(String(T));
    await input.press('Enter');
  };
  // a run counts for the Arrhenius plot after 2 ps: the live text says so
  const counted = (p: Page) =>
    p.waitForFunction(
      () => /counts for Arrhenius\):[\s\S]*D_x/.test(document.getElementById('d-values')?.textContent ?? ''),
      null,
      LONG,
    );

  // 1. Watch Li move at a boundary: colour by region, Li trails, along the normal
  await control('colour by').locator('select').selectOption('region');
  await control('Li trails').locator('input').check();
  // the menu keeps the keyboard after a choice (keys typed there are not shortcuts): hand it back to the page
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('3');
  await shot(1);
  // 2. Read the per-axis MSD
  await next();
  await page.waitForFunction(() => Number(document.body.dataset.msdPoints ?? 0) > 5, null, LONG);
  await shot(2);
  // 3. Change the temperature: 1000 K, the live D with its error
  await next();
  await counted(page);
  await setTemperature(1000);
  // the restart clears the live fit; the new run's comes after its first records
  await page.waitForFunction(() => (document.getElementById('d-values')?.textContent ?? '') === '', null, LONG);
  await page.waitForFunction(() => /D_x/.test(document.getElementById('d-values')?.textContent ?? ''), null, LONG);
  await shot(3);
  // 4. Ea and D(300 K): runs at 800, 1000 and 1200 K on the plot
  await next();
  await counted(page);
  await setTemperature(1200);
  await page.waitForFunction(() => document.body.dataset.arrheniusPoints === '2', null, LONG);
  await counted(page);
  await setTemperature(900);
  await page.waitForFunction(() => document.body.dataset.arrheniusPoints === '3', null, LONG);
  await shot(4);
  // 5. Where the potential is unsure: colour by grade
  await next();
  await control('colour by').locator('select').selectOption('grade');
  await page.waitForFunction(() => (document.body.dataset.maxGrade ?? '') !== '', null, LONG);
  await shot(5);
} finally {
  await context.close();
  await server.close();
}
