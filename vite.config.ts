import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';

// `base: './'` keeps every asset URL relative, so `dist/` works from any static host or sub-path.
export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', sourcemap: true },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  plugins: [
    // The offline cache (src/sw.ts): every built file but the source maps, the default potential included. The page
    // registers the worker itself (src/main.ts), only in a production build.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{html,js,css,mtp,json,wasm,svg,png}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Dawn (the `webgpu` package) is a native addon: child processes keep it out of worker threads.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
