// The lab's containers in Incus' own JSON shapes (`incus list -f json`, `incus snapshot list -f json`).
import { createHash } from 'node:crypto';
import type { LabContainer } from '../state.ts';

const STATUS_CODE = { Running: 103, Stopped: 102 } as const;
const NEVER = '0001-01-01T00:00:00Z';

function hwaddr(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `10:66:6a:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

export function instanceJson(c: LabContainer, pid: number | null) {
  const running = c.status === 'Running';
  const expandedConfig = { 'image.os': 'Alpine', 'image.release': c.image.split('/').pop() ?? '', 'volatile.eth0.hwaddr': hwaddr(c.name), ...c.config };
  return {
    architecture: 'x86_64',
    config: { 'volatile.eth0.hwaddr': hwaddr(c.name), ...c.config },
    devices: {},
    ephemeral: false,
    profiles: c.profiles,
    stateful: false,
    description: '',
    created_at: c.createdAt,
    expanded_config: expandedConfig,
    expanded_devices: {
      eth0: { name: 'eth0', network: 'incusbr0', type: 'nic' },
      root: { path: '/', pool: 'default', type: 'disk' },
    },
    name: c.name,
    status: c.status,
    status_code: STATUS_CODE[c.status],
    last_used_at: c.lastUsedAt ?? NEVER,
    location: 'none',
    type: 'container',
    project: 'default',
    backups: null,
    state: {
      status: c.status,
      status_code: STATUS_CODE[c.status],
      disk: {},
      memory: { usage: 0, usage_peak: 0, total: 0, swap_usage: 0, swap_usage_peak: 0 },
      network: running
        ? {
            eth0: {
              addresses: [{ family: 'inet', address: c.ip, netmask: '24', scope: 'global' }],
              counters: { bytes_received: 0, bytes_sent: 0, packets_received: 0, packets_sent: 0 },
              hwaddr: hwaddr(c.name),
              host_name: `veth${hwaddr(c.name).replace(/:/g, '').slice(4)}`,
              mtu: 1500,
              state: 'up',
              type: 'broadcast',
            },
            lo: {
              addresses: [
                { family: 'inet', address: '127.0.0.1', netmask: '8', scope: 'local' },
                { family: 'inet6', address: '::1', netmask: '128', scope: 'local' },
              ],
              counters: { bytes_received: 0, bytes_sent: 0, packets_received: 0, packets_sent: 0 },
              hwaddr: '',
              host_name: '',
              mtu: 65536,
              state: 'up',
              type: 'loopback',
            },
          }
        : null,
      pid: running ? (pid ?? 1) : 0,
      processes: running ? (pid ? 2 : 1) : 0,
      cpu: { usage: 0 },
    },
    snapshots: c.snapshots.length ? c.snapshots.map((s) => snapshotJson(c, s)) : null,
  };
}

export function snapshotJson(c: LabContainer, s: { name: string; createdAt: string }) {
  return {
    architecture: 'x86_64',
    config: c.config,
    created_at: s.createdAt,
    devices: {},
    ephemeral: false,
    expires_at: NEVER,
    last_used_at: NEVER,
    name: s.name,
    profiles: c.profiles,
    stateful: false,
    size: -1,
  };
}
