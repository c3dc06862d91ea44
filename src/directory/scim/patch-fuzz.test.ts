// Property tests for the PATCH engine: it never mutates its input, it either applies every
// operation or throws a ScimError, and one invalid operation anywhere means nothing is applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPatch } from './patch.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';
import type { JsonObject } from './json.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const P = (Operations: unknown[]): JsonObject => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

const base: JsonObject = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: 'U-1',
  userName: 'alice@contoso.com',
  active: true,
  name: { givenName: 'Alice' },
  emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }],
  [ENT]: { manager: { value: 'M-1' } },
};

const verb = fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove');
const path = fc.constantFrom(
  undefined, 'title', 'active', 'displayName', 'name.givenName', 'name.familyName', 'emails', 'emails[type eq "work"].value',
  'emails[type eq "home"]', 'phoneNumbers[type eq "mobile"].value', `${ENT}:manager`, `${ENT}:department`, 'nickName', 'addresses',
  'id', 'meta.created', 'bogus', 'emails[bogus eq "x"]', 'name[x', 'userName',
);
const value = fc.oneof(
  fc.constantFrom(null, '', 'x', 'True', 'False', true, false, 3, [], [{ value: 'v', type: 'work' }], { value: 'm' }, { givenName: 'G' }),
  fc.dictionary(fc.constantFrom('title', 'name.givenName', `${ENT}:department`, 'active', 'id', 'schemas', 'junk'), fc.constantFrom('a', 'False', null)),
);
const op = fc.record({ op: verb, path, value }, { requiredKeys: ['op'] });

test('random operation lists never mutate the input and fail only with ScimError', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 8 }), (ops) => {
      const input = structuredClone(base);
      try {
        const out = applyPatch(input, P(ops), USER);
        assert.notEqual(out.resource, input);
        assert.equal(typeof out.resource['userName'], 'string');
      } catch (e) {
        assert.ok(e instanceof ScimError, String(e));
        assert.equal(e.status === 400 || e.status === 413, true);
      }
      assert.deepStrictEqual(input, base);
    }),
    { numRuns: 3000 },
  );
});

const good = fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constantFrom('title', 'nickName', 'name.familyName'), value: fc.string({ minLength: 1, maxLength: 5 }) });
const bad = fc.constantFrom(
  { op: 'replace', path: 'id', value: 'other' },
  { op: 'remove' },
  { op: 'frobnicate', path: 'title' },
  { op: 'add', path: 'nosuch', value: 1 },
  { op: 'replace', path: 'active', value: 'perhaps' },
);

test('one invalid operation anywhere means no result at all', () => {
  fc.assert(
    fc.property(fc.array(good, { maxLength: 5 }), bad, fc.array(good, { maxLength: 5 }), (before, wrong, after) => {
      const input = structuredClone(base);
      assert.throws(() => applyPatch(input, P([...before, wrong, ...after]), USER), ScimError);
      assert.deepStrictEqual(input, base);
    }),
    { numRuns: 1000 },
  );
});

test('member operations compose into a delta equivalent to applying them in order', () => {
  const memberOp = fc.oneof(
    fc.record({ op: fc.constant('add'), path: fc.constant('members'), value: fc.array(fc.constantFrom('a', 'b', 'c', 'd').map((v) => ({ value: v })), { maxLength: 3 }) }),
    fc.record({ op: fc.constant('remove'), path: fc.constantFrom('a', 'b', 'c', 'd').map((v) => `members[value eq "${v}"]`) }),
    fc.record({ op: fc.constant('Remove'), path: fc.constant('members'), value: fc.array(fc.constantFrom('a', 'b', 'c').map((v) => ({ value: v })), { minLength: 1, maxLength: 2 }) }),
    fc.constant({ op: 'remove', path: 'members' }),
    fc.record({ op: fc.constant('replace'), path: fc.constant('members'), value: fc.array(fc.constantFrom('a', 'b', 'c').map((v) => ({ value: v })), { maxLength: 3 }) }),
  );
  fc.assert(
    fc.property(fc.subarray(['a', 'b', 'c', 'd']), fc.array(memberOp, { maxLength: 8 }), (initial, ops) => {
      // Oracle: apply each op to a real member set.
      let expected = new Set(initial);
      for (const o of ops as Array<{ op: string; path: string; value?: Array<{ value: string }> }>) {
        if (o.op === 'add') for (const m of o.value ?? []) expected.add(m.value);
        else if (o.op === 'replace') expected = new Set((o.value ?? []).map((m) => m.value));
        else if (o.path.startsWith('members[')) expected.delete(o.path.slice(-3, -2));
        else if (o.value !== undefined) for (const m of o.value) expected.delete(m.value);
        else expected.clear();
      }
      const { memberDelta: d } = applyPatch({ schemas: [GROUP.core.id], id: 'G', displayName: 'G' }, P(ops), GROUP);
      // Apply the delta the documented way: clear, set, remove, add.
      let actual = new Set(initial);
      if (d.removeAll === true || d.replaceAll !== undefined) actual = new Set((d.replaceAll ?? []).map((m) => m.value));
      for (const id of d.remove) actual.delete(id);
      for (const m of d.add) actual.add(m.value);
      assert.deepStrictEqual([...actual].sort(), [...expected].sort());
    }),
    { numRuns: 2000 },
  );
});
