#!/usr/bin/env bash
# Root filesystems for the real-Docker lane, imported with `docker import` (no registry is reachable):
#   rootfs.sh busybox DIR    busybox-static and its applets (classes E and S)
#   rootfs.sh services DIR   a Debian minbase with postgresql and redis-server from the apt mirror (classes A, B)
# scripts/test-docker.sh caches the services tarball by the sha256 of this file, the suite, mirror and arch.
set -euo pipefail
kind=$1 root=$2
case "$kind" in
busybox)
  mkdir -p "$root"/{bin,etc,tmp,root,var/lib,proc,sys,dev}
  chmod 1777 "$root/tmp"
  cp "$(readlink -f /bin/busybox)" "$root/bin/busybox"
  for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  ;;
services)
  suite=$3 mirror=$4
  debootstrap --variant=minbase --include=postgresql,redis-server "$suite" "$root" "$mirror" >"$root.log" 2>&1 ||
    { tail -20 "$root.log" >&2; exit 1; }
  # the cluster Debian's postinst made is not used: /usr/local/bin/pg-start inits one in the mounted volume
  chroot "$root" pg_dropcluster --stop "$(ls "$root/usr/lib/postgresql" | sort -n | tail -1)" main >/dev/null 2>&1 || true
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
  cat >"$root/usr/local/bin/pg-start" <<'SH'
#!/bin/sh
# postgres in the foreground with its cluster in /var/lib/postgresql/data (a volume), initdb on first start
set -e
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
data=/var/lib/postgresql/data
mkdir -p "$data" /run/postgresql
chown postgres:postgres "$data" /run/postgresql
chmod 700 "$data"
[ -f "$data/PG_VERSION" ] || runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
exec runuser -u postgres -- "$bin/postgres" -D "$data" -k /run/postgresql -c listen_addresses= -c fsync=off
SH
  chmod 755 "$root/usr/local/bin/pg-start"
  ;;
*)
  echo "rootfs.sh: unknown kind $kind (busybox | services)" >&2
  exit 2
  ;;
esac
