// The `isolation:` section: the remote browser (Chromium path, the unprivileged user it runs as, the
// egress proxy), limits and lifecycle, and the default data-loss controls. `isolationControlsSchema`
// is reused by policies that isolate (the Gateway's Isolate action), so controls read the same there.
import { z } from 'zod';
import { durationMs, httpUrl, listenAddress, secretRef } from './common.ts';
import { tlsSchema } from './server.ts';

/** Cloudflare's per-policy controls. "remote-only": the action works inside the remote browser only. */
export const isolationControlsSchema = z.strictObject({
  /** remote → local clipboard. */
  copy: z.enum(['allow', 'remote-only', 'deny']).default('remote-only'),
  /** local → remote clipboard. */
  paste: z.enum(['allow', 'remote-only', 'deny']).default('remote-only'),
  /** remote-view: the file opens in a new remote tab and never reaches the device. */
  download: z.enum(['allow', 'deny', 'remote-view']).default('deny'),
  upload: z.enum(['allow', 'deny']).default('deny'),
  /** deny: keys and text are dropped; the mouse still works (links, scrolling). */
  keyboard: z.enum(['allow', 'deny']).default('allow'),
  print: z.enum(['allow', 'deny']).default('deny'),
});
export type IsolationControls = z.infer<typeof isolationControlsSchema>;

const limitsSchema = z.strictObject({
  /** Remote browsers at once in this process; unset: min(3 × cores, (RAM − 1 GB) / 400 MB). */
  maxSessions: z.number().int().min(1).max(10_000).optional(),
  maxTabs: z.number().int().min(1).max(100).default(10),
  maxFps: z.number().int().min(1).max(60).default(15),
  /** JPEG quality of frames when the viewer keeps up; lowered step by step when it does not. */
  quality: z.number().int().min(10).max(95).default(60),
  maxWidth: z.number().int().min(320).max(3840).default(1920),
  maxHeight: z.number().int().min(240).max(2160).default(1080),
  /** Viewer messages per second (input, acks, navigation); a burst of one second's worth is allowed. */
  messagesPerSecond: z.number().int().min(10).max(10_000).default(300),
  maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
  maxPasteBytes: z.number().int().min(1).max(1_048_576).default(65_536),
  maxUploadBytes: z.number().int().min(1).max(1_073_741_824).default(26_214_400),
  /** A download growing past this is cancelled (a download bomb stops here). */
  maxDownloadBytes: z.number().int().min(1).max(4_294_967_296).default(536_870_912),
  /** V8 heap cap per renderer (MB): a page allocating without end is killed, not the host. */
  rendererHeapMb: z.number().int().min(64).max(16_384).default(512),
  /**
   * Memory of one remote browser's whole process tree (MB, proportional set size), checked every 2 s:
   * over it, that session ends with a message in its viewer. Catches what the heap cap does not
   * (typed arrays, images, many tabs).
   */
  maxMemoryMb: z.number().int().min(128).max(65_536).default(1536),
}).prefault({});

const poolSchema = z.strictObject({
  /**
   * Browsers started ahead of need, so a first frame does not wait for Chromium to start. Each is
   * handed to one session and never reused; warm browsers count against `limits.maxSessions`.
   */
  size: z.number().int().min(0).max(64).default(1),
}).prefault({});

const lifecycleSchema = z.strictObject({
  /** Kept after the viewer disconnects (reloads, Wi-Fi blips). */
  grace: durationMs.default(60_000),
  /** Ended after this long without input. */
  idle: durationMs.default(900_000),
  maxDuration: durationMs.default(28_800_000),
}).prefault({});

/**
 * Isolation workers on other hosts (`moatless isolation-worker`), read by auth hosts and workers
 * alike: the shared secret that proves each hop and each registration, whether `moatless serve`
 * runs remote browsers itself too, and how auth hosts verify a worker's TLS certificate.
 */
const workersSchema = z.strictObject({
  /** At least 32 characters, the same on every auth host and worker (e.g. openssl rand -base64 32). */
  secret: secretRef,
  /**
   * false (the default): `moatless serve` runs no browsers; every session goes to a worker, and when
   * none has room the site is not opened. true: it is a candidate like a worker.
   */
  localBrowsers: z.boolean().default(false),
  /** PEM file of the CA that signed the workers' certificates (workers with `worker.tls`); default: the system's CAs. */
  caFile: z.string().min(1).optional(),
}).optional();

/** This host's `moatless isolation-worker` (its flags override these). */
const workerSchema = z.strictObject({
  /** Shown in session lists and the registry; default: the host name. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, ".", "_" and "-"').optional(),
  /** Where the worker listens for auth hosts (a private network address). */
  listen: listenAddress.default('127.0.0.1:7480'),
  /** host:port auth hosts dial (registered in the store); default: `listen`, which must then not be a wildcard. */
  advertise: listenAddress.optional(),
  /** The hop as TLS; without it the hop carries users' session cookies in clear (private network only). */
  tls: tlsSchema.optional(),
}).optional();

export const isolationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  chromiumPath: z.string().min(1).default('/usr/bin/chromium'),
  /** When Moatless runs as root: the unprivileged account Chromium runs as, so its sandbox stays on. */
  runAs: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix user name').default('moatless-rbi'),
  /** Egress proxy for the remote browser (the Gateway); unset = direct, with a loud warning. */
  proxy: httpUrl.optional(),
  /** Where throwaway profiles are created (one per session, deleted at its end); default: the OS temp dir. */
  profileDir: z.string().min(1).optional(),
  limits: limitsSchema,
  pool: poolSchema,
  lifecycle: lifecycleSchema,
  controls: isolationControlsSchema.prefault({}),
  workers: workersSchema,
  worker: workerSchema,
}).prefault({});
export type IsolationConfig = z.infer<typeof isolationSchema>;
