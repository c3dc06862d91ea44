// Property tests for the filter parser: printed trees parse back to themselves, and arbitrary text
// never produces anything but a Filter or a ScimError(400, invalidFilter) — or invalidValue for NUL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttrPath, Filter } from './filter-ast.ts';
import { parseFilter } from './filter-parser.ts';
import { printFilter } from './filter-print.ts';
import { ScimError } from './errors.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/).filter((s) => !['and', 'or', 'not', 'pr', 'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'true', 'false', 'null'].includes(s));
const urn = fc.constantFrom('urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user');
const path: fc.Arbitrary<AttrPath> = fc.record({ schema: urn, attr: name, sub: name }, { requiredKeys: ['attr'] });
const value = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)), fc.integer());
const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le' as const);

function filterArb(inner: boolean): fc.Arbitrary<Filter> {
  const leafPath: fc.Arbitrary<AttrPath> = inner ? name.map((attr) => ({ attr })) : path;
  const { tree } = fc.letrec<{ tree: Filter }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ op, path: leafPath, value }) as fc.Arbitrary<Filter>,
      fc.record({ op: fc.constant('pr' as const), path: leafPath }),
      fc.record({ op: fc.constantFrom('and' as const, 'or' as const), left: tie('tree'), right: tie('tree') }),
      fc.record({ op: fc.constant('not' as const), filter: tie('tree') }),
      ...(inner ? [] : [fc.record({ op: fc.constant('valuePath' as const), path: name.map((attr) => ({ attr })), filter: filterArb(true) })]),
    ),
  }));
  return tree;
}

function depth(f: Filter): number {
  switch (f.op) {
    case 'and': case 'or': return 1 + Math.max(depth(f.left), depth(f.right));
    case 'not': case 'valuePath': return 1 + depth(f.filter);
    default: return 0;
  }
}

test('printFilter output parses back to the same tree', () => {
  fc.assert(
    fc.property(filterArb(false).filter((f) => depth(f) < 12), (f) => {
      const text = printFilter(f);
      if (text.length > 4096) return;
      assert.deepStrictEqual(parseFilter(text), JSON.parse(JSON.stringify(f)));
    }),
    { numRuns: 2000 },
  );
});

const fragments = fc.constantFrom('(', ')', '[', ']', '"', '\\', ' ', 'and', 'or', 'not', 'pr', 'eq', 'co', 'x', 'emails', '.value', 'urn:a:b', '1e9', '-', 'true', ',', '\u0000', '"a"');
const garbage = fc.oneof(fc.string({ maxLength: 60 }), fc.array(fragments, { maxLength: 30 }).map((xs) => xs.join('')));

test('arbitrary text yields a Filter or a ScimError invalidFilter, nothing else', () => {
  fc.assert(
    fc.property(garbage, (text) => {
      try {
        const f = parseFilter(text);
        assert.equal(typeof f.op, 'string');
        // Whatever parsed must survive a round trip too.
        assert.deepStrictEqual(parseFilter(printFilter(f)), f);
      } catch (e) {
        assert.ok(e instanceof ScimError, `unexpected ${String(e)}`);
        // Text no backend can store is a bad value, not bad syntax (limits.ts).
        if (e.scimType === 'invalidValue') assert.match(e.detail, /NUL character or an unpaired surrogate/);
        else assert.equal(e.scimType, 'invalidFilter');
        assert.equal(e.status, 400);
      }
    }),
    { numRuns: 5000 },
  );
});
