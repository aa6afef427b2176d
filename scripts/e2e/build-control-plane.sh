#!/usr/bin/env bash
# Builds a real control plane for the end-to-end suite from Go modules alone:
# kube-apiserver, kube-controller-manager and kubectl of one Kubernetes release, plus etcd.
#
#   scripts/e2e/build-control-plane.sh [--print-wrapper] VERSION     VERSION: 1.37 | v1.37.2 | 1.37.2
#
# Prints the directory that holds the binaries (cached per version) on stdout; progress goes to stderr.
#
# Why a wrapper module: k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/apiserver, ...)
# at the never-published version v0.0.0 and points them at ./staging with `replace`. Replace directives
# only count in the main module, so `go install k8s.io/kubernetes/cmd/...@vX` cannot work. A throw-away
# main module that requires k8s.io/kubernetes vX and maps each staging module to its published twin
# v0.X.Y builds the same code.
set -euo pipefail

ETCD_MODULE_VERSION=${ETCD_MODULE_VERSION:-v3.6.16}
CACHE_ROOT=${KUBE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/csi-snapshot-guard/e2e}
print_wrapper=0

say() { echo "[build-control-plane] $*" >&2; }
fail() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --print-wrapper) print_wrapper=1; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) fail "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || fail "usage: $0 [--print-wrapper] VERSION (for example 1.37 or v1.37.2)"
command -v go >/dev/null || fail "Go is not installed; the end-to-end suite needs Go and the Go module proxy"

export GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN=${GOTOOLCHAIN:-local} CGO_ENABLED=0

# A minor alone resolves to the newest patch the module proxy serves.
requested=${1#v}
if [[ $requested =~ ^1\.[0-9]+$ ]]; then
  version=$(go list -m -versions k8s.io/kubernetes | tr ' ' '\n' \
    | grep -E "^v${requested//./\\.}\.[0-9]+$" | sort -t. -k3,3n | tail -1 || true)
  [ -n "$version" ] || fail "the Go module proxy serves no k8s.io/kubernetes v${requested}.x"
elif [[ $requested =~ ^1\.[0-9]+\.[0-9]+$ ]]; then
  version=v$requested
else
  fail "VERSION '$1' is neither a minor (1.37) nor a release (v1.37.2)"
fi
minor=$(echo "$version" | cut -d. -f2)
patch=$(echo "$version" | cut -d. -f3)
staging_version=v0.${minor}.${patch}

out=$CACHE_ROOT/$version
stamp_expected="kubernetes=$version etcd=$ETCD_MODULE_VERSION go=$(go env GOVERSION)"
if [ "$print_wrapper" = 0 ] && [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$stamp_expected" ]; then
  echo "$out/bin"; exit 0
fi
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9   # one build per version at a time; a second caller waits and then finds the cache
if [ "$print_wrapper" = 0 ] && [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$stamp_expected" ]; then
  echo "$out/bin"; exit 0
fi

# The module's own go.mod says which staging modules exist at this release (the list grows over time).
info=$(go mod download -json "k8s.io/kubernetes@$version") || fail "cannot download k8s.io/kubernetes@$version"
gomod=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).GoMod)' <<<"$info")
origin_time=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).Time||"")' <<<"$info")
go_line=$(grep -E '^go [0-9.]+' "$gomod" | head -1)
godebug_line=$(grep -E '^godebug ' "$gomod" | head -1 || true)
staging=$(grep -oE 'k8s\.io/[a-z0-9-]+ => \./staging/src/k8s\.io/[a-z0-9-]+' "$gomod" | awk '{print $1}' | sort -u)
[ -n "$staging" ] || fail "found no staging replaces in $gomod"

wrapper=$out/wrapper
mkdir -p "$wrapper"
{
  echo "module csi-snapshot-guard.local/e2e-control-plane"
  echo
  echo "$go_line"
  [ -z "$godebug_line" ] || echo "$godebug_line"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m $staging_version"; done
  echo ")"
} > "$wrapper/go.mod"
if [ "$print_wrapper" = 1 ]; then cat "$wrapper/go.mod"; exit 0; fi

say "building Kubernetes $version (staging $staging_version, $(echo "$staging" | wc -l) modules) and etcd $ETCD_MODULE_VERSION into $out"
start=$(date +%s)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=${origin_time:-1970-01-01T00:00:00Z}"
done
(
  cd "$wrapper"
  go build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$out/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl >&2
)
etcd_wrapper=$out/etcd-wrapper
mkdir -p "$etcd_wrapper"
printf 'module csi-snapshot-guard.local/e2e-etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
  "$ETCD_MODULE_VERSION" > "$etcd_wrapper/go.mod"
# etcd gets a wrapper of its own: in one module, minimal version selection would move Kubernetes'
# dependencies to etcd's choices. etcd's module root is its main package (server/main.go).
(cd "$etcd_wrapper" && go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" go.etcd.io/etcd/server/v3 >&2)

got=$("$out/bin/kube-apiserver" --version)
[ "$got" = "Kubernetes $version" ] || fail "built kube-apiserver reports '$got', expected 'Kubernetes $version'"
"$out/bin/etcd" --version | head -1 >&2
say "built in $(( $(date +%s) - start )) s"
echo "$stamp_expected" > "$out/.complete"
echo "$out/bin"
