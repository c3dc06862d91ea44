// The command line of a remote browser. Owns: which switches harden it (sandbox stays on, egress
// through the proxy with loopback included, no WebRTC leak, no background traffic). Pure.
export interface FlagOptions {
  profileDir: string;
  /** http://host:port of the egress proxy; null = direct (warned about by the caller). */
  proxy: string | null;
  rendererHeapMb: number;
}

/**
 * The browser window, not the page: each tab's viewport is set by emulation (remote-browser.ts) and
 * the screencast copies the page's own surface, so the window is asked for at its smallest (Chromium
 * 156 makes it 500×87). Headless Chromium still composites its whole window — tab strip, toolbar and
 * the page — in software for every frame the page paints; at 1280×720 that draw stood between the
 * page's first paint and its capture (docs/benchmarks.md, isolation first paint). Pages still see
 * themselves visible and focused, at the emulated size; only `outerWidth`/`outerHeight` show 500×87.
 */
export const WINDOW_SIZE = '1,1';

/** Switches that must never appear: each one turns off a layer of the isolation. */
export const FORBIDDEN_FLAGS = ['--no-sandbox', '--disable-setuid-sandbox', '--disable-web-security', '--remote-debugging-port'];

export function chromiumFlags(o: FlagOptions): string[] {
  const flags = [
    '--headless',
    // The DevTools endpoint is a pipe to this process only: no port any local process could reach.
    '--remote-debugging-pipe',
    `--user-data-dir=${o.profileDir}`,
    `--window-size=${WINDOW_SIZE}`,
    '--disable-gpu', '--disable-dev-shm-usage', '--mute-audio', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-component-update', '--disable-sync', '--disable-default-apps',
    '--disable-background-networking', '--disable-crash-reporter', '--disable-breakpad', '--deny-permission-prompts',
    '--dns-prefetch-disable', '--password-store=basic', '--use-mock-keychain',
    // WebUIOmniboxPopup, WebUIOmniboxAimPopup: headless Chromium 156 still preloads the address bar's
    // popups as WebUI pages in a renderer nobody sees, which burnt ~0.1 core per idle browser here.
    '--disable-features=MediaRouter,OptimizationHints,Translate,AutofillServerCommunication,WebUIOmniboxPopup,WebUIOmniboxAimPopup',
    // WebRTC must not send UDP around the proxy (or reveal host addresses): proxied TCP only.
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--enforce-webrtc-ip-permission-check',
    `--js-flags=--max-old-space-size=${o.rendererHeapMb}`,
  ];
  if (o.proxy) {
    const u = new URL(o.proxy);
    flags.push(`--proxy-server=${u.protocol}//${u.host}`);
    // Chromium bypasses the proxy for loopback by default; "<-loopback>" removes that rule, so the
    // Gateway's egress policy also covers 127.0.0.1 and localhost (SSRF to the host itself).
    flags.push('--proxy-bypass-list=<-loopback>');
  }
  flags.push('about:blank');
  return flags;
}
