#!/usr/bin/env bash
# The adapter contract suite against real Incus (by hand: `npm run test:incus`). Installs Incus from Debian
# bookworm-backports if missing, starts incusd if none runs, builds a tiny image from Debian's busybox-static
# (no image server is reachable from here), then runs test/incus/*.test.ts. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test-incus: needs root (installs Incus, starts incusd)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
if ! command -v incus >/dev/null; then
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  if [ "$codename" = bookworm ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" >/etc/apt/sources.list.d/cutover-backports.list
  fi
  apt-get update -qq
  if [ "$codename" = bookworm ]; then apt-get install -y -qq -t bookworm-backports incus >/dev/null
  else apt-get install -y -qq incus >/dev/null; fi
fi
[ -x /bin/busybox ] || apt-get install -y -qq busybox-static >/dev/null

if ! incus info >/dev/null 2>&1; then
  echo "test-incus: starting incusd" >&2
  incusd=$(command -v incusd || echo /usr/libexec/incus/incusd)
  (systemctl start incus 2>/dev/null) || { nohup "$incusd" --group root >/var/log/cutover-incusd.log 2>&1 & }
  for _ in $(seq 1 60); do incus info >/dev/null 2>&1 && break; sleep 0.5; done
  incus info >/dev/null 2>&1 || { echo "test-incus: incusd did not come up; see /var/log/cutover-incusd.log" >&2; exit 1; }
fi
# No network for the containers (no bridge on a sandbox, and no traffic beyond loopback): a dir pool and a
# default profile with only a root disk.
if ! incus storage list -f csv | grep -q .; then
  incus admin init --preseed <<'PRESEED'
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
PRESEED
fi
incus profile device get default root pool >/dev/null 2>&1 || incus profile device add default root disk path=/ pool=default

image=${CUTOVER_INCUS_IMAGE:-cutover-busybox}
if ! incus image info "$image" >/dev/null 2>&1; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,run,var/lib,usr/bin,usr/sbin}
  cp "$(readlink -f /bin/busybox)" "$root/bin/busybox"
  for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf /bin/busybox "$root/bin/$app"; done
  ln -sf /bin/busybox "$root/sbin/init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  printf '::sysinit:/bin/mount -t tmpfs tmpfs /run\n::respawn:/bin/sleep 3650d\n' >"$root/etc/inittab"
  cat >"$work/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: busybox-static for cutover's contract tests
  os: busybox
META
  tar -C "$work" -czf "$work/image.tar.gz" metadata.yaml rootfs
  incus image import "$work/image.tar.gz" --alias "$image"
fi

CUTOVER_INCUS_IMAGE="$image" exec node --import tsx --test --test-concurrency=1 test/incus/*.test.ts
