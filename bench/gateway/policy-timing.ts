// In-process timing of one Gateway HTTP-stage decision with N rules configured: the compiled set the
// proxy evaluates (compileGateway) and the call it makes (evaluateGateway), for requests that match
// no rule (every rule considered: the worst case) and requests that match one rule spread over the
// list. Rules are the common shape — Block by domain, one or a few domains each.
import { compileGateway } from '../../src/policy/gateway-compile.ts';
import { evaluateGateway } from '../../src/policy/gateway-evaluate.ts';
import type { GatewayRuleInput } from '../../src/policy/gateway-language.ts';
import { gatewayFacts, httpRequestFacts } from '../../src/gateway/facts.ts';

export interface PolicyTiming {
  rules: number;
  nsPerDecision: number;
}

function rules(n: number): GatewayRuleInput[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `Block site ${i}`, action: 'block',
    when: i % 3 === 0
      ? { and: [{ domain: { in: [`site${i}.example`, `alt${i}.example`] } }, { method: { in: ['POST', 'PUT'] } }] }
      : { domain: { is: `site${i}.example` } },
  }) as GatewayRuleInput);
}

/** Times decisions for about `budgetMs` (at least 50 decisions), after a warm-up of a fifth of that. */
export function timePolicies(n: number, budgetMs = 500): PolicyTiming {
  const compiled = compileGateway({ rules: rules(n) }, new Map());
  if (!compiled.ok) throw new Error(`policy timing: rules did not compile: ${JSON.stringify(compiled.errors.slice(0, 2))}`);
  const set = compiled.value;
  // Ten requests: half to hosts no rule names, half to a host named by a rule at 10%…90% of the list.
  const hosts = Array.from({ length: 10 }, (_, i) => (i % 2 ? `www.unlisted${i}.example.org` : `sub.site${1 + Math.floor((i / 10) * n) - (1 + Math.floor((i / 10) * n)) % 3 + 1}.example`));
  const facts = hosts.map((h) => gatewayFacts('http', httpRequestFacts(new URL(`https://${h}/path?q=1`), 'GET', '10.0.0.5', '93.184.216.34'), {}, Date.now()));
  let sink = 0;
  const run = (k: number) => {
    for (let i = 0; i < k; i++) if (evaluateGateway(set, facts[i % facts.length]!).action === 'block') sink++;
  };
  const until = (ms: number) => {
    const end = performance.now() + ms;
    let done = 0;
    while (performance.now() < end || done < 50) { run(50); done += 50; }
    return done;
  };
  until(budgetMs / 5); // warm-up: let the JIT settle
  sink = 0;
  const t0 = process.hrtime.bigint();
  const iterations = until(budgetMs);
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  // Half the requests name a blocked site (n ≥ 10): a set that blocks none is a broken setup.
  if (sink === 0) throw new Error('policy timing: no request matched a rule (broken setup)');
  return { rules: n, nsPerDecision: ns };
}
