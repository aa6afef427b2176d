#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suite against a real kube-apiserver built from Go modules.
#
#   KUBERNETES_VERSION=1.30 npm run test:e2e        (default: the newest minor the catalog supports)
#   npm run test:e2e -- test/e2e/policies.e2e.ts    (extra arguments go to vitest)
#
# Without Go it skips with one line (a user's laptop); with CI=true that is a failure instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v go >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "e2e: Go is not installed, and CI must run the end-to-end suite" >&2; exit 1; fi
  echo "e2e skipped: Go is not installed (the suite builds kube-apiserver and etcd from Go modules)"
  exit 0
fi
version=${KUBERNETES_VERSION:-$(node -e 'process.stdout.write(require("./scripts/e2e/newest-minor.cjs")())')}
started=$(date +%s)
bin=$(bash scripts/e2e/build-control-plane.sh "$version")
echo "e2e: control plane for Kubernetes $version ready in $bin after $(( $(date +%s) - started )) s"
exec bash scripts/e2e/start-control-plane.sh "$bin" -- npx vitest run --config vitest.e2e.config.mts "$@"
