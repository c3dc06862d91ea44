// The `moatless dev entra` entry point: flag parsing, the loud development banner, the demo users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDevEntraArgs, runDevEntra, setEmulatorRisk } from './cli.ts';
import { EmulatorError } from './errors.ts';

test('runDevEntra prints a loud dev banner, the URLs and the demo users, never passwords', async () => {
  const lines: string[] = [];
  const emu = await runDevEntra(['--port', '0', '--public-url', 'http://login.localtest.me:8081'], (l) => lines.push(l));
  try {
    const text = lines.join('\n');
    assert.match(lines[0] ?? '', /DEVELOPMENT EMULATOR.*NOT Microsoft Entra ID/);
    assert.match(text, /issuer\s+http:\/\/login\.localtest\.me:8081\/5f1c2e7a-3b4d-4c8e-9a61-0d2b7f3e8c41\/v2\.0/);
    assert.match(text, /alice@contoso\.com\s+Alice Adams — mfa, compliant device/);
    assert.match(text, /dave@contoso\.com\s+Dave Diaz — DISABLED/);
    assert.match(text, /bob@contoso\.com\s+Bob Brown — mfa, HIGH RISK/);
    assert.match(text, /_emulator\/risk -d '\{"user":"alice@contoso\.com","level":"high"\}'/);
    assert.doesNotMatch(text, /dev-secret-change-me|password: alice/);
    const raised = await setEmulatorRisk(emu.listenUrl, 'alice@contoso.com', 'high');
    assert.equal(raised.ok, true);
    assert.equal(emu.risky.get('0c7d9a41-6e2b-4f3a-8d15-2b9e4c7a1f60')?.riskLevel, 'high');
    assert.equal((await setEmulatorRisk(emu.listenUrl, 'alice@contoso.com', 'extreme')).ok, false);
  } finally {
    await emu.close();
  }
});

test('unknown flags and bad ports are invalid_option errors', () => {
  assert.throws(() => parseDevEntraArgs(['--nope', 'x']), (e) => e instanceof EmulatorError && e.code === 'invalid_option');
  assert.throws(() => parseDevEntraArgs(['--port', '99999']), (e) => e instanceof EmulatorError && /--port/.test(e.message));
  assert.throws(() => parseDevEntraArgs(['--fixture']), /needs a value/);
  assert.equal(parseDevEntraArgs(['--risk-rps', '0']).riskRps, 0);
  assert.throws(() => parseDevEntraArgs(['--risk-rps', '-1']), /--risk-rps/);
  assert.deepEqual(parseDevEntraArgs(['--redirect-uri', 'http://a/cb', '--redirect-uri', 'http://b/cb']).redirectUris, ['http://a/cb', 'http://b/cb']);
});
