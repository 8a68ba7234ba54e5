#!/usr/bin/env bash
# The real Incus lane (`npm run test:incus`, root; CI runs it after `npm test`). On a bare Debian 12 machine:
#   1. installs Incus from bookworm-backports and debootstrap (outside any namespace: it needs the apt mirror);
#   2. builds the Debian 12 minbase + OpenRC image, cached by its inputs' hash (scripts/incus-lane/image.sh);
#   3. re-runs itself under `unshare -n`: a network namespace of its own, where it starts incusd, the managed
#      bridge (dnsmasq), the containers, Caddy and every probe — so no private address is ever used outside it;
#   4. runs test/incus/*.test.ts there (the runtime contract, then the whole cutover, rollback, decommission,
#      remote and the real behaviours through bin/cutover.js); the remote test makes incusd listen on HTTPS at
#      127.0.0.1:8443 of the namespace's own loopback and adds it as the remote `lane` (client state in the
#      lane directory: INCUS_CONF); the autostart test restarts incusd (pid in $CUTOVER_INCUSD_PIDFILE);
#   5. on exit (trap): deletes what it created, shuts incusd down, ends whatever is left in the namespace and
#      unmounts incusd's mounts. Incus' state lives in a tmpfs of the lane's mount namespace (INCUS_DIR), never in
#      /var/lib/incus, so a second run starts the same way and nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "$(id -u)" = 0 ] || { echo "test-incus: needs root (installs Incus, starts incusd)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
say() { echo "test-incus: $* ($(( $(date +%s) - t0 )) s)" >&2; }

