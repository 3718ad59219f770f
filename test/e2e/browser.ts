/**
 * Headless Chromium with WebGPU on SwiftShader for end-to-end tests: the built site is served by `vite preview` on
 * 127.0.0.1 and opened through playwright-core (no browser download: Debian's /usr/bin/chromium).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type PreviewServer, preview } from 'vite';

export const CHROMIUM = process.env.LILAB_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  // WebGPU through Vulkan on the SwiftShader driver that Debian's chromium ships.
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
];

/** A fresh profile every launch (a persistent context on a new temporary --user-data-dir). */
export async function launchChromium(
  options: { webgpu?: boolean; serviceWorkers?: 'allow' | 'block' } = {},
): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LILAB_CHROMIUM`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'lilab-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // without WebGPU: the page must explain and fall back to the CPU
    args:
      options.webgpu === false
        ? [...CHROMIUM_ARGS.filter((a) => !a.includes('webgpu')), '--disable-blink-features=WebGPU']
        : CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: options.serviceWorkers ?? 'allow',
  });
}

export async function serveDist(): Promise<{ server: PreviewServer; url: string }> {
  if (!existsSync('dist/index.html'))
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests');
  const server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  return { server, url };
}
