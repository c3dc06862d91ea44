import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, parsePatchPath } from './filter-parser.ts';
import { MAX_FILTER_LENGTH } from './limits.ts';
import { printFilter } from './filter-print.ts';
import { ScimError } from './errors.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

// Each case: filter text → canonical printed form of the parsed tree.
const VALID: Array<[string, string]> = [
  // Entra (reference/scim.md §1.1–1.4)
  ['userName eq "alice@contoso.com"', 'username eq "alice@contoso.com"'],
  ['externalId eq "0f5e9a0c"', 'externalid eq "0f5e9a0c"'],
  ['emails[type eq "work"].value eq "a@contoso.com"', 'emails[type eq "work" and value eq "a@contoso.com"]'],
  ['displayName eq "Engineering"', 'displayname eq "Engineering"'],
  ['id eq "u1" and manager eq "m1"', 'id eq "u1" and manager eq "m1"'],
  // RFC 7644 §3.4.2.2 examples
  ['title pr', 'title pr'],
  ['name.familyName co "O\'Malley"', 'name.familyname co "O\'Malley"'],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', 'usertype eq "Employee" and (emails co "example.com" or emails.value co "example.org")'],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', 'usertype ne "Employee" and not (emails co "example.com" or emails.value co "example.org")'],
  ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', 'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]'],
  [`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`, `${ENT}:manager.value eq "m"`],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastmodified gt "2011-05-13T04:42:34Z"'],
  // Case-insensitive keywords, operators, literals
  ['UserName EQ "Bob" AND Active Eq TRUE', 'username eq "Bob" and active eq true'],
  ['NOT(a pr) OR b Pr', 'not (a pr) or b pr'],
  ['a eq null or b eq 1.5e3 or c eq -2', 'a eq null or b eq 1500 or c eq -2'],
  ['a eq "tab\\t\\u00e9\\"q"', 'a eq "tab\\té\\"q"'],
  // Precedence: and binds tighter than or; both left-associative
  ['a pr or b pr and c pr', 'a pr or b pr and c pr'],
  ['(a pr or b pr) and c pr', '(a pr or b pr) and c pr'],
  ['a pr and (b pr and c pr)', 'a pr and (b pr and c pr)'],
  // Microsoft SCIM Inbound collection
  ['active eq true and (meta.lastModified ge "2024-01-01T00:00:00Z" and meta.lastModified le "2024-02-01T00:00:00Z")', 'active eq true and (meta.lastmodified ge "2024-01-01T00:00:00Z" and meta.lastmodified le "2024-02-01T00:00:00Z")'],
  ['(ActiVe eq true) and meta.lastmodified ge "2024-01-01T00:00:00Z"', 'active eq true and meta.lastmodified ge "2024-01-01T00:00:00Z"'],
  // Microsoft Postman collection: unquoted values (lenient mode)
  ['name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)', 'name.familyname eq "Employee" and (emails.value co "example.com" or emails.value co "example.org")'],
  ['userName sw O', 'username sw "O"'],
  ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', 'meta.created gt "2015-10-10T14:38:21.8617979-07:00"'],
  ['DisplayName eq "BobIsAmazing"', 'displayname eq "BobIsAmazing"'],
];

const INVALID: string[] = [
  '', '   ', 'userName', 'userName eq', 'userName eq "x', 'userName zz "x"', 'eq "x"', '"x" eq userName',
  'userName eq "x" and', 'userName eq "x" or or b pr', '(userName eq "x"', 'userName eq "x")', 'not userName eq "x"',
  'emails[type eq "work"', 'emails[type eq "work"]]', 'emails[emails[type eq "x"]]', 'name.givenName[x eq "y"]',
  'emails[name.givenName eq "x"]', 'userName eq "a" "b"', 'a.b.c eq "x"', 'userName eq and', 'userName eq "\\x"',
  '1abc eq "x"', 'userName eq "x" userName eq "y"', 'a eq (b)', 'emails[type eq "work"] .value eq "x"',
];

describe('parseFilter', () => {
  for (const [text, printed] of VALID) {
    test(`parses ${text}`, () => {
      assert.equal(printFilter(parseFilter(text)), printed);
    });
  }
  for (const text of INVALID) {
    test(`rejects ${JSON.stringify(text)} with invalidFilter`, () => {
      assert.throws(() => parseFilter(text), (e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === 'invalidFilter');
    });
  }

  test('lower-cases names and URNs but keeps value case', () => {
    assert.deepEqual(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:Name.GivenName eq "Bärbel"'), {
      op: 'eq', path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:user', attr: 'name', sub: 'givenname' }, value: 'Bärbel',
    });
  });

  test('error details name the offset', () => {
    assert.throws(() => parseFilter('userName eq "x" annd b pr'), /at offset 16/);
  });

  test('strict mode rejects unquoted values', () => {
    assert.throws(() => parseFilter('userName sw O', { lenient: false }), /must be quoted/);
    assert.deepEqual(parseFilter('active eq true', { lenient: false }), { op: 'eq', path: { attr: 'active' }, value: true });
  });

  test('rejects filters over the length limit', () => {
    const long = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`;
    assert.throws(() => parseFilter(long), /longer than/);
  });

  test('rejects nesting beyond the depth limit', () => {
    assert.throws(() => parseFilter(`${'('.repeat(40)}a pr${')'.repeat(40)}`), /nesting deeper/);
    assert.throws(() => parseFilter(`${'not ('.repeat(40)}a pr${')'.repeat(40)}`), /nesting deeper/);
  });

  test('a long flat chain stays within the limits and is left-associative', () => {
    const f = parseFilter(Array.from({ length: 100 }, (_, i) => `a${i} pr`).join(' and '));
    assert.equal(f.op, 'and');
    assert.deepEqual(f.op === 'and' && f.right, { op: 'pr', path: { attr: 'a99' } });
  });
});

describe('parsePatchPath', () => {
  test('parses the PATCH path shapes Entra sends', () => {
    assert.deepEqual(parsePatchPath('name.familyName'), { path: { attr: 'name', sub: 'familyname' } });
    assert.deepEqual(parsePatchPath('emails[type eq "work"].value'), {
      path: { attr: 'emails' }, filter: { op: 'eq', path: { attr: 'type' }, value: 'work' }, sub: 'value',
    });
    assert.deepEqual(parsePatchPath('members[value eq "u1"]'), {
      path: { attr: 'members' }, filter: { op: 'eq', path: { attr: 'value' }, value: 'u1' },
    });
    assert.deepEqual(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'), {
      path: { schema: ENT, attr: 'manager' },
    });
  });

  test('rejects malformed paths with invalidPath', () => {
    for (const bad of ['', 'emails[type eq "work"', 'emails[type eq work]', 'a b', 'emails[type eq "w"].value.x', 'a..b']) {
      assert.throws(() => parsePatchPath(bad), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidPath', bad);
    }
  });
});
