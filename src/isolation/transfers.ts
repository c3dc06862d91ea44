// Files across the isolation boundary, under the download and upload controls. Downloads land in the
// session's own directory (deleted with its profile): "allow" offers each once to the viewer through
// an unguessable link, "remote-view" opens it in a new remote tab, "deny" cancels it. Uploads go
// through the intercepted file chooser, byte-capped. Must not: let a file out under "deny", or show
// the viewer a path on the server.
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { CdpConnection, CdpParams } from './cdp-pipe.ts';
import type { RemoteBrowserOptions } from './remote-browser.ts';
import type { ViewerEvent } from './types.ts';

type Emit = (e: ViewerEvent) => void;

interface Download { name: string; url: string }
interface Upload { fd: number; path: string; name: string; size: number; written: number }

/**
 * Where a file viewed in the remote browser is opened: an address that never resolves (.invalid),
 * answered from the session's directory by the remote browser's request interception. Not file://
 * — that showed the server's path in the viewer, and a file:// page may open other local files.
 */
export const VIEW_ORIGIN = 'https://moatless-file.invalid';
/** Bigger files are not opened for viewing (each is sent to the browser in one DevTools message). */
export const MAX_VIEW_BYTES = 64 * 1024 * 1024;
/** A viewed file as served: sandboxed (no script, an origin of its own), never a download again. */
const VIEW_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8',
};

