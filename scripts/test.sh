#!/usr/bin/env bash
# Every test: types, build, engine/server/model/pretrain tests (node:test), then the browser e2e
# (Playwright in Debian's Chromium). Benchmarks are not tests: `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p tsconfig.json
npx svelte-check --tsconfig ./tsconfig.json --threshold error --output machine | tail -n 1
npx electron-vite build >/dev/null
npx depcruise --config .dependency-cruiser.cjs src bench test e2e fixtures | tail -n 2 # the layering rules (ARCHITECTURE.md)
node --import tsx --test --test-concurrency=1 test/*.test.ts test/pretrain/*.test.ts
npx playwright test
