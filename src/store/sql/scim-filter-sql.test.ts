// Unit tests for the filter translator's safety properties, independent of a database: values
// only ever travel as parameters, LIKE wildcards are escaped, and `?` renumbering for PostgreSQL
// leaves quoted literals alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Filter } from '../../directory/scim/filter-ast.ts';
import { postgresDialect } from '../postgres/postgres-dialect.ts';
import { toPgSql } from '../postgres/database.ts';
import { sqliteDialect } from '../sqlite/sqlite-dialect.ts';
import { escapeLike, likePattern } from './executor.ts';
import { filterToSql } from './scim-filter-sql.ts';

const HOSTILE = `x' OR 1=1; DROP TABLE scim_users; --`;

describe('scim-filter-sql', () => {
  for (const d of [sqliteDialect, postgresDialect]) {
    test(`${d.name}: a hostile value never appears in the SQL text, only in params`, () => {
      const filters: Filter[] = [
        { op: 'eq', path: { attr: 'username' }, value: HOSTILE },
        { op: 'co', path: { attr: 'externalid' }, value: HOSTILE },
        { op: 'valuePath', path: { attr: 'emails' }, filter: { op: 'sw', path: { attr: 'value' }, value: HOSTILE } },
        { op: 'not', filter: { op: 'ew', path: { attr: 'title' }, value: HOSTILE } },
      ];
      for (const f of filters) {
        const s = filterToSql(d, 'User', f);
        assert.ok(!s.sql.includes('DROP'), s.sql);
        assert.equal(s.sql.split('?').length - 1, s.params.length, 'one placeholder per parameter');
        assert.ok(s.params.some((p) => typeof p === 'string' && p.toLowerCase().includes('drop table')));
      }
    });
  }

  test('escapeLike escapes %, _ and the escape character itself', () => {
    assert.equal(escapeLike('50%_off\\'), '50\\%\\_off\\\\');
    assert.equal(likePattern('co', 'a_b'), '%a\\_b%');
    assert.equal(likePattern('sw', '%'), '\\%%');
    assert.equal(likePattern('ew', 'x'), '%x');
  });

  test('toPgSql numbers placeholders and skips quoted literals', () => {
    assert.equal(toPgSql(`SELECT ? , '?' , ? LIKE ? ESCAPE '\\'`), `SELECT $1 , '?' , $2 LIKE $3 ESCAPE '\\'`);
  });

  test('sqlite caseExact co uses GLOB with metacharacters bracketed', () => {
    const s = filterToSql(sqliteDialect, 'User', { op: 'co', path: { attr: 'externalid' }, value: 'a*b?[c' });
    assert.match(s.sql, /GLOB \?/);
    assert.ok(s.params.includes('*a[*]b[?][[]c*'));
  });
});
