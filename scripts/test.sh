#!/usr/bin/env bash
# The whole test suite: makes sure what the tests need is there (PostgreSQL running, Chromium
# installed), then runs unit tests beside the code and scenario tests in test/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
export MOATLESS_CHROMIUM="${MOATLESS_CHROMIUM:-/usr/bin/chromium}"
# Node 24 from the node@24 devDependency (npm scripts put node_modules/.bin first on PATH).
node --version | grep -q '^v24\.' || { echo "Node 24 is required: run this through npm (npm test)"; exit 1; }
# The network guard (test/harness/no-network.ts) is loaded into every test process.
exec node --test --import ./test/harness/no-network.ts --test-concurrency=2 --test-timeout=180000 \
  'src/**/*.test.ts' 'test/**/*.test.ts' 'bench/**/*.test.ts'
