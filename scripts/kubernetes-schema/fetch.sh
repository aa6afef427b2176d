#!/usr/bin/env bash
# Writes schemas/k8s-<version>.json for a Kubernetes minor from a real kube-apiserver of that minor:
# builds it from Go modules (cached), starts it on loopback with every API group and feature gate
# on (so alpha and beta kinds are described too, as in kubernetes' own published spec), reads
# /openapi/v2 and normalizes it (normalize.cjs says how).
#
#   bash scripts/kubernetes-schema/fetch.sh 1.37 [OUT_DIR]      (OUT_DIR default: schemas)
#
# Then `npm run import:k8s` regenerates src/imports from the newest file when cdk8s.yaml names it.
set -euo pipefail
cd "$(dirname "$0")/../.."
minor=${1:?usage: fetch.sh 1.<minor> [OUT_DIR]}
out_dir=${2:-schemas}
bin=$(bash scripts/e2e/build-control-plane.sh "$minor")
version=$("$bin/kube-apiserver" --version | awk '{print $2}')
served=$(mktemp)
trap 'rm -f "$served"' EXIT
KUBE_E2E_APISERVER_ARGS="--runtime-config=api/all=true --feature-gates=AllAlpha=true,AllBeta=true" \
  bash scripts/e2e/start-control-plane.sh "$bin" -- bash -c \
  'curl -fsS --noproxy "*" --cacert "$KUBE_E2E_CA_FILE" -H "Authorization: Bearer $KUBE_E2E_ADMIN_TOKEN" "$KUBE_E2E_SERVER/openapi/v2"' > "$served"
mkdir -p "$out_dir"
node scripts/kubernetes-schema/normalize.cjs "$served" "$out_dir/k8s-${version#v}.json"
