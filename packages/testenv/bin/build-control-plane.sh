#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and helm from their Go modules, once per
# version, into a cache outside the repo ($TICKETPING_CACHE, default ~/.cache/ticketping).
# k8s.io/kubernetes pins its staging modules at v0.0.0 with local replaces, so `go install` cannot
# build it; a throwaway wrapper module re-points every staging module at its published version.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE="${TICKETPING_CACHE:-$HOME/.cache/ticketping}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
export GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

log() { printf '[control-plane] %s\n' "$*" >&2; }
command -v go >/dev/null || { log "Go is required to build the Kubernetes control plane (apt-get install golang or a Go toolchain)"; exit 1; }

build_k8s() {
  local staging="v0${K8S_VERSION#v1}" dir="$CACHE/build/k8s-$K8S_VERSION"
  if [[ -x "$BIN/kube-apiserver-$K8S_VERSION" && -x "$BIN/kube-controller-manager-$K8S_VERSION" ]]; then return; fi
  log "building kube-apiserver and kube-controller-manager $K8S_VERSION (cold: ~15 min on 2 cores)"
  mkdir -p "$dir" && cd "$dir"
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  {
    echo "module ticketping.dev/k8s-build"
    echo "go $(sed -n 's/^go //p' "$gomod")"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    grep -E '^\s+k8s.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
  } > go.mod
  go get "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
  go build -trimpath -ldflags="-s -w" -o "$dir/out/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  mv "$dir/out/kube-apiserver" "$BIN/kube-apiserver-$K8S_VERSION"
  mv "$dir/out/kube-controller-manager" "$BIN/kube-controller-manager-$K8S_VERSION"
}

build_etcd() {
  local dir="$CACHE/build/etcd-$ETCD_VERSION"
  [[ -x "$BIN/etcd-$ETCD_VERSION" ]] && return
  log "building etcd $ETCD_VERSION"
  mkdir -p "$dir" && cd "$dir"
  printf 'module ticketping.dev/etcd-build\ngo 1.24\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > go.mod
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  go build -trimpath -ldflags="-s -w" -o "$BIN/etcd-$ETCD_VERSION" go.etcd.io/etcd/server/v3
}

build_helm() {
  [[ -x "$BIN/helm-$HELM_VERSION" ]] && return
  log "building helm $HELM_VERSION"
  local dir="$CACHE/build/helm-$HELM_VERSION"
  mkdir -p "$dir" && cd "$dir"
  printf 'module ticketping.dev/helm-build\ngo 1.24\nrequire helm.sh/helm/v3 %s\n' "$HELM_VERSION" > go.mod
  go get "helm.sh/helm/v3@$HELM_VERSION" >/dev/null
  go build -trimpath -ldflags="-s -w" -o "$BIN/helm-$HELM_VERSION" helm.sh/helm/v3/cmd/helm
}

build_etcd
build_helm
build_k8s
ln -sf "etcd-$ETCD_VERSION" "$BIN/etcd"
ln -sf "kube-apiserver-$K8S_VERSION" "$BIN/kube-apiserver"
ln -sf "kube-controller-manager-$K8S_VERSION" "$BIN/kube-controller-manager"
ln -sf "helm-$HELM_VERSION" "$BIN/helm"
log "ready in $BIN"
