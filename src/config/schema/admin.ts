// The operate section: who is an admin (by group, from the same IdPs), and how /metrics is
// protected. Owns: these keys only. Must not: resolve secrets (load.ts does).
import { z } from 'zod';
import { secretRef } from './common.ts';

const groupList = z.array(z.string().min(1)).default([]);

export const adminSchema = z.strictObject({
  /**
   * Group names or ids (from the sign-in's groups claim or the SCIM directory) whose members may use
   * the admin API with read and write access.
   */
  adminGroups: groupList,
  /** Groups with read-only access to the admin API (auditors). */
  auditorGroups: groupList,
  /**
   * Bearer token Prometheus sends to scrape `/metrics` on the auth host. Without it, `/metrics`
   * answers only direct loopback connections.
   */
  metricsToken: secretRef.optional(),
}).prefault({});
export type AdminConfig = z.infer<typeof adminSchema>;