export function safeFileName(name: string): string {
  const base = name.replace(/[\x00-\x1f\x7f/\\:*?"<>|]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return base || 'download';
}

export class Transfers {
  readonly #cdp: CdpConnection;
  readonly #dir: string;
  #o: RemoteBrowserOptions;
  readonly #downloads = new Map<string, Download>();
  readonly #offers = new Map<string, { path: string; name: string }>();
  /** Files opened for viewing in the remote browser, by their token. */
  readonly #viewed = new Map<string, { path: string; name: string }>();
  #chooser: { session: string; backendNodeId: number } | null = null;
  #upload: Upload | null = null;

  constructor(cdp: CdpConnection, dir: string, o: RemoteBrowserOptions) {
    this.#cdp = cdp;
    this.#dir = dir;
    this.#o = o;
  }

  /** The session's options, when a prepared browser is handed to it (remote-browser.ts adopt). */
  adopt(o: RemoteBrowserOptions): void {
    this.#o = o;
  }

  async init(emit: Emit, openTab: (url: string) => Promise<void>): Promise<void> {
    // Read at each event: a session's controls can tighten while it runs (controls.ts).
    this.#cdp.on('Browser.downloadWillBegin', (p) => {
      const mode = this.#o.controls.download;
      const d = { name: safeFileName(String(p.suggestedFilename ?? 'download')), url: String(p.url ?? '').slice(0, 2048) };
      this.#downloads.set(String(p.guid), d);
      if (mode === 'deny') {
        this.#o.audit('download-blocked', d.url, d.name);
        emit({ t: 'notice', text: `Download of ${d.name} blocked by policy.` });
      }
    });
    this.#cdp.on('Browser.downloadProgress', (p) => {
      const name = this.#downloads.get(String(p.guid))?.name ?? 'a file';
      // Its file can be gone (the session's directory removed at its end): the viewer is told. Never
      // an unhandled rejection, which would stop the server and every session on it.
      void this.#progress(p, this.#o.controls.download, emit, openTab)
        .catch(() => emit({ t: 'notice', text: `Download of ${name} failed: the file could not be kept.` }));
    });
    await this.applyDownloadMode();
  }

  /** Tells Chromium the download control in force (again after the controls tightened). */
  async applyDownloadMode(): Promise<void> {
    const mode = this.#o.controls.download;
    await this.#cdp.send('Browser.setDownloadBehavior', mode === 'deny'
      ? { behavior: 'deny', eventsEnabled: true }
      : { behavior: 'allowAndName', downloadPath: this.#dir, eventsEnabled: true });
  }

  async #progress(p: CdpParams, mode: string, emit: Emit, openTab: (url: string) => Promise<void>): Promise<void> {
    const guid = String(p.guid);
    const d = this.#downloads.get(guid);
    if (!d) return;
    if (p.state === 'inProgress' && Number(p.receivedBytes) > this.#o.maxDownloadBytes) {
      this.#downloads.delete(guid);
      this.#cdp.post('Browser.cancelDownload', { guid });
      this.#discard(guid);
      this.#o.audit('download-blocked', d.url, `${d.name}: larger than ${this.#o.maxDownloadBytes} bytes`);
      return emit({ t: 'notice', text: `Download of ${d.name} stopped: larger than the limit.` });
    }
    if (p.state === 'canceled') {
      this.#downloads.delete(guid);
      this.#discard(guid);
    }
    if (p.state !== 'completed' || mode === 'deny') return;
    this.#downloads.delete(guid);
    const path = join(this.#dir, guid + extname(d.name).slice(0, 10));
    renameSync(join(this.#dir, guid), path);
    if (mode === 'remote-view') {
      if (statSync(path).size > MAX_VIEW_BYTES) {
        rmSync(path, { force: true });
        this.#o.audit('download-blocked', d.url, `${d.name}: larger than ${MAX_VIEW_BYTES} bytes to view`);
        return emit({ t: 'notice', text: `${d.name} is too large to view here.` });
      }
      const token = randomBytes(24).toString('base64url');
      this.#viewed.set(token, { path, name: d.name });
      this.#o.audit('download', d.url, `${d.name}: viewed in the remote browser`);
      return openTab(`${VIEW_ORIGIN}/${token}/${encodeURIComponent(d.name)}`);
    }
    const token = randomBytes(24).toString('base64url');
    this.#offers.set(token, { path, name: d.name });
    this.#o.audit('download', d.url, d.name);
    emit({ t: 'download', name: d.name, href: `/isolation/download/${token}` });
  }

  /**
   * A cancelled download's partial file goes at once: Chromium may write faster than its progress
   * events arrive (a bomb overshoots the limit by what loopback delivers meanwhile), and a cancelled
   * download's bytes must not stay on the server's disk until the session ends.
   */
  #discard(guid: string): void {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(guid)) return;
    for (const f of [guid, `${guid}.crdownload`]) rmSync(join(this.#dir, f), { force: true });
  }

  /** A viewed file's address: the file (undefined when unknown); any other address: null. */
  #viewedAt(url: string): { path: string; name: string } | undefined | null {
    if (!url.startsWith(`${VIEW_ORIGIN}/`)) return null;
    const m = /^\/([A-Za-z0-9_-]{32})\//.exec(url.slice(VIEW_ORIGIN.length));
    return m ? this.#viewed.get(m[1]!) : undefined;
  }

  /** A request for a viewed file's address: its response (any other address: null, the policy decides). */
  viewResponse(url: string): { status: number; headers: Array<{ name: string; value: string }>; body: Buffer } | null {
    const f = this.#viewedAt(url);
    if (f === null) return null;
    const csp = { name: 'content-security-policy', value: "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'" };
    if (!f) return { status: 404, headers: [{ name: 'content-type', value: 'text/plain; charset=utf-8' }, csp], body: Buffer.from('Not found.') };
    // Anything not known to display is shown as text: application/octet-stream would download it again.
    const type = VIEW_TYPES[extname(f.name).toLowerCase()] ?? 'text/plain; charset=utf-8';
    return { status: 200, headers: [{ name: 'content-type', value: type }, { name: 'x-content-type-options', value: 'nosniff' }, csp], body: readFileSync(f.path) };
  }

  /** What the viewer is shown for an address: a viewed file's name, never where it is on the server; else null. */
  shownAddress(url: string): string | null {
    const f = this.#viewedAt(url);
    return f === null ? null : f?.name ?? 'file';
  }

  /** A download offered to the viewer, once. */
  takeOffer(token: string): { path: string; name: string } | null {
    const o = this.#offers.get(token) ?? null;
    this.#offers.delete(token);
    return o;
  }

  /** Offers bytes made on the server side (print to PDF) as a download. */
  offer(name: string, data: Buffer, emit: Emit): void {
    const path = join(this.#dir, `${randomBytes(8).toString('hex')}-${safeFileName(name)}`);
    const fd = openSync(path, 'wx', 0o600);
    try { writeSync(fd, data); } finally { closeSync(fd); }
    const token = randomBytes(24).toString('base64url');
    this.#offers.set(token, { path, name });
    emit({ t: 'download', name, href: `/isolation/download/${token}` });
  }

  chooserOpened(p: CdpParams, session: string | undefined, emit: Emit): void {
    if (!session) return;
    if (this.#o.controls.upload === 'deny') {
      this.#o.audit('upload-blocked', undefined, 'file chooser opened');
      return emit({ t: 'notice', text: 'Uploading files is blocked by policy.' });
    }
    this.#chooser = { session, backendNodeId: Number(p.backendNodeId) };
    emit({ t: 'filechooser', multiple: p.mode === 'selectMultiple' });
  }

  /** Returns an error message, or null when the upload may start. */
  beginUpload(name: string, size: number, maxBytes: number): string | null {
    if (this.#o.controls.upload === 'deny') return 'uploads are blocked by policy';
    if (!this.#chooser) return 'no file chooser is open';
    if (size > maxBytes) return `the file is larger than ${maxBytes} bytes`;
    this.cancelUpload();
    // A directory of its own per upload, so the page sees the user's file name, not ours.
    const dir = join(this.#dir, `up-${randomBytes(8).toString('hex')}`);
    mkdirSync(dir, { mode: 0o700 });
    if (this.#o.launch.runAs) chownSync(dir, this.#o.launch.runAs.uid, this.#o.launch.runAs.gid);
    const path = join(dir, safeFileName(name));
    this.#upload = { fd: openSync(path, 'wx', 0o600), path, name: safeFileName(name), size, written: 0 };
    if (size === 0) this.#finishUpload();
    return null;
  }

  /** Bytes of the announced file. Returns an error message, or null. */
  uploadChunk(chunk: Buffer): string | null {
    const u = this.#upload;
    if (!u) return 'no upload in progress';
    if (u.written + chunk.length > u.size) {
      this.cancelUpload();
      return 'more bytes than announced';
    }
    writeSync(u.fd, chunk);
    u.written += chunk.length;
    if (u.written === u.size) this.#finishUpload();
    return null;
  }

  #finishUpload(): void {
    const u = this.#upload!;
    const c = this.#chooser!;
    this.#upload = null;
    this.#chooser = null;
    closeSync(u.fd);
    if (this.#o.launch.runAs) chownSync(u.path, this.#o.launch.runAs.uid, this.#o.launch.runAs.gid);
    this.#o.audit('upload', undefined, `${u.name} (${u.size} bytes)`);
    this.#cdp.post('DOM.setFileInputFiles', { files: [u.path], backendNodeId: c.backendNodeId }, c.session);
  }

  cancelUpload(): void {
    const u = this.#upload;
    if (!u) return;
    this.#upload = null;
    closeSync(u.fd);
    rmSync(dirname(u.path), { recursive: true, force: true });
  }
}
