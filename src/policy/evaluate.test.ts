import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from './evaluate.ts';
import { compileOk, facts, identity } from './testing.ts';

describe('evaluation order (Cloudflare Access)', () => {
  // [Allow A, Block B, ServiceAuth C, Bypass D, Allow E] runs as C > D > A > B > E.
  const set = compileOk([
    { name: 'A', action: 'allow', include: [{ group: 'a' }] },
    { name: 'B', action: 'block', include: [{ group: 'b' }] },
    { name: 'C', action: 'service_auth', include: [{ serviceToken: 'ci-bot' }] },
    { name: 'D', action: 'bypass', include: [{ ipRange: '10.0.0.0/8' }] },
    { name: 'E', action: 'allow', include: [{ everyone: true }] },
  ]);
  const who = (...groupNames: string[]) => identity({ groupNames });
  const lan = { ip: '10.0.0.5', host: 'h', path: '/', method: 'GET' };

  test('the worked example runs C > D > A > B > E', () => {
    const order = (f: ReturnType<typeof facts>) => evaluate(set, f).policy?.name;
    assert.equal(order(facts({ serviceToken: { name: 'ci-bot' }, request: lan, identity: who('a', 'b') })), 'C');
    assert.equal(order(facts({ request: lan, identity: who('a', 'b') })), 'D');
    assert.equal(order(facts({ identity: who('a', 'b') })), 'A');
    assert.equal(order(facts({ identity: who('b') })), 'B');
    assert.equal(order(facts({ identity: who() })), 'E');
  });
  test('the decision carries the action, the deciding policy and the matching reason', () => {
    const d = evaluate(set, facts({ identity: who('B') }));
    assert.deepEqual(d, { action: 'block', policy: { name: 'B', index: 1 }, reasons: [{ code: 'group.match', detail: 'B' }] });
  });
  test('bypass and service_auth decide without an identity', () => {
    assert.equal(evaluate(set, facts({ identity: undefined, request: lan })).action, 'bypass');
    assert.equal(evaluate(set, facts({ identity: undefined, serviceToken: { name: 'ci-bot' } })).action, 'service_auth');
  });
});

describe('rule semantics', () => {
  test('require with a list needs every value (Cloudflare require-AND gotcha)', () => {
    const set = compileOk([{ name: 'p', action: 'allow', include: [{ everyone: true }], require: [{ authMethod: ['mfa', 'hwk'] }] }]);
    assert.equal(evaluate(set, facts({ identity: identity({ amr: ['pwd', 'mfa'] }) })).action, 'deny');
    assert.equal(evaluate(set, facts({ identity: identity({ amr: ['mfa', 'hwk'] }) })).action, 'allow');
  });
  test('require country [US, PT] matches nobody; a rule group restores the OR', () => {
    const and = compileOk([{ name: 'p', action: 'allow', include: [{ everyone: true }], require: [{ country: ['US', 'PT'] }] }]);
    assert.equal(evaluate(and, facts()).action, 'deny');
    const or = compileOk([{ name: 'p', action: 'allow', include: [{ everyone: true }], require: [{ ruleGroup: 'us-or-pt' }] }], {
      ruleGroups: [{ name: 'us-or-pt', include: [{ country: ['US', 'PT'] }] }],
    });
    assert.equal(evaluate(or, facts()).action, 'allow');
  });
  test('exclude wins over include and require', () => {
    const set = compileOk([{ name: 'p', action: 'allow', include: [{ emailDomain: 'contoso.com' }], require: [{ country: 'US' }], exclude: [{ email: 'bob@contoso.com' }] }]);
    assert.equal(evaluate(set, facts()).reasons[0]!.code, 'default_deny');
    assert.equal(evaluate(set, facts({ identity: identity({ email: 'alice@contoso.com' }) })).action, 'allow');
  });
  test('an excluded allow falls through to the next policy', () => {
    const set = compileOk([
      { name: 'staff', action: 'allow', include: [{ group: 'staff' }], exclude: [{ country: 'US' }] },
      { name: 'rest', action: 'block', include: [{ everyone: true }] },
    ]);
    assert.equal(evaluate(set, facts({ identity: identity({ groupNames: ['staff'] }) })).policy?.name, 'rest');
  });
  test('rule groups nest and carry their own exclude', () => {
    const set = compileOk([{ name: 'p', action: 'allow', include: [{ ruleGroup: 'finance-staff' }] }], {
      ruleGroups: [
        { name: 'finance-staff', include: [{ ruleGroup: 'finance' }], exclude: [{ directoryGroup: 'Contractors' }] },
        { name: 'finance', include: [{ group: 'Finance' }] },
      ],
    });
    const fin = identity({ groupNames: ['Finance'] });
    assert.equal(evaluate(set, facts({ identity: fin, directory: { groups: [], active: true } })).action, 'allow');
    assert.equal(evaluate(set, facts({ identity: fin, directory: { groups: ['contractors'], active: true } })).action, 'deny');
  });
  test('the deciding policy sessionDuration is returned', () => {
    const set = compileOk([{ name: 'p', action: 'allow', sessionDuration: '15m', include: [{ everyone: true }], require: [{ country: 'US' }] }]);
    assert.equal(evaluate(set, facts()).sessionDurationMs, 900_000);
  });
});

