import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseStored } from './parse-stored.ts';

const schema = z.object({ n: z.number() });

test('a stored value of the right shape is returned validated; absent, unreadable or the wrong shape reads as null', () => {
  assert.deepEqual(parseStored(schema, '{"n":1}'), { n: 1 });
  assert.equal(parseStored(schema, null), null);
  assert.equal(parseStored(schema, '{"n":'), null);
  assert.equal(parseStored(schema, '{"n":"1"}'), null);
});
