#!/usr/bin/env bash
# `npm run bench:admission`: bench/admission-scale.ts against a real control plane (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v go >/dev/null 2>&1 || { echo "bench skipped: Go is not installed (the control plane is built from Go modules)"; exit 0; }
version=${KUBERNETES_VERSION:-$(node -e 'process.stdout.write(require("./scripts/e2e/newest-minor.cjs")())')}
bin=$(bash scripts/e2e/build-control-plane.sh "$version")
exec bash scripts/e2e/start-control-plane.sh "$bin" -- npx tsx bench/admission-scale.ts
