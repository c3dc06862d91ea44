import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateFilter, compareForSort } from './filter-eval.ts';
import { validateFilter } from './filter-validate.ts';
import { parseFilter } from './filter-parser.ts';
import { GROUP, USER } from './schemas.ts';
import { ScimError } from './errors.ts';
import type { JsonObject } from './json.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const alice: JsonObject = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: 'U-1',
  externalId: 'Ext-A',
  userName: 'Alice@Contoso.com',
  active: true,
  name: { givenName: 'Alice', familyName: "O'Malley" },
  title: '',
  emails: [
    { value: 'alice@contoso.com', type: 'work', primary: true },
    { value: 'alice@example.org', type: 'home' },
  ],
  [ENT]: { employeeNumber: '42', manager: { value: 'M-9' } },
  meta: { created: '2015-10-10T21:38:21.8617979Z', lastModified: '2024-01-02T03:04:05Z' },
};

function matches(text: string, resource: JsonObject = alice): boolean {
  return evaluateFilter(validateFilter(parseFilter(text), USER), resource, USER);
}

describe('evaluateFilter', () => {
  const TABLE: Array<[string, boolean]> = [
    ['userName eq "alice@contoso.com"', true], // caseExact false (RFC 7643 §4.1.1)
    ['USERNAME Eq "ALICE@CONTOSO.COM"', true],
    ['userName ne "alice@contoso.com"', false],
    ['externalId eq "ext-a"', false], // externalId is caseExact
    ['externalId eq "Ext-A"', true],
    ['id eq "u-1"', false],
    ['emails[type eq "work"].value eq "ALICE@contoso.com"', true],
    ['emails[type eq "home"].value eq "alice@contoso.com"', false],
    ['emails[type eq "work" and value co "@contoso"]', true],
    ['emails.value ew ".org"', true],
    ['emails co "example.org"', true], // complex without sub compares `value`
    ['emails.type eq "other"', false],
    ['name.familyName co "o\'mal"', true],
    ['name.givenName sw "al" and not (name.familyName eq "x")', true],
    ['title pr', false], // "" is not present
    ['nickName pr', false],
    ['name pr', true],
    ['nickName ne "x"', true], // ne matches an absent attribute
    ['nickName eq null', true],
    ['active eq true', true],
    ['active eq "True"', true],
    ['active eq false or userName sw "zz"', false],
    ['meta.created gt "2015-10-10T14:38:21.8617979-07:00"', false], // same instant
    ['meta.created ge "2015-10-10T14:38:21.8617979-07:00"', true],
    ['meta.lastModified lt "2024-01-02T04:00:00+01:00"', false],
    ['meta.lastModified le "2024-01-02T04:04:05+01:00"', true],
    [`${ENT}:employeeNumber eq "42"`, true],
    [`${ENT}:manager.value eq "M-9"`, true],
    ['manager eq "M-9"', true], // Entra Example 4: unqualified extension attribute
    ['id eq "U-1" and manager eq "M-8"', false],
    [`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "alice"`, true],
    ['employeeNumber eq 42', true], // bare number normalised to the string attribute
  ];
  for (const [text, expected] of TABLE) {
    test(`${text} → ${expected}`, () => assert.equal(matches(text), expected));
  }

  test('a soft-deleted user stays matchable by filter', () => {
    assert.equal(matches('userName eq "alice@contoso.com" and active eq false', { ...alice, active: false }), true);
  });
});

describe('validateFilter', () => {
  const BAD = [
    'nosuch eq "x"', 'name.nosuch eq "x"', 'active gt true', 'active co "t"', 'userName[value eq "x"]',
    'emails[nosuch eq "x"]', 'meta.created gt "yesterday"', 'x509Certificates.value gt "a"', 'name eq "x"',
    `${ENT} eq "x"`, 'urn:example:other:thing eq "x"', 'meta.created gt 5', 'active eq 1',
  ];
  for (const text of BAD) {
    test(`rejects ${text}`, () => {
      assert.throws(() => validateFilter(parseFilter(text), USER), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidFilter');
    });
  }
  test('group filters resolve against the Group schema', () => {
    assert.equal(evaluateFilter(validateFilter(parseFilter('displayName eq "engineering"'), GROUP), { displayName: 'Engineering' }, GROUP), true);
    assert.throws(() => validateFilter(parseFilter('userName eq "x"'), GROUP), ScimError);
  });
});

// The five users of Microsoft's Postman collection "User tests with garbage" (reference/scim.md §2).
const postmanUsers: JsonObject[] = ['OMalley', 'Jensen', 'Smith', 'Brown', 'Garcia'].map((last, i) => ({
  id: `u${i}`,
  userName: `${last}@example.com`,
  name: { familyName: i < 4 ? 'Employee' : 'Contractor' },
  emails: [{ type: 'work', value: `${last}@${i % 2 === 0 ? 'example.com' : 'example.org'}` }],
  meta: { created: `2020-0${i + 1}-01T00:00:00Z` },
}));

test('the Postman collection unquoted filters return the counts it asserts', () => {
  const count = (text: string): number => postmanUsers.filter((u) => matches(text, u)).length;
  assert.equal(count('name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)'), 4);
  assert.equal(count('userName sw O'), 1);
  assert.equal(count('meta.Created gt 2015-10-10T14:38:21.8617979-07:00'), 5);
});

describe('compareForSort', () => {
  const path = parseFilter('userName pr');
  const userName = path.op === 'pr' ? path.path : { attr: 'username' };
  test('orders strings case-insensitively for caseExact=false and puts missing values last', () => {
    const list: JsonObject[] = [{ id: '1', userName: 'bob' }, { id: '2' }, { id: '3', userName: 'Alice' }, { id: '4', userName: 'carol' }];
    list.sort((a, b) => compareForSort(a, b, userName, USER));
    assert.deepEqual(list.map((u) => u['id']), ['3', '1', '4', '2']);
  });
  test('sorts multi-valued attributes by the primary value and dateTimes as instants', () => {
    const a = { emails: [{ value: 'z@x' }, { value: 'a@x', primary: true }] };
    const b = { emails: [{ value: 'm@x' }] };
    assert.ok(compareForSort(a, b, { attr: 'emails', sub: 'value' }, USER) < 0);
    const early = { meta: { created: '2024-01-01T10:00:00+05:00' } };
    const late = { meta: { created: '2024-01-01T06:00:00Z' } };
    assert.ok(compareForSort(early, late, { attr: 'meta', sub: 'created' }, USER) < 0);
  });
});
