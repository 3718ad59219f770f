#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, type check, unit + GPU tests in Node (Dawn on SwiftShader when there is no
# GPU), a production build, then end-to-end tests in headless Chromium (WebGPU on SwiftShader).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh
[ -d node_modules ] || { echo "node_modules is missing: run npm ci (or npm install) first" >&2; exit 1; }

echo "== lint (biome)"
npx biome check .
echo "== floors (no upward import in src/)"
node scripts/check-floors.mjs
echo "== type check (tsc --noEmit)"
npx tsc --noEmit
echo "== unit and GPU tests (vitest, Node + Dawn)"
npx vitest run
echo "== build"
npx vite build --logLevel warn
echo "== end-to-end tests (headless Chromium)"
npx vitest run --config test/e2e/vitest.config.ts
