import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyLine } from './pretty-log.ts';
import { wantsPretty } from './logger.ts';

const at = new Date(2026, 0, 2, 12, 1, 2).getTime();

test('an access-log line becomes one short human line', () => {
  const json = JSON.stringify({
    level: 30, time: at, app: 'moatless', type: 'access', at: 'x', requestId: 'r1', userKey: 'k', email: 'alice@contoso.com',
    appId: 'wiki', host: 'wiki.localhost:8080', path: '/', method: 'GET', action: 'allow', policy: 'staff',
    reasons: ['group Staff'], status: 200, durationMs: 1.23, clientIp: '127.0.0.1', msg: '',
  });
  assert.equal(prettyLine(json), '12:01:02 ALLOW alice@contoso.com GET wiki.localhost/ 200 1.2ms');
});

test('a refusal says why, and an anonymous request shows a dash', () => {
  const json = JSON.stringify({
    level: 30, time: at, type: 'access', email: null, host: 'payroll.localhost', path: '/a', method: 'POST',
    action: 'block', reasons: ['no policy matched'], status: 403, durationMs: 12.6,
  });
  assert.equal(prettyLine(json), '12:01:02 BLOCK - POST payroll.localhost/a 403 13ms (no policy matched)');
});

test('other lines: time, level, message, then the fields; errors by their message', () => {
  const err = { type: 'Error', message: 'disk full', stack: '…' };
  const json = JSON.stringify({ level: 50, time: at, app: 'moatless', pid: 1, msg: 'signing key refresh failed', err, idp: 'entra' });
  assert.equal(prettyLine(json), '12:01:02 ERROR signing key refresh failed err="disk full" idp=entra');
});

test('a line that is not JSON is passed through, not dropped', () => {
  assert.equal(prettyLine('not json\n'), 'not json');
});

test('auto is pretty on a terminal only; json and pretty are forced', () => {
  assert.equal(wantsPretty('auto', true), true);
  assert.equal(wantsPretty('auto', false), false);
  assert.equal(wantsPretty('json', true), false);
  assert.equal(wantsPretty('pretty', false), true);
});
