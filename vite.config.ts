import { defineConfig } from 'vitest/config';

// `base: './'` keeps every asset URL relative, so `dist/` works from any static host or sub-path.
export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', sourcemap: true },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Dawn (the `webgpu` package) is a native addon: child processes keep it out of worker threads.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
