import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname, userInfo } from 'node:os';
import { currentHolder, describeHolder } from '../../src/journal/holder.ts';

test('driver name: USER, then LOGNAME, then the OS account (sudo, cron, systemd-run leave both unset)', () => {
  assert.equal(currentHolder({ USER: 'ingrid', LOGNAME: 'other' }).user, 'ingrid');
  assert.equal(currentHolder({ LOGNAME: 'kari' }).user, 'kari');
  const os = currentHolder({});
  assert.equal(os.user, userInfo().username);
  assert.notEqual(os.user, 'unknown');
});

test('operator is user@host, with the SSH client address when there is one', () => {
  const h = currentHolder({ USER: 'ingrid', SSH_CONNECTION: '203.0.113.9 50022 198.51.100.1 22' });
  assert.equal(h.sshClient, '203.0.113.9');
  assert.equal(describeHolder(h), `ingrid@${hostname()} (ssh from 203.0.113.9)`);
  assert.equal(describeHolder(currentHolder({ USER: 'ingrid' })), `ingrid@${hostname()}`);
  assert.equal(describeHolder({ user: 'ingrid', sshClient: null }), 'ingrid');
});
