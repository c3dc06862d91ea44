import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strictest } from './controls.ts';

const lax = { copy: 'allow', paste: 'allow', download: 'allow', upload: 'allow', keyboard: 'allow', print: 'allow' } as const;
const strict = { copy: 'deny', paste: 'remote-only', download: 'remote-view', upload: 'deny', keyboard: 'allow', print: 'deny' } as const;

test('controls only tighten: each control is the stricter of the two, in either order', () => {
  assert.deepEqual(strictest(lax, strict), strict);
  assert.deepEqual(strictest(strict, lax), strict);
  assert.deepEqual(strictest(strict, { ...lax, paste: 'deny', download: 'deny' }), { ...strict, paste: 'deny', download: 'deny' });
});
