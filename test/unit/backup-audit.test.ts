// The audit table is pure: rows in, text out. It must fit 80 columns whatever the names and sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { renderAuditTable, shortBytes, sortAudit, type AuditRow } from '../../src/backup/audit.ts';

const row = (module: string, over: Partial<AuditRow> = {}): AuditRow => ({
  module,
  class: 'E',
  classSource: 'default',
  mounts: ['/a', '/b'],
  dataBytes: 1023 * 1024 * 1024,
  lastBackup: { created: '2026-05-13T23:31:49.000Z', bytes: 11_340_000_000, manifest: `${module}-20260513-233149.manifest.json`, intact: true },
  lastDrill: { started: '2026-05-14T08:00:00.000Z', manifest: 'x' },
  readiness: 'restore proven',
  ...over,
});

test('shortBytes: at most 5 characters up to TiB', () => {
  assert.deepEqual([0, 512, 1536, 10 * 1024, 1023 * 1024, 44.5 * 1024 ** 2, 1.2 * 1024 ** 3, 2 * 1024 ** 4].map(shortBytes), ['0B', '512B', '1.5K', '10K', '1023K', '44M', '1.2G', '2.0T']);
});

test('a module name longer than the room left is cut with … and every line stays within 80 columns', () => {
  const long = 'products-agent-eval-lab-shadow-replica-postgres';
  const out = renderAuditTable([row(long), row('np-radicale', { lastBackup: { created: '2026-05-13T00:00:00Z', bytes: 5, manifest: 'm', intact: false }, readiness: 'backup proven', lastDrill: null }), row('vault', { dataBytes: null, lastBackup: null, lastDrill: null, readiness: 'neither', class: 'C' })]);
  const lines = out.trimEnd().split('\n');
  for (const l of lines) assert.ok(stringWidth(l) <= 80, `${stringWidth(l)}: ${l}`);
  assert.equal(stringWidth(lines[1]!), 80, 'the cut name fills the width exactly');
  assert.match(lines[1]!, /^products-agent-eval-lab-s…  E   2    1023M  2026-05-13 10G   2026-05-14  restore$/);
  assert.match(lines[2]!, /^np-radicale\s+E\s+2\s+1023M\s+2026-05-13 5B !\s+—\s+backup$/);
  assert.match(lines[3]!, /^vault\s+C\s+2\s+\?\s+—\s+—\s+neither$/);
});

test('sort: name, biggest first for size, least ready first for readiness, newest backup first', () => {
  const rows = [row('b', { dataBytes: 5, readiness: 'neither' }), row('a', { dataBytes: 50, readiness: 'restore proven', lastBackup: null }), row('c', { dataBytes: null, readiness: 'backup proven' })];
  assert.deepEqual(sortAudit(rows, 'name').map((r) => r.module), ['a', 'b', 'c']);
  assert.deepEqual(sortAudit(rows, 'size').map((r) => r.module), ['a', 'b', 'c']);
  assert.deepEqual(sortAudit(rows, 'readiness').map((r) => r.module), ['b', 'c', 'a']);
  assert.deepEqual(sortAudit(rows, 'backup').map((r) => r.module), ['b', 'c', 'a']);
});
