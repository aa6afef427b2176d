#!/usr/bin/env bash
# Runs a throw-away control plane on loopback for the end-to-end suite: etcd, kube-apiserver (TLS,
# RBAC, token users) and kube-controller-manager (the few controllers the suite relies on).
#
#   scripts/e2e/start-control-plane.sh BIN_DIR [-- COMMAND ...]
#
# With a COMMAND: starts everything, runs COMMAND with the variables below exported, stops
# everything and exits with COMMAND's status. Without one: starts, prints the env file's path and
# runs until SIGTERM/SIGINT. Nothing listens beyond 127.0.0.1; the work dir is removed on exit
# (KUBE_E2E_KEEP=1 keeps it, with the logs).
#
# Exported to COMMAND (also written to $KUBE_E2E_DIR/cluster.env):
#   KUBECONFIG            contexts admin (group system:masters, current), alice, bob
#   KUBE_E2E_SERVER       https://127.0.0.1:<port>          KUBE_E2E_CA_FILE  the CA of the serving cert
#   KUBE_E2E_{ADMIN,ALICE,BOB}_TOKEN   bearer tokens         KUBE_E2E_VERSION  e.g. v1.37.2
#   KUBE_E2E_KUBECTL      the kubectl built with the server  KUBE_E2E_DIR      the work dir (logs/)
#   KUBE_E2E_BIN          the binaries (a test may start a second, fresh control plane from them)
# alice and bob belong to group e2e-users and hold no RBAC at start.
set -euo pipefail

say() { echo "[control-plane] $*" >&2; }
fail() { say "error: $*"; exit 1; }

