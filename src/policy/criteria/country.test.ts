import { test } from 'node:test';
import assert from 'node:assert/strict';
import { country } from './country.ts';
import { compileCriterion, facts } from '../testing.ts';

const inCountry = (c: string | undefined) => facts({ request: { ip: '1.1.1.1', ...(c ? { country: c } : {}), host: 'h', path: '/', method: 'GET' } });

test('country matches ISO codes case-insensitively', () => {
  const c = compileCriterion(country, ['us', 'PT']);
  assert.equal(c.match(inCountry('US')), true);
  assert.equal(c.match(inCountry('pt')), true);
  assert.equal(c.match(inCountry('DE')), false);
  assert.equal(c.match(inCountry(undefined)), false);
});
test('country list under require cannot match two countries at once (the documented gotcha)', () => {
  assert.equal(compileCriterion(country, ['US', 'PT']).match(inCountry('US'), true), false);
});
test('country rejects unassigned codes, with a hint for UK', () => {
  const c = compileCriterion(country, ['GB', 'UK', 'ZZ', 'USA']);
  assert.deepEqual(c.errors.map((e) => e.path), ['r[1]', 'r[2]', 'r[3]']);
  assert.match(c.errors[0]!.message, /United Kingdom is GB/);
});
