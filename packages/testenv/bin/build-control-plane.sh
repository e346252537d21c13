#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, helm (3) and helm4 from
# their Go modules, once per version, into a cache outside the repo ($TICKETPING_CACHE, default
# ~/.cache/ticketping). kwok plays the kubelet for fake Nodes; its stage rules (node Ready, pod Ready,
# pod deleted) come from the same module version and are written beside it as kwok-stages-<version>.yaml.
# k8s.io/kubernetes pins its staging modules at v0.0.0 with local replaces, so `go install` cannot
# build it; a throwaway wrapper module re-points every staging module at its published version.
# The Kubernetes binaries are stamped with their version (-ldflags -X, as the release build does):
# a plain `go build` reports v0.0.0-master, which Helm's `kubeVersion` check in Chart.yaml refuses.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
HELM4_VERSION="${HELM4_VERSION:-v4.3.2}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
CACHE="${TICKETPING_CACHE:-$HOME/.cache/ticketping}"
BIN="$CACHE/bin"
mkdir -p "$BIN"
export GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

log() { printf '[control-plane] %s\n' "$*" >&2; }
command -v go >/dev/null || { log "Go is required to build the Kubernetes control plane (apt-get install golang or a Go toolchain)"; exit 1; }

# The cached binaries are named by version and build flavour: a change of the build flags changes
# K8S_BUILD, so a cache made with the old flags is not taken for the new one and CI rebuilds.
K8S_BUILD="$K8S_VERSION-stamped"

# -X flags that stamp the version into both version packages (the servers' and client-go's).
k8s_ldflags() {
  local minor=${K8S_VERSION#v1.} flags="-s -w" pkg
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

build_k8s() {
  local staging="v0${K8S_VERSION#v1}" dir="$CACHE/build/k8s-$K8S_VERSION" cmds=() cmd
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ -x "$BIN/$cmd-$K8S_BUILD" ]] || cmds+=("$cmd")
  done
  [[ ${#cmds[@]} -eq 0 ]] && return
  log "building ${cmds[*]} $K8S_VERSION (cold: ~15 min on 2 cores)"
  mkdir -p "$dir" && cd "$dir"
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  {
    echo "module ticketping.dev/k8s-build"
    echo "go $(sed -n 's/^go //p' "$gomod")"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    grep -E '^\s+k8s.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
  } > go.mod
  go get "k8s.io/kubernetes@$K8S_VERSION" >/dev/null
  go build -trimpath -ldflags="$(k8s_ldflags)" -o "$dir/out/" "${cmds[@]/#/k8s.io/kubernetes/cmd/}"
  for cmd in "${cmds[@]}"; do mv "$dir/out/$cmd" "$BIN/$cmd-$K8S_BUILD"; done
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

# build_module NAME VERSION MODULE PACKAGE [FLAVOUR LDFLAGS-FUNCTION]: `go build` of one command through
# a throwaway wrapper module, cached as NAME-VERSION[-FLAVOUR]; the function prints extra -ldflags
# and runs inside the wrapper module (so it can ask `go list` about its dependencies).
build_module() {
  local name=$1 version=$2 module=$3 package=$4 flavour=${5:+-$5} flags=${6:-} dir="$CACHE/build/$1-$2"
  [[ -x "$BIN/$name-$version$flavour" ]] && return
  log "building $name $version$flavour"
  mkdir -p "$dir" && cd "$dir"
  printf 'module ticketping.dev/%s-build\ngo 1.24\nrequire %s %s\n' "$name" "$module" "$version" > go.mod
  go get "$module@$version" >/dev/null
  go build -trimpath -ldflags="-s -w ${flags:+$($flags)}" -o "$BIN/$name-$version$flavour" "$package"
}

# What helm's own Makefile stamps: its version, and the Kubernetes version `helm template` assumes
# without a cluster (the minor of the client-go it is built with). Unstamped, helm 3 assumes v1.20.0
# and refuses every chart whose kubeVersion asks for more.
helm3_ldflags() {
  local minor; minor=$(go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)
  local pkg
  echo -n "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.metadata="
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    echo -n " -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
  done
}
HELM_BUILD="$HELM_VERSION-stamped"

build_helm() { build_module helm "$HELM_VERSION" helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm stamped helm3_ldflags; }
build_helm4() { build_module helm4 "$HELM4_VERSION" helm.sh/helm/v4 helm.sh/helm/v4/cmd/helm; }

build_kwok() {
  build_module kwok "$KWOK_VERSION" sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok
  local stages="$BIN/kwok-stages-$KWOK_VERSION.yaml" src
  [[ -s "$stages" ]] && return
  src=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  # Nodes become Ready at once; pods on them become Ready at once, finish when their containers
  # would, and are removed when deleted (no kubelet would ever confirm a graceful deletion).
  for f in node/fast/node-initialize pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    echo "---"; cat "$src/kustomize/stage/$f.yaml"
  done > "$stages.tmp"
  mv "$stages.tmp" "$stages"
}

build_etcd
build_k8s
build_kwok
build_helm
build_helm4
ln -sf "etcd-$ETCD_VERSION" "$BIN/etcd"
ln -sf "kube-apiserver-$K8S_BUILD" "$BIN/kube-apiserver"
ln -sf "kube-controller-manager-$K8S_BUILD" "$BIN/kube-controller-manager"
ln -sf "kube-scheduler-$K8S_BUILD" "$BIN/kube-scheduler"
ln -sf "kwok-$KWOK_VERSION" "$BIN/kwok"
ln -sf "kwok-stages-$KWOK_VERSION.yaml" "$BIN/kwok-stages.yaml"
ln -sf "helm-$HELM_BUILD" "$BIN/helm"
ln -sf "helm4-$HELM4_VERSION" "$BIN/helm4"
log "ready in $BIN"
