import { mkdirSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serveDist } from './browser.ts';

describe('the lab in headless Chromium (WebGPU on SwiftShader)', () => {
  let browser: BrowserContext;
  let server: PreviewServer;
  let url: string;
  beforeAll(async () => {
    ({ server, url } = await serveDist());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads without console errors, reports a WebGPU adapter and passes the GPU self-test', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.adapter !== undefined, null, { timeout: 60_000 });
    const adapter = await page.evaluate(() => document.body.dataset.adapter);
    const message = await page.evaluate(() => document.getElementById('message')?.textContent ?? '');
    expect(adapter, `no WebGPU adapter in Chromium: ${message}`).not.toBe('none');
    await page.waitForFunction(() => document.body.dataset.gpuSelfTest !== undefined, null, { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.gpuSelfTest)).toBe('ok');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/app.png' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
