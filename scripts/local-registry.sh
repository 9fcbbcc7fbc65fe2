#!/usr/bin/env bash
# A registry on loopback with busybox and nginx images built from this machine's Debian packages,
# so manifests that name `nginx`, `busybox` or `habor-repo.com/library/…:v1` run unchanged on real
# containers with no network. Usage: scripts/local-registry.sh [PORT]   (default 5000; Ctrl-C stops it)
# Needs (as .ci/run installs): docker-registry, skopeo, umoci, busybox-static, nginx-light.
set -euo pipefail
port=${1:-5000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

command -v docker-registry >/dev/null || { echo "local-registry: apt-get install docker-registry" >&2; exit 1; }
bash "$here/../test/fixtures/images/build-images.sh" "$work/images" >/dev/null

cat >"$work/config.yml" <<CONF
version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $work/data }
http:
  addr: 127.0.0.1:$port
CONF
docker-registry serve "$work/config.yml" 2>"$work/registry.log" &
registry_pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.05
done

push() { skopeo copy --quiet --dest-tls-verify=false "docker-archive:$1" "docker://127.0.0.1:$port/$2"; }
for tag in latest v1; do
  push "$work/images/busybox.tar" "library/busybox:$tag"
  push "$work/images/nginx.tar" "library/nginx:$tag"
done

cat <<MSG
local-registry: busybox and nginx (tags latest, v1) at http://127.0.0.1:$port
run nodelet with:
  npx nodelet server --runtime oci \\
    --registry-mirror docker.io=http://127.0.0.1:$port --registry-mirror habor-repo.com=http://127.0.0.1:$port
MSG
wait "$registry_pid"
