#!/usr/bin/env bash
# Regenerates the typed Kubernetes L1 constructs in src/imports/ from the OpenAPI schema of the
# newest supported Kubernetes release, offline: the preload redirects cdk8s-cli's schema download
# to schemas/ (files this project fetched from a real API server, scripts/kubernetes-schema/) or,
# for a release it has none of, ../shared/reference/k8s-schemas. The output is committed; never
# edit it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
# The version comes from cdk8s.yaml's `imports:` entry, the one place it is written.
K8S_VERSION=$(sed -n 's/^[[:space:]]*-[[:space:]]*k8s@\([0-9.]*\)[[:space:]]*$/\1/p' cdk8s.yaml)
[ -n "$K8S_VERSION" ] || { echo "cdk8s.yaml has no 'imports: - k8s@<version>' entry" >&2; exit 1; }
PRELOAD=../shared/tools/cdk8s-offline-schema.cjs
[ -f "$PRELOAD" ] || { echo "missing $PRELOAD: the offline import needs ../shared beside the project" >&2; exit 1; }
if [ -f "schemas/k8s-${K8S_VERSION}.json" ]; then export CDK8S_K8S_SCHEMA_DIR="$PWD/schemas"; fi
export CDK8S_CHECK_UPGRADE=false
node -r "$PRELOAD" node_modules/cdk8s-cli/bin/cdk8s import "k8s@${K8S_VERSION}" -l typescript -o src/imports
