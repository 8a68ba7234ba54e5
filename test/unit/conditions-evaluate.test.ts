import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateText, isParseError, parseCondition, parseDurationMs, type ConditionResponse } from '../../checks/conditions.ts';

const actor: ConditionResponse = {
  status: 200,
  headers: { 'Content-Type': 'application/activity+json', 'x-served-by': 'posta' },
  body: JSON.stringify({ name: 'Arne', publicKey: 'q1lr+YxzHV', count: 3, items: [{ id: 'a' }, { id: 'b' }], tags: ['x', 'y'], nested: { deep: { v: 7 } } }),
  timeMs: 120,
};
const html: ConditionResponse = { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html>setup</html>', timeMs: 900 };

const ok = (text: string, res = actor) => evaluateText(text, res).ok;

test('status: equality, inequality and ordering', () => {
  assert.equal(ok('status == 200'), true);
  assert.equal(ok('status == 401'), false);
  assert.equal(ok('status != 401'), true);
  assert.equal(ok('status < 300'), true);
  assert.equal(ok('status >= 500'), false);
  assert.equal(ok('[STATUS] == 200'), true, 'Gatus placeholder accepted');
  const r = evaluateText('status == 410', { ...actor, status: 404 });
  assert.deepEqual(r, { ok: false, expected: 'status == 410', actual: 'status = 404', compare: { selector: 'status', op: '==', want: '410', got: '404' } });
});

test('body JSON path: quoted and unquoted right side, nested, array index', () => {
  assert.equal(ok('body.name == "Arne"'), true);
  assert.equal(ok('body.name == Arne'), true, 'unquoted right side is a literal string');
  assert.equal(ok('body.name == Marcus'), false);
  assert.equal(ok('body.items[1].id == b'), true);
  assert.equal(ok('body.nested.deep.v == 7'), true);
  assert.equal(ok('body.count > 2'), true);
  assert.equal(ok('body.publicKey == "q1lr+YxzHV"'), true);
  assert.equal(ok('[BODY].name == Arne'), true);
  const r = evaluateText('body.name == "Marcus"', actor);
  assert.equal(r.actual, 'body.name = "Arne"');
});

test('body JSON path: absent field and non-JSON body fail with a reason', () => {
  const absent = evaluateText('body.missing == x', actor);
  assert.equal(absent.ok, false);
  assert.match(absent.actual, /body\.missing: absent in body/);
  const notJson = evaluateText('body.name == Arne', html);
  assert.equal(notJson.ok, false);
  assert.match(notJson.actual, /body is not JSON/);
  assert.equal(ok('body.items[5].id == a'), false);
  assert.equal(ok('body.name[0] == A'), false, 'index into a string is not a JSON path hit');
});

test('header contains is case-insensitive on the name; absent header fails', () => {
  assert.equal(ok('header.content-type contains html', html), true);
  assert.equal(ok('header.Content-Type contains json'), true);
  assert.equal(ok('header.content-type contains html'), false);
  const r = evaluateText('header.x-missing contains a', html);
  assert.equal(r.ok, false);
  assert.match(r.actual, /header absent/);
});

test('contains on arrays checks membership; on strings substring', () => {
  assert.equal(ok('body.tags contains y'), true);
  assert.equal(ok('body.tags contains z'), false);
  assert.equal(ok('body contains setup', html), true);
});

test('time: durations in ms and s', () => {
  assert.equal(ok('time < 500ms'), true);
  assert.equal(ok('time < 500ms', html), false);
  assert.equal(ok('time < 1s', html), true);
  assert.equal(ok('time <= 120'), true);
  assert.equal(ok('[RESPONSE_TIME] < 200'), true);
  assert.equal(evaluateText('time < 500ms', html).actual, 'time = 900');
});

test('len() of arrays, strings and objects', () => {
  assert.equal(ok('len(body.items) > 0'), true);
  assert.equal(ok('len(body.items) == 2'), true);
  assert.equal(ok('len(body.name) == 4'), true);
  assert.equal(ok('len(body.nested) == 1'), true);
  assert.equal(ok('len(body.items) > 2'), false);
  assert.equal(ok('len(body.count) > 0'), false);
});

test('&& needs every part, || any part; actual lists each part', () => {
  assert.equal(ok('status == 200 && body.name == Arne'), true);
  assert.equal(ok('status == 200 && body.name == Marcus'), false);
  assert.equal(ok('status == 404 || body.name == Arne'), true);
  assert.equal(ok('status == 404 || body.name == Marcus'), false);
  assert.equal(ok('status == 404 || status == 200 && time < 1ms'), false, '&& binds tighter than ||');
  assert.equal(ok('status == 200 || status == 404 && time < 1ms'), true);
  const r = evaluateText('status == 200 && body.name == Marcus', actor);
  assert.equal(r.actual, 'status = 200; body.name = "Arne"');
});

test('separators inside quoted strings are not operators', () => {
  assert.equal(ok('body.name != "a && b || c"'), true);
  const c = parseCondition('body.name == "x && y"');
  assert.ok(!isParseError(c) && c.type === 'compare' && c.right === 'x && y');
});

test('ordering on non-numbers is a failure that says why', () => {
  const r = evaluateText('body.name > 3', actor);
  assert.equal(r.ok, false);
  assert.match(r.actual, /not a number/);
  assert.equal(ok('time < soon'), false);
});

test('parse errors name what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['', /empty condition/],
    ['status 200', /no operator/],
    ['== 200', /missing left side/],
    ['status ==', /missing right side/],
    ['bogus == 1', /unknown left side "bogus"/],
    ['body.name == "Arne', /unterminated string/],
    ['status == 200 &&', /needs a condition on both sides/],
    ['body.a[x] == 1', /bad JSON path/],
  ];
  for (const [text, re] of cases) {
    const c = parseCondition(text);
    assert.ok(isParseError(c), `expected a parse error for ${JSON.stringify(text)}`);
    assert.match(c.error, re, text);
  }
  const r = evaluateText('status 200', actor);
  assert.equal(r.ok, false);
  assert.match(r.actual, /invalid condition/);
});

test('parse once, evaluate many', () => {
  const c = parseCondition('status == 200 && time < 500ms');
  assert.ok(!isParseError(c));
  assert.equal(evaluate(c, actor).ok, true);
  assert.equal(evaluate(c, html).ok, false);
});

test('parseDurationMs', () => {
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('3s'), 3000);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('250'), 250);
  assert.equal(parseDurationMs('fast'), null);
});