if [ "${1:-}" != --in-netns ]; then
  apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
  need=()
  command -v incus >/dev/null || need+=(incus)
  command -v dnsmasq >/dev/null || need+=(dnsmasq-base)   # only a Recommends of incus: the bridge's DHCP
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v caddy >/dev/null || need+=(caddy)
  command -v unshare >/dev/null || need+=(util-linux)
  if [ ${#need[@]} -gt 0 ]; then
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    if [ "$codename" = bookworm ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
      echo "deb http://deb.debian.org/debian bookworm-backports main" >/etc/apt/sources.list.d/cutover-backports.list
    fi
    apt_get update -qq
    say "installing ${need[*]}"
    if [ "$codename" = bookworm ]; then apt_get install -y -qq --no-install-recommends -t bookworm-backports "${need[@]}" >/dev/null
    else apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; fi
  fi
  [ -f dist/cutover.mjs ] && [ -z "$(find src -newer dist/cutover.mjs -name '*.ts' -print -quit)" ] || npm run -s build >/dev/null
  image=$(bash scripts/incus-lane/image.sh)
  say "image $image"
  # A network namespace, and a mount namespace so that sysfs can show it (below) and incusd's mounts vanish with it.
  exec unshare -n -m --propagation private -- "$0" --in-netns "$image"
fi

# ---- inside the lane's own network (and mount) namespace ----
image_tar=$2
ip link set lo up
# /sys was mounted for the host's network namespace: its class/net lists the host's devices, not this
# namespace's, and Incus looks its bridge up there. A sysfs mounted from here shows this namespace's.
sysfs=$(mktemp -d /tmp/cutover-lane-sysfs.XXXXXX)
mount -t sysfs sysfs "$sysfs"
mount --bind "$sysfs/class/net" /sys/class/net
mount --bind "$sysfs/devices/virtual/net" /sys/devices/virtual/net
# Incus' whole state (database, image store, storage pool, containers) lives in a tmpfs of this mount
# namespace, not in /var/lib/incus: faster (the dir pool copies root file systems), and it vanishes with the
# namespace, so every run starts from nothing and leaves nothing behind.
export INCUS_DIR=/run/cutover-incus-lane
mkdir -p "$INCUS_DIR"
mount -t tmpfs -o mode=0711 cutover-incus "$INCUS_DIR"
if pgrep -x incusd >/dev/null; then
  echo "test-incus: an incusd is already running (pid $(pgrep -x incusd | tr '\n' ' ')); the lane starts its own inside its network namespace — stop that one first" >&2
  exit 1
fi
export CUTOVER_INCUS_LANE_DIR=${CUTOVER_INCUS_LANE_DIR:-$(mktemp -d /tmp/cutover-incus-lane.XXXXXX)}
chmod 0700 "$CUTOVER_INCUS_LANE_DIR"
log=$CUTOVER_INCUS_LANE_DIR/incusd.log
# The incus client's own state (remotes, the client certificate the remote test makes) lives in the lane's
# directory, never in ~/.config/incus.
export INCUS_CONF=$CUTOVER_INCUS_LANE_DIR/incus-client
mkdir -p -m 0700 "$INCUS_CONF"
# A test may restart incusd (the autostart rule is applied at daemon start): it writes the new pid here.
export CUTOVER_INCUSD_PIDFILE=$CUTOVER_INCUS_LANE_DIR/incusd.pid CUTOVER_INCUSD_LOG=$log
mynet=$(readlink /proc/self/ns/net)
incusd_pid=
cleanup() {
  rc=$?
  set +e
  [ -s "$CUTOVER_INCUSD_PIDFILE" ] && incusd_pid=$(cat "$CUTOVER_INCUSD_PIDFILE")
  if [ -n "$incusd_pid" ] && kill -0 "$incusd_pid" 2>/dev/null; then
    say "cleaning up"
    # The instances go with the tmpfs; stopping them by force first keeps the daemon's shutdown short.
    timeout 60 incus stop --all --force >/dev/null 2>&1
    timeout 60 incus admin shutdown >/dev/null 2>&1
    for _ in $(seq 1 40); do kill -0 "$incusd_pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$incusd_pid" 2>/dev/null && kill -KILL "$incusd_pid"
  fi
  # Anything still running in this namespace was started by the lane (incusd's dnsmasq, forkproxy, Caddy …).
  for p in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$p" = $$ ] && continue
    [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$mynet" ] || continue
    case "$(cat "/proc/$p/comm" 2>/dev/null)" in bash|sh|unshare) continue ;; esac
    kill -KILL "$p" 2>/dev/null
  done
  for m in $(awk -v d="$INCUS_DIR" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null; done
  rmdir "$INCUS_DIR" 2>/dev/null
  umount -l /sys/class/net /sys/devices/virtual/net "$sysfs" 2>/dev/null; rmdir "$sysfs" 2>/dev/null
  if [ "$rc" = 0 ]; then rm -rf "$CUTOVER_INCUS_LANE_DIR"; else echo "test-incus: failed (exit $rc); incusd log and lane files kept in $CUTOVER_INCUS_LANE_DIR" >&2; fi
  say "done (exit $rc)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

incusd=$(command -v incusd || echo /usr/libexec/incus/incusd)
export CUTOVER_INCUSD=$incusd
"$incusd" --group root --logfile "$log" >>"$log" 2>&1 &
incusd_pid=$!
echo "$incusd_pid" >"$CUTOVER_INCUSD_PIDFILE"
incus admin waitready --timeout 60 || { echo "test-incus: incusd did not come up; log:" >&2; tail -30 "$log" >&2; exit 1; }
say "incusd $(incus version | awk '/Server/{print $3}') up (pid $incusd_pid) in its own network namespace"

incus storage create default dir >/dev/null
incus profile device add default root disk path=/ pool=default >/dev/null
# The bridge exists only inside this namespace; its private range is never routed anywhere else.
incus network create cutoverbr0 ipv4.address=10.77.0.1/24 ipv4.nat=false ipv4.dhcp=true ipv6.address=none >/dev/null
# The lane's profile: root disk, eth0 on the bridge, and the host's node and this checkout's node_modules
# bind-mounted read-only (the posta stand-in is a Node bundle that requires better-sqlite3 by absolute path).
incus profile create cutover-lane >/dev/null
incus profile device add cutover-lane root disk path=/ pool=default >/dev/null
incus profile device add cutover-lane eth0 nic network=cutoverbr0 name=eth0 >/dev/null
incus profile device add cutover-lane node disk source="$(readlink -f "$(command -v node)")" path=/usr/local/bin/node readonly=true >/dev/null
incus profile device add cutover-lane modules disk source="$repo/node_modules" path="$repo/node_modules" readonly=true >/dev/null

alias=cutover-debian12-openrc
incus image import "$image_tar" --alias "$alias" >/dev/null
say "imported $alias from $image_tar"

export CUTOVER_INCUS_IMAGE=$alias CUTOVER_INCUS_PROFILE=cutover-lane CUTOVER_INCUS_BRIDGE=cutoverbr0
export XDG_STATE_HOME=$CUTOVER_INCUS_LANE_DIR/state XDG_CONFIG_HOME=$CUTOVER_INCUS_LANE_DIR/config XDG_DATA_HOME=$CUTOVER_INCUS_LANE_DIR/data
if [ -n "${CUTOVER_INCUS_LANE_RUN:-}" ]; then
  # Debugging aid: run a command inside the lane's namespaces instead of the tests (e.g. "bash -i").
  say "running $CUTOVER_INCUS_LANE_RUN"
  bash -c "$CUTOVER_INCUS_LANE_RUN"
else
  say "running test/incus"
  node --import tsx --test --test-concurrency=1 "${CUTOVER_INCUS_TESTS:-test/incus/}"*.test.ts
fi