describe('outcomes without a match', () => {
  const set = compileOk([
    { name: 'health', action: 'bypass', include: [{ ipRange: '127.0.0.1' }] },
    { name: 'staff', action: 'allow', include: [{ group: 'staff' }] },
  ]);
  test('no identity and no phase-1 match asks the user to sign in', () => {
    const d = evaluate(set, facts({ identity: undefined }));
    assert.equal(d.action, 'authenticate');
    assert.equal(d.reasons[0]!.code, 'identity.required');
  });
  test('an identity that matches nothing is denied by default', () => {
    assert.deepEqual(evaluate(set, facts()), { action: 'deny', reasons: [{ code: 'default_deny', detail: 'no policy matched' }] });
  });
  test('an inactive directory user is denied even when a policy would allow', () => {
    const d = evaluate(set, facts({ identity: identity({ groupNames: ['staff'] }), directory: { groups: [], active: false } }));
    assert.equal(d.action, 'deny');
    assert.equal(d.reasons[0]!.code, 'directory.inactive');
  });
  test('an empty policy set denies signed-in users and asks others to sign in', () => {
    const empty = compileOk([]);
    assert.equal(evaluate(empty, facts()).action, 'deny');
    assert.equal(evaluate(empty, facts({ identity: undefined })).action, 'authenticate');
  });
});

describe('step-up', () => {
  const set = compileOk([
    { name: 'payroll', action: 'allow', include: [{ group: 'payroll' }], require: [{ authContext: 'c1' }, { authMethod: 'mfa' }] },
    { name: 'others', action: 'block', include: [{ everyone: true }] },
  ]);
  const payroll = (over: Partial<Parameters<typeof identity>[0]> = {}) => facts({ identity: identity({ groupNames: ['payroll'], amr: ['mfa'], ...over }) });

  test('a policy that lacks only auth contexts yields deny with stepUp, even before a later block', () => {
    const d = evaluate(set, payroll());
    assert.equal(d.action, 'deny');
    assert.equal(d.reasons[0]!.code, 'auth_context.missing');
    assert.deepEqual(d.stepUp, { authContexts: ['c1'] });
  });
  test('with the context present the policy allows', () => {
    assert.equal(evaluate(set, payroll({ acrs: ['c1'] })).action, 'allow');
  });
  test('no step-up when another condition fails too', () => {
    const d = evaluate(set, payroll({ amr: ['pwd'] }));
    assert.equal(d.action, 'block');
    assert.equal(d.stepUp, undefined);
    assert.equal(evaluate(set, facts()).action, 'block');
  });
  test('require list of contexts asks for every missing one; a later allow still wins', () => {
    const s = compileOk([
      { name: 'strict', action: 'allow', include: [{ everyone: true }], require: [{ authContext: ['c1', 'c2'] }] },
      { name: 'fallback', action: 'allow', include: [{ group: 'ops' }] },
    ]);
    assert.deepEqual(evaluate(s, facts({ identity: identity({ acrs: ['c2'] }) })).stepUp, { authContexts: ['c1'] });
    assert.equal(evaluate(s, facts({ identity: identity({ groupNames: ['ops'] }) })).policy?.name, 'fallback');
  });
  test('contexts required inside a rule group are found too', () => {
    const s = compileOk([{ name: 'p', action: 'allow', include: [{ everyone: true }], require: [{ ruleGroup: 'strong' }] }], {
      ruleGroups: [{ name: 'strong', include: [{ authContext: 'c3' }] }],
    });
    assert.deepEqual(evaluate(s, facts()).stepUp, { authContexts: ['c3'] });
  });
  test('an exclude that rejects the context prevents step-up', () => {
    const s = compileOk([{ name: 'p', action: 'allow', include: [{ authContext: 'c1' }], exclude: [{ authContext: 'c1' }] }]);
    assert.equal(evaluate(s, facts()).stepUp, undefined);
  });
});

describe('robustness', () => {
  const set = compileOk([
    { name: 'net', action: 'allow', include: [{ ipRange: '10.0.0.0/8' }, { claim: { name: 'x', value: 1 } }, { group: 'g' }, { country: 'US' }] },
  ]);
  test('odd facts never throw and fail to match', () => {
    const odd = [
      facts({ request: { ip: 'garbage', host: '', path: '', method: '' }, identity: identity({ groups: null as unknown as string[], claims: null as unknown as Record<string, unknown> }) }),
      { now: 0, request: {} as never, identity: {} as never },
      { now: 0, request: null as never, identity: identity() },
    ];
    for (const f of odd) assert.notEqual(evaluate(set, f).reasons[0]!.code, 'evaluation.error');
    assert.equal(evaluate(set, odd[1]!).action, 'deny');
  });
});
