// The emulator's in-memory directory: users, groups and direct memberships, mutable at runtime so
// tests and later issues (risky users, SCIM provisioning) can change the tenant while it runs.
// Owns transitive-membership expansion and password checks. Must not know about HTTP, tokens or
// OData; it never returns passwords.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { EmulatorError } from './errors.ts';
import type { Fixture } from './fixture.ts';

export interface DirectoryUser {
  readonly id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  accountEnabled: boolean;
  /** Can complete the simulated second factor. */
  mfa: boolean;
  /** The simulated device the user signs in from is compliant (Intune). */
  compliantDevice: boolean;
}

export interface DirectoryGroup {
  readonly id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
}

export type DirectoryObject = { kind: 'user'; user: DirectoryUser } | { kind: 'group'; group: DirectoryGroup };

/** One direct-membership change, numbered in the order it happened (feeds Graph delta queries). */
export interface MembershipChange {
  readonly seq: number;
  readonly groupId: string;
  readonly memberId: string;
  readonly op: 'add' | 'remove';
}

export interface NewUser {
  id?: string;
  userPrincipalName: string;
  displayName: string;
  password: string;
  mail?: string;
  mfa?: boolean;
  compliantDevice?: boolean;
  accountEnabled?: boolean;
}

export interface NewGroup {
  id?: string;
  displayName: string;
  description?: string;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class Directory {
  readonly #users = new Map<string, DirectoryUser>();
  readonly #upns = new Map<string, string>();
  readonly #passwords = new Map<string, Buffer>();
  readonly #groups = new Map<string, DirectoryGroup>();
  /** group id → direct member object ids, in insertion order (Graph returns them unordered). */
  readonly #members = new Map<string, Set<string>>();
  /** Every membership change since the directory was built; a delta token is a position in it. */
  readonly #journal: MembershipChange[] = [];

  static fromFixture(fixture: Fixture): Directory {
    const dir = new Directory();
    for (const u of fixture.users) dir.addUser({ ...u });
    for (const g of fixture.groups) dir.addGroup(g);
    for (const g of fixture.groups) for (const m of g.members) dir.addMember(g.id, m);
    return dir;
  }

  addUser(input: NewUser): DirectoryUser {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const upn = input.userPrincipalName.toLowerCase();
    if (this.#users.has(id) || this.#upns.has(upn)) throw new EmulatorError('invalid_option', `user ${input.userPrincipalName} already exists`);
    const user: DirectoryUser = {
      id,
      userPrincipalName: input.userPrincipalName,
      mail: input.mail ?? null,
      displayName: input.displayName,
      givenName: null,
      surname: null,
      accountEnabled: input.accountEnabled ?? true,
      mfa: input.mfa ?? false,
      compliantDevice: input.compliantDevice ?? false,
    };
    this.#users.set(id, user);
    this.#upns.set(upn, id);
    this.#passwords.set(id, digest(input.password));
    return user;
  }

  addGroup(input: NewGroup): DirectoryGroup {
    const id = (input.id ?? randomUUID()).toLowerCase();
    if (this.#groups.has(id)) throw new EmulatorError('invalid_option', `group ${id} already exists`);
    const group: DirectoryGroup = {
      id,
      displayName: input.displayName,
      description: input.description ?? null,
      securityEnabled: input.securityEnabled ?? true,
      mailEnabled: input.mailEnabled ?? false,
    };
    this.#groups.set(id, group);
    this.#members.set(id, new Set());
    return group;
  }

  users(): DirectoryUser[] {
    return [...this.#users.values()];
  }

  groups(): DirectoryGroup[] {
    return [...this.#groups.values()];
  }

  /** A user by object id or UPN (case-insensitive, like Graph's `/users/{id | userPrincipalName}`). */
  user(ref: string): DirectoryUser | undefined {
    const key = ref.toLowerCase();
    return this.#users.get(key) ?? this.#users.get(this.#upns.get(key) ?? '');
  }

  group(id: string): DirectoryGroup | undefined {
    return this.#groups.get(id.toLowerCase());
  }

  object(id: string): DirectoryObject | undefined {
    const user = this.user(id);
    if (user) return { kind: 'user', user };
    const group = this.group(id);
    return group ? { kind: 'group', group } : undefined;
  }

  /** Direct members of a group. */
  members(groupId: string): DirectoryObject[] {
    const ids = this.#members.get(this.#requireGroup(groupId).id) ?? new Set();
    return [...ids].map((id) => this.object(id)).filter((o): o is DirectoryObject => o !== undefined);
  }

  /** All members reached through nested groups, each once (nested groups themselves included). */
  transitiveMembers(groupId: string): DirectoryObject[] {
    const seen = new Set<string>();
    const out: DirectoryObject[] = [];
    const queue = [this.#requireGroup(groupId).id];
    while (queue.length) {
      const current = queue.shift() as string;
      for (const id of this.#members.get(current) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const obj = this.object(id);
        if (!obj) continue;
        out.push(obj);
        if (obj.kind === 'group') queue.push(obj.group.id);
      }
    }
    return out;
  }

  /** Groups that directly contain the object. */
  memberOf(objectId: string): DirectoryGroup[] {
    const id = this.#requireObjectId(objectId);
    return this.groups().filter((g) => this.#members.get(g.id)?.has(id));
  }

  /** Every group that contains the object directly or through nesting (Graph `transitiveMemberOf`). */
  transitiveMemberOf(objectId: string): DirectoryGroup[] {
    const seen = new Set<string>();
    const out: DirectoryGroup[] = [];
    const queue = [this.#requireObjectId(objectId)];
    while (queue.length) {
      const current = queue.shift() as string;
      for (const g of this.groups()) {
        if (seen.has(g.id) || !this.#members.get(g.id)?.has(current)) continue;
        seen.add(g.id);
        out.push(g);
        queue.push(g.id);
      }
    }
    return out;
  }

  /** Adds a member (user by id or UPN, group by id or unique display name). Idempotent. */
  addMember(groupRef: string, memberRef: string): void {
    const group = this.#requireGroupRef(groupRef);
    const memberId = this.#resolveMember(memberRef);
    if (memberId === group.id) throw new EmulatorError('invalid_option', 'a group cannot contain itself');
    const members = this.#members.get(group.id);
    if (!members || members.has(memberId)) return;
    members.add(memberId);
    this.#journal.push({ seq: this.#journal.length + 1, groupId: group.id, memberId, op: 'add' });
  }

  /** Removes a direct member; returns whether it was a member. */
  removeMember(groupRef: string, memberRef: string): boolean {
    const group = this.#requireGroupRef(groupRef);
    const memberId = this.#resolveMember(memberRef);
    const removed = this.#members.get(group.id)?.delete(memberId) ?? false;
    if (removed) this.#journal.push({ seq: this.#journal.length + 1, groupId: group.id, memberId, op: 'remove' });
    return removed;
  }

  /** The sequence number of the latest membership change (0 when none happened). */
  journalPosition(): number {
    return this.#journal.length;
  }

  /** Membership changes with `after < seq ≤ upTo`, oldest first; no-op changes are never journalled. */
  changesBetween(after: number, upTo: number = this.#journal.length): MembershipChange[] {
    return this.#journal.slice(Math.max(0, after), Math.min(upTo, this.#journal.length));
  }

  /** Deletes a group permanently (security groups have no soft delete) and its memberships. */
  deleteGroup(groupRef: string): DirectoryGroup {
    const group = this.#requireGroupRef(groupRef);
    for (const id of [...(this.#members.get(group.id) ?? [])]) this.removeMember(group.id, id);
    for (const g of this.memberOf(group.id)) this.removeMember(g.id, group.id);
    this.#groups.delete(group.id);
    this.#members.delete(group.id);
    return group;
  }

  /** Deletes a user and its direct memberships (journalled); returns the deleted user. */
  deleteUser(userRef: string): DirectoryUser {
    const user = this.#requireUser(userRef);
    for (const g of this.memberOf(user.id)) this.removeMember(g.id, user.id);
    this.#users.delete(user.id);
    this.#upns.delete(user.userPrincipalName.toLowerCase());
    this.#passwords.delete(user.id);
    return user;
  }

  setAccountEnabled(userRef: string, enabled: boolean): void {
    this.#requireUser(userRef).accountEnabled = enabled;
  }

  setCompliantDevice(userRef: string, compliant: boolean): void {
    this.#requireUser(userRef).compliantDevice = compliant;
  }

  setMfa(userRef: string, mfa: boolean): void {
    this.#requireUser(userRef).mfa = mfa;
  }

  /** The user whose UPN and password match, compared in constant time; undefined otherwise. */
  verifyPassword(userRef: string, password: string): DirectoryUser | undefined {
    const user = this.user(userRef);
    const expected = user ? this.#passwords.get(user.id) : undefined;
    // Compare digests so the comparison length does not depend on the password.
    const ok = timingSafeEqual(expected ?? digest(''), digest(password)) && expected !== undefined;
    return ok ? user : undefined;
  }

  #requireUser(ref: string): DirectoryUser {
    const user = this.user(ref);
    if (!user) throw new EmulatorError('unknown_object', `unknown user "${ref}"`);
    return user;
  }

  #requireGroup(id: string): DirectoryGroup {
    const group = this.group(id);
    if (!group) throw new EmulatorError('unknown_object', `unknown group "${id}"`);
    return group;
  }

  #requireGroupRef(ref: string): DirectoryGroup {
    const byId = this.group(ref);
    if (byId) return byId;
    const byName = this.groups().filter((g) => g.displayName.toLowerCase() === ref.toLowerCase());
    if (byName.length === 1 && byName[0]) return byName[0];
    throw new EmulatorError('unknown_object', byName.length > 1 ? `group name "${ref}" is ambiguous` : `unknown group "${ref}"`);
  }

  #requireObjectId(id: string): string {
    const obj = this.object(id);
    if (!obj) throw new EmulatorError('unknown_object', `unknown directory object "${id}"`);
    return obj.kind === 'user' ? obj.user.id : obj.group.id;
  }

  #resolveMember(ref: string): string {
    const user = this.user(ref);
    if (user) return user.id;
    return this.#requireGroupRef(ref).id;
  }
}
