#!/usr/bin/env bash
# The real-Docker lane (npm run test:docker; .ci/run runs it). Needs root. Installs Debian's docker.io (and
# busybox-static, debootstrap) when missing, builds the images' root filesystems (busybox-static; a Debian
# minbase with postgresql and redis-server from the apt mirror, cached by the hash of its inputs), then runs
# test/docker/lane.sh inside its own PID, mount and network namespaces: its own dockerd (own socket, data root,
# exec root, cgroup parent; no bridge, no iptables), stopped and removed at the end. Nothing outside that
# network namespace is contacted after the image build; no daemon, mount or network is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-docker: needs root (installs docker.io, runs its own dockerd)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v debootstrap >/dev/null || missing+=(debootstrap)
# drills restore into a scratch postgres / redis-server on this machine (npm run setup installs them too)
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if ((${#missing[@]})); then
  echo "test-docker: installing ${missing[*]}" >&2
  # a package's postinst must not start a system dockerd (or postgres, redis): this lane runs its own
  guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
fi
command -v docker >/dev/null || { echo "test-docker: no docker CLI after installing docker.io" >&2; exit 1; }

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
# the mirror apt itself uses for this suite's main archive (apt-cache policy), else the sources' first, else Debian's
mirror=${CUTOVER_DEBIAN_MIRROR:-$(apt-cache policy 2>/dev/null | awk -v s="$suite/main" '$3 == s { print $2; exit }')}
[ -n "$mirror" ] || mirror=$( (grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null || true) | head -1 | tr -d ' ')
mirror=${mirror:-http://deb.debian.org/debian}
cache=${CUTOVER_DOCKER_CACHE:-/var/cache/cutover/docker}
mkdir -p "$cache"
key=$( (cat test/docker/rootfs.sh; echo "$suite $mirror $(dpkg --print-architecture)") | sha256sum | cut -c1-16)
services="$cache/services-$key.tar"
if [ ! -s "$services" ]; then
  echo "test-docker: building the postgresql + redis-server root filesystem (debootstrap $suite from $mirror, about a minute; cached as $services)" >&2
  build=$(mktemp -d /tmp/cutover-rootfs.XXXXXX)
  trap 'rm -rf "$build"' EXIT
  bash test/docker/rootfs.sh services "$build/root" "$suite" "$mirror"
  tar -C "$build/root" --numeric-owner -cf "$services.tmp" .
  mv "$services.tmp" "$services"
  rm -rf "$build"
  trap - EXIT
fi
# older cached builds of other inputs
find "$cache" -maxdepth 1 -name 'services-*.tar' ! -name "services-$key.tar" -delete

export CUTOVER_DOCKER_SERVICES_TAR="$services"
exec unshare --pid --fork --mount-proc --mount --net --propagation private bash test/docker/lane.sh "$@"
