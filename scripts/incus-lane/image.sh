#!/usr/bin/env bash
# Builds the real lane's container image: Debian 12 minbase from the apt mirror, then OpenRC under sysvinit
# (`debootstrap --include=openrc` fails on the sysv-rc conflict, so it is installed inside the rootfs).
# Prints the path of the cached tarball (unified image: metadata.yaml + rootfs/). Cached by the hash of this
# file: change anything here and the next run rebuilds (about 100 s); otherwise it takes no time.
# Runs OUTSIDE the lane's network namespace: it needs the Debian mirror.
set -euo pipefail
mirror=${CUTOVER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${CUTOVER_INCUS_CACHE:-/var/cache/cutover-incus}
hash=$( (cat "$0"; echo "$mirror"; uname -m) | sha256sum | cut -c1-16)
out="$cache/debian12-openrc-$hash.tar.gz"
if [ -s "$out" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache"
work=$(mktemp -d /var/tmp/cutover-image.XXXXXX)
cleanup() { umount "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
root="$work/rootfs"
echo "image: debootstrap --variant=minbase bookworm ($mirror)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
mount -t proc proc "$root/proc"
echo "image: apt-get install openrc sysvinit-core iproute2 (inside the rootfs)" >&2
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends openrc sysvinit-core iproute2 udhcpc >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
chroot "$root" apt-get clean
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
# A container has no ttys: no getty. Incus stops a container by sending SIGPWR to init; Debian's inittab
# points powerwait at /etc/init.d/powerfail, which minbase does not have, so `incus stop` would wait forever:
# powerwait runs runlevel 0's script itself (OpenRC stops the services, then halt). Not `init 0`: telinit talks
# to init through /run/initctl, which the fresh tmpfs /run hides.
sed -i -e '/getty/d' -e '/^pf::/d' -e '/^pn::/d' -e '/^po::/d' "$root/etc/inittab"
printf 'pf::powerwait:/etc/init.d/rc 0\n' >>"$root/etc/inittab"
# OpenRC inside a container: no hardware, no file systems of its own to check or unmount. sysvinit-core pulls
# Debian's LSB boot and shutdown scripts (checkroot, mountall, hwclock, sendsigs, umountfs …): run at every
# `incus stop` they take ~9 s. Only mountkernfs.sh stays (a fresh tmpfs /run, so OpenRC's state of the previous
# boot is gone after a restart); the shutdown then just stops the services and halts.
for rl in sysinit boot shutdown off nonetwork; do
  for f in "$root/etc/runlevels/$rl/"*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    [ "$(basename "$f")" = mountkernfs.sh ] || rm -f "$f"
  done
done
# OpenRC inside a container: skip the hardware services.
sed -i 's/^#\?rc_sys=.*/rc_sys="lxc"/' "$root/etc/rc.conf"
grep -q '^rc_sys="lxc"' "$root/etc/rc.conf" || echo 'rc_sys="lxc"' >>"$root/etc/rc.conf"
# eth0 by DHCP from the lane's managed bridge (Incus' dnsmasq): udhcpc with a script of our own using `ip`,
# started by OpenRC as the `net` provider, so the container's address comes and goes like a real host's.
cat >"$root/etc/udhcpc.script" <<'DHCP'
#!/bin/sh
case "$1" in
  deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    ;;
esac
exit 0
DHCP
chmod 0755 "$root/etc/udhcpc.script"
cat >"$root/etc/init.d/cutover-net" <<'NET'
#!/sbin/openrc-run
description="eth0 by DHCP (udhcpc) from the lane's bridge"
depend() { provide net; }
start() {
  ebegin "eth0 by DHCP"
  ip link set lo up
  # In the foreground until the first lease (or 30 tries), then in the background renewing it.
  udhcpc -i eth0 -s /etc/udhcpc.script -t 30 -T 1 -A 1 -b -p /run/udhcpc.pid >/dev/null 2>&1
  eend $?
}
stop() { [ -f /run/udhcpc.pid ] && kill "$(cat /run/udhcpc.pid)" 2>/dev/null; return 0; }
NET
chmod 0755 "$root/etc/init.d/cutover-net"
chroot "$root" rc-update add cutover-net default >/dev/null
echo "cutover-lane" >"$root/etc/hostname"
# `service NAME stop|start|status` as on Alpine (the runbook's words): Debian's /usr/sbin/service pre-creates
# OpenRC's "started" marker before running the script, so a status after a failed start says "started".
printf '#!/bin/sh\n# cutover real lane: service is rc-service, as on Alpine (see scripts/incus-lane/image.sh)\nexec /sbin/rc-service "$@"\n' >"$root/usr/sbin/service"
chmod 0755 "$root/usr/sbin/service"
# The posta stand-in binds loopback only, unless it runs in a network namespace of its own: this container.
mkdir -p "$root/etc/posta-standin" && : >"$root/etc/posta-standin/listen-any"
cat >"$work/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: Debian 12 minbase + OpenRC (cutover real lane)
  os: debian
  release: bookworm
  cutover.hash: "$hash"
META
tar -C "$work" -czf "$out.tmp" metadata.yaml rootfs
mv "$out.tmp" "$out"
echo "$out"
