// The shape of the provisioned directory at a given scale: how many users and groups, and which
// users each group gets. Group 0 holds every user (the "100,000-member group" of the goal); the
// other groups share the remaining memberships evenly, each a contiguous window of users that
// starts at a different place. Pure and deterministic, so runs are comparable.

export const FULL = { users: 100_000, groups: 1_000, memberships: 1_000_000 } as const;

export interface Plan {
  scale: number;
  users: number;
  groups: number;
  memberships: number;
  /** Members of group g as user indices in [0, users), ascending within the window, no repeats. */
  membersOf(g: number): number[];
}

const STRIDE = 7_919; // a prime, so the windows start all over the user range

export function planFor(scale: number): Plan {
  if (!Number.isFinite(scale) || scale < 0.01 || scale > 1) throw new RangeError(`--scale must be between 0.01 and 1, got ${scale}`);
  const users = Math.round(FULL.users * scale);
  const groups = Math.round(FULL.groups * scale);
  const memberships = Math.round(FULL.memberships * scale);
  const rest = memberships - users;
  const base = Math.floor(rest / (groups - 1));
  const extra = rest - base * (groups - 1);
  if (base + (extra > 0 ? 1 : 0) > users) throw new RangeError(`scale ${scale}: ${base + 1} members per group exceed ${users} users`);
  return {
    scale, users, groups, memberships,
    membersOf(g) {
      if (g === 0) return Array.from({ length: users }, (_, i) => i);
      const k = base + (g - 1 < extra ? 1 : 0);
      const start = ((g - 1) * STRIDE) % users;
      return Array.from({ length: k }, (_, i) => (start + i) % users);
    },
  };
}

/** The PATCH bodies' member lists for every group, interleaved across groups (round-robin). */
export function patchChunks(plan: Plan, chunk: number): { group: number; users: number[] }[] {
  const perGroup = Array.from({ length: plan.groups }, (_, g) => {
    const m = plan.membersOf(g);
    const out: number[][] = [];
    for (let i = 0; i < m.length; i += chunk) out.push(m.slice(i, i + chunk));
    return out;
  });
  const out: { group: number; users: number[] }[] = [];
  for (let round = 0; perGroup.some((c) => c.length > round); round++) {
    for (let g = 0; g < plan.groups; g++) {
      const c = perGroup[g]![round];
      if (c) out.push({ group: g, users: c });
    }
  }
  return out;
}