[ $# -ge 1 ] || fail "usage: $0 BIN_DIR [-- COMMAND ...]"
BIN=$1; shift
[ "${1:-}" != "--" ] || shift
for b in etcd kube-apiserver kube-controller-manager kubectl; do
  [ -x "$BIN/$b" ] || fail "$BIN/$b is missing; run scripts/e2e/build-control-plane.sh first"
done
command -v openssl >/dev/null || fail "openssl is needed for the cluster's certificates"

VERSION=$("$BIN/kube-apiserver" --version | awk '{print $2}')
MINOR=$(echo "$VERSION" | cut -d. -f2)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csi-snapshot-guard-e2e.XXXXXX")
mkdir -p "$WORK/pki" "$WORK/logs"
PIDS=()

stop_all() {
  local status=$?
  trap - EXIT INT TERM
  # Reverse start order: controller-manager, then the API server, then etcd.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KUBE_E2E_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
show_log() { say "last lines of $1:"; tail -n 40 "$1" >&2 || true; }

# --- certificates and credentials -------------------------------------------------------------
P=$WORK/pki
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=csi-snapshot-guard-e2e-ca" \
  -keyout "$P/ca.key" -out "$P/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$P/serving.key" -out "$P/serving.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$P/serving.ext"
openssl x509 -req -in "$P/serving.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
  -extfile "$P/serving.ext" -out "$P/serving.crt" 2>/dev/null
openssl genrsa -out "$P/sa.key" 2048 2>/dev/null
openssl rsa -in "$P/sa.key" -pubout -out "$P/sa.pub" 2>/dev/null
token() { openssl rand -hex 24; }
ADMIN_TOKEN=$(token); ALICE_TOKEN=$(token); BOB_TOKEN=$(token); KCM_TOKEN=$(token)
{
  echo "$ADMIN_TOKEN,e2e-admin,uid-admin,\"system:masters\""
  # One identity for every controller (no per-controller service accounts here), so it needs every
  # controller's rights, e.g. validatingadmissionpolicies/status for the type checker.
  echo "$KCM_TOKEN,system:kube-controller-manager,uid-kcm,\"system:masters\""
  echo "$ALICE_TOKEN,alice,uid-alice,\"e2e-users\""
  echo "$BOB_TOKEN,bob,uid-bob,\"e2e-users\""
} > "$WORK/tokens.csv"
chmod 600 "$WORK/tokens.csv" "$P"/*.key

# --- etcd -------------------------------------------------------------------------------------
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port)
"$BIN/etcd" --name=e2e --data-dir="$WORK/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="e2e=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state=new \
  --unsafe-no-fsync=true --log-level=warn --listen-metrics-urls="http://127.0.0.1:$(free_port)" \
  >"$WORK/logs/etcd.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 150); do
  curl -fsS --noproxy '*' "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"' && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { show_log "$WORK/logs/etcd.log"; fail "etcd exited"; }
  [ "$i" -lt 150 ] || { show_log "$WORK/logs/etcd.log"; fail "etcd not healthy after 15 s"; }
  sleep 0.1
done

# --- kube-apiserver ---------------------------------------------------------------------------
API_PORT=$(free_port)
SERVER=https://127.0.0.1:$API_PORT
api_args=(
  --etcd-servers="http://127.0.0.1:$ETCD_PORT"
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT"
  --tls-cert-file="$P/serving.crt" --tls-private-key-file="$P/serving.key" --client-ca-file="$P/ca.crt"
  --token-auth-file="$WORK/tokens.csv" --authorization-mode=Node,RBAC
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key"
  --service-cluster-ip-range=10.96.0.0/24
  # A loopback advertise address cannot be written into the 'kubernetes' Endpoints.
  --endpoint-reconciler-type=none
  --allow-privileged=true --profiling=false
  # No serviceaccount controller runs here, so namespaces the tests create never get a 'default'
  # ServiceAccount, which this admission plugin would demand of every Pod.
  --disable-admission-plugins=ServiceAccount
)
# CrossNamespaceVolumeDataSource (alpha, off by default): without it the API server drops
# dataSourceRef.namespace before admission, and the restore policy's cross-namespace cases could
# not reach the policy as written.
gates=CrossNamespaceVolumeDataSource=true
# CSIVolumeHealth (alpha, off by default): from 1.37 the API server keeps a claim's
# status.healthStatus only with it, and the suite checks what the health monitor v0.19 writes there.
if [ "$MINOR" -ge 37 ]; then gates+=,CSIVolumeHealth=true; fi
# MutatingAdmissionPolicy: beta on 1.34/1.35 behind a gate and an API switch; GA (on) from 1.36.
if [ "$MINOR" -ge 34 ] && [ "$MINOR" -le 35 ]; then
  gates+=,MutatingAdmissionPolicy=true
  api_args+=(--runtime-config=admissionregistration.k8s.io/v1beta1=true)
fi
api_args+=(--feature-gates="$gates")
# shellcheck disable=SC2206  # word splitting is the point: extra flags for experiments
[ -z "${KUBE_E2E_APISERVER_ARGS:-}" ] || api_args+=($KUBE_E2E_APISERVER_ARGS)
printf '%q ' "$BIN/kube-apiserver" "${api_args[@]}" > "$WORK/kube-apiserver.cmdline"
"$BIN/kube-apiserver" "${api_args[@]}" >"$WORK/logs/kube-apiserver.log" 2>&1 &
PIDS+=($!)
started=$(date +%s)
until [ "$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --cacert "$P/ca.crt" \
  -H "Authorization: Bearer $ADMIN_TOKEN" "$SERVER/readyz")" = 200 ]; do
  kill -0 "${PIDS[1]}" 2>/dev/null || { show_log "$WORK/logs/kube-apiserver.log"; fail "kube-apiserver exited"; }
  [ $(( $(date +%s) - started )) -lt 180 ] || { show_log "$WORK/logs/kube-apiserver.log"; fail "kube-apiserver not ready after 180 s"; }
  sleep 0.2
done
say "kube-apiserver $VERSION ready on $SERVER after $(( $(date +%s) - started )) s"

# --- kubeconfigs ------------------------------------------------------------------------------
kubeconfig() { # FILE then USER=TOKEN pairs; the first user is the current context
  local file=$1; shift
  {
    echo "apiVersion: v1"; echo "kind: Config"
    echo "clusters: [{name: e2e, cluster: {server: '$SERVER', certificate-authority: '$P/ca.crt'}}]"
    echo "users:"; for pair in "$@"; do echo "- {name: ${pair%%=*}, user: {token: '${pair#*=}'}}"; done
    echo "contexts:"; for pair in "$@"; do echo "- {name: ${pair%%=*}, context: {cluster: e2e, user: ${pair%%=*}}}"; done
    echo "current-context: ${1%%=*}"
  } > "$file"
  chmod 600 "$file"
}
kubeconfig "$WORK/kubeconfig" "admin=$ADMIN_TOKEN" "alice=$ALICE_TOKEN" "bob=$BOB_TOKEN"
kubeconfig "$WORK/kubeconfig-kcm" "kcm=$KCM_TOKEN"

# --- kube-controller-manager ------------------------------------------------------------------
# namespace: finishes namespace deletion; garbage-collector: ownerReferences; the PV/PVC protection
# controllers: remove the finalizers the API server adds; validatingadmissionpolicy-status: fills
# status.typeChecking of every ValidatingAdmissionPolicy.
KCM_CONTROLLERS=${KUBE_E2E_KCM_CONTROLLERS:-namespace-controller,garbage-collector-controller,persistentvolume-protection-controller,persistentvolumeclaim-protection-controller,validatingadmissionpolicy-status-controller}
"$BIN/kube-controller-manager" \
  --kubeconfig="$WORK/kubeconfig-kcm" --authentication-kubeconfig="$WORK/kubeconfig-kcm" \
  --authorization-kubeconfig="$WORK/kubeconfig-kcm" --bind-address=127.0.0.1 --secure-port="$(free_port)" \
  --leader-elect=false --use-service-account-credentials=false --controllers="$KCM_CONTROLLERS" \
  >"$WORK/logs/kube-controller-manager.log" 2>&1 &
PIDS+=($!)
sleep 1
kill -0 "${PIDS[2]}" 2>/dev/null || { show_log "$WORK/logs/kube-controller-manager.log"; fail "kube-controller-manager exited"; }

cat > "$WORK/cluster.env" <<ENV
export KUBECONFIG='$WORK/kubeconfig'
export KUBE_E2E_DIR='$WORK'
export KUBE_E2E_SERVER='$SERVER'
export KUBE_E2E_CA_FILE='$P/ca.crt'
export KUBE_E2E_ADMIN_TOKEN='$ADMIN_TOKEN'
export KUBE_E2E_ALICE_TOKEN='$ALICE_TOKEN'
export KUBE_E2E_BOB_TOKEN='$BOB_TOKEN'
export KUBE_E2E_VERSION='$VERSION'
export KUBE_E2E_KUBECTL='$BIN/kubectl'
export KUBE_E2E_BIN='$BIN'
export NO_PROXY='127.0.0.1,localhost'
ENV

if [ $# -eq 0 ]; then
  echo "$WORK/cluster.env"
  while kill -0 "${PIDS[1]}" 2>/dev/null; do sleep 1; done
  fail "kube-apiserver exited; logs in $WORK/logs"
fi
# shellcheck disable=SC1091
source "$WORK/cluster.env"
status=0
"$@" || status=$?
if [ "$status" -ne 0 ] && [ -n "${CI:-}" ]; then
  show_log "$WORK/logs/kube-apiserver.log"
fi
exit "$status"
