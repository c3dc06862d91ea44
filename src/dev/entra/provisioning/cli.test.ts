// `moatless dev entra --scim-url … --scim-token …`: flags, the initial cycle, a line per cycle, no token printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDevEntraArgs, runDevEntra } from '../cli.ts';
import { parseInterval, DEFAULT_INTERVAL_MS } from './cli.ts';
import { startFakeScimServer } from './testing/fake-scim-server.ts';

const TOKEN = 'cli-scim-token-abcdef';

test('--scim-url runs an initial cycle, prints its summary and keeps provisioning until close', async () => {
  const scim = await startFakeScimServer(TOKEN);
  const lines: string[] = [];
  const emu = await runDevEntra(['--port', '0', '--scim-url', `${scim.baseUrl}?aadOptscim062020`, '--scim-token', TOKEN, '--scim-interval', '1s'], (l) => lines.push(l));
  try {
    const text = lines.join('\n');
    assert.match(text, /scim\s+provisioning to http:\/\/127\.0\.0\.1:\d+\/scim\/v2 \(aadOptscim062020, every 1s\)/);
    assert.match(text, /scim\s+initial cycle: 5 created, 0 updated, 0 disabled, 10 groups created, .* 0 errors/);
    assert.doesNotMatch(text, new RegExp(TOKEN));
    assert.equal(scim.users().length, 5);
    emu.directory.setAccountEnabled('alice@contoso.com', false);
    const deadline = Date.now() + 5000;
    while (!lines.some((l) => /incremental cycle: .*1 disabled/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(lines.some((l) => /scim\s+incremental cycle: 0 created, 0 updated, 1 disabled/.test(l)), lines.join('\n'));
  } finally {
    await emu.close();
    await scim.close();
  }
  const settled = scim.requests.length;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(scim.requests.length, settled, 'no cycles after close');
});

test('scim flags are validated: url and token together, a known dialect, a sane interval', () => {
  assert.equal(parseDevEntraArgs(['--port', '0']).scim, undefined);
  const args = parseDevEntraArgs(['--scim-url', 'http://127.0.0.1:9/scim/v2', '--scim-token', 't', '--scim-dialect', 'legacy']);
  assert.deepEqual(args.scim, { url: 'http://127.0.0.1:9/scim/v2', token: 't', dialect: 'entra-legacy', intervalMs: DEFAULT_INTERVAL_MS });
  assert.throws(() => parseDevEntraArgs(['--scim-url', 'http://127.0.0.1:9/scim/v2']), { code: 'invalid_option' });
  assert.throws(() => parseDevEntraArgs(['--scim-url', 'ftp://x', '--scim-token', 't']), /http\(s\) URL/);
  assert.throws(() => parseDevEntraArgs(['--scim-url', 'http://x/', '--scim-token', 't', '--scim-dialect', 'odd']), /legacy or compliant/);
  assert.equal(parseInterval('40s'), 40_000);
  assert.equal(parseInterval('2h'), 7_200_000);
  assert.throws(() => parseInterval('10ms'), { code: 'invalid_option' });
  assert.throws(() => parseInterval('forty'), { code: 'invalid_option' });
});
