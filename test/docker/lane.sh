#!/usr/bin/env bash
# The real-Docker lane's inside (scripts/test-docker.sh starts it in new PID, mount and network namespaces;
# this shell is PID 1 there). Starts a private dockerd (own socket, data root, exec root and cgroup parent,
# no bridge, no iptables; only the namespace's loopback exists), imports the images from root filesystems,
# runs test/docker/*.test.ts against it, and removes everything on the way out, failing or not.
set -euo pipefail
[ "$$" = 1 ] || { echo "lane.sh: run through scripts/test-docker.sh (needs its own PID namespace)" >&2; exit 2; }
ip link set lo up
work=$(mktemp -d /tmp/cutover-docker.XXXXXX)
cg="cutover-docker-${work##*.}"
export DOCKER_HOST="unix://$work/docker.sock" CUTOVER_DOCKER_WORK="$work"
dockerd_pid=""
started=$(date +%s)

cleanup() {
  local rc=$?
  set +e
  if [ -n "$dockerd_pid" ]; then
    ids=$(docker ps -aq 2>/dev/null)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  # PID 1 of this namespace: whatever is left in it (containerd, shims) goes now
  kill -9 -1 2>/dev/null
  while wait -n 2>/dev/null; do :; done
  awk -v w="$work" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
  for _ in 1 2 3 4 5; do
    left=$(find /sys/fs/cgroup -maxdepth 2 -type d -name "$cg" 2>/dev/null)
    [ -z "$left" ] && break
    for c in $left; do find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
    sleep 0.5
  done
  rm -rf "$work"
  echo "test-docker: done in $(($(date +%s) - started)) s (exit $rc); dockerd, its containers, mounts and cgroups removed" >&2
  exit "$rc"
}
trap cleanup EXIT

echo '{}' >"$work/daemon.json"
dockerd --config-file "$work/daemon.json" --host "$DOCKER_HOST" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/dockerd.pid" --bridge none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
  --cgroup-parent "/$cg" --log-level warn >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 1 150); do docker version >/dev/null 2>&1 && break; kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
docker version >/dev/null 2>&1 || { echo "test-docker: dockerd did not come up:" >&2; tail -20 "$work/dockerd.log" >&2; exit 1; }
echo "test-docker: dockerd $(docker version -f '{{.Server.Version}}') up in $(($(date +%s) - started)) s ($(docker info -f '{{.Driver}}') storage), client $(docker version -f '{{.Client.Version}}')" >&2

bash test/docker/rootfs.sh busybox "$work/busybox"
tar -C "$work/busybox" -c . | docker import - cutover-busybox:test >/dev/null
docker import "$CUTOVER_DOCKER_SERVICES_TAR" cutover-services:test >/dev/null
rm -rf "$work/busybox"
echo "test-docker: images imported ($(($(date +%s) - started)) s)" >&2

node --import tsx --test --test-concurrency=1 --test-timeout=900000 "${@:-test/docker/real-docker.test.ts}"
