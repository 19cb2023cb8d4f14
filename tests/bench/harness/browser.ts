import zlib from 'node:zlib';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import type { BenchContext } from './types';

/**
 * The web app in a real browser for the benchmarks: Debian's Chromium driven by playwright-core (as the
 * browser tests do), what a page downloads, and a probe in the page that times the next task on screen.
 * The in-page code is plain JavaScript in strings: the bench is compiled without the DOM's types.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Chromium, closed when the benchmark ends however it ends. */
export async function launchChromium(ctx: BenchContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  ctx.defer(() => browser.close());
  return browser;
}

/** The sign-in form, filled and sent as a person does; resolves once the app shell is there. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 30_000 });
}

/** One JavaScript file the page loaded, with what it weighs raw, on the wire and gzipped. */
export interface ScriptFile {
  /** Path on the server (`/assets/index-….js`). */
  path: string;
  status: number;
  /** The body as the page got it, decoded. */
  rawBytes: number;
  /** Content-Encoding of the answer, if any. */
  encoding: string | null;
  /** The body's size on the wire (encoded), as Chromium counted it. */
  transferredBytes: number;
  /** The budget's figure: the wire size if the server compressed it, else the body gzipped by zlib at level 6. */
  gzipBytes: number;
}

function isScript(response: Response): boolean {
  const type = response.headers()['content-type'] ?? '';
  return /javascript|ecmascript/i.test(type) || /\.m?js$/.test(new URL(response.url()).pathname);
}

/**
 * Every JavaScript answer of the page's own origin from now on. `files()` waits for the bodies read so
 * far (and fails if one could not be read: a file left out would flatter the total); `paths()` is what
 * came in, synchronously (to see whether anything arrives later).
 */
export function recordScripts(page: Page, origin: string) {
  const pending: Promise<ScriptFile | null>[] = [];
  const seen: string[] = [];
  const foreign: string[] = [];
  const unreadable: string[] = [];
  const onResponse = (response: Response) => {
    const url = new URL(response.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== origin) {
      foreign.push(response.url());
      return;
    }
    if (!isScript(response)) return;
    seen.push(url.pathname);
    pending.push(
      (async (): Promise<ScriptFile | null> => {
        const body = await response.body().catch(() => null);
        if (!body) {
          unreadable.push(url.pathname);
          return null;
        }
        const encoding = response.headers()['content-encoding'] ?? null;
        const sizes = await response
          .request()
          .sizes()
          .catch(() => null);
        const transferredBytes = sizes?.responseBodySize ?? body.length;
        return {
          path: url.pathname,
          status: response.status(),
          rawBytes: body.length,
          encoding,
          transferredBytes,
          gzipBytes:
            encoding && encoding !== 'identity'
              ? transferredBytes
              : zlib.gzipSync(body, { level: zlib.constants.Z_DEFAULT_COMPRESSION }).length,
        };
      })(),
    );
  };
  page.on('response', onResponse);
  return {
    paths: () => [...seen],
    foreign: () => [...foreign],
    async files(): Promise<ScriptFile[]> {
      const all = await Promise.all(pending);
      if (unreadable.length > 0) throw new Error(`could not read the body of ${unreadable.join(', ')}`);
      return all.filter((f): f is ScriptFile => f !== null);
    },
    stop: () => page.off('response', onResponse),
  };
}

/** Waits until the page has asked for no new script for `quietMs` (lazy chunks load in waves). */
export async function scriptsSettled(
  paths: () => string[],
  quietMs: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let count = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const n = paths().length;
    if (n !== count) {
      count = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the probe measured for one submission, in the page's `performance.now()` milliseconds. */
export interface NextTaskTiming {
  /** The Ctrl+Enter keydown, seen by a capture listener on window before the app's own listener. */
  keydownAt: number;
  /** The keydown event's own timeStamp (when the browser took the input). */
  eventTimeStamp: number;
  /** The submission's request (`PUT /tasks/:id/annotation`), from Resource Timing; null if none was seen. */
  submitStart: number | null;
  submitEnd: number | null;
  /** The new task's text in the DOM (the MutationObserver's callback). */
  domAt: number;
  /** The next animation frame's callback after that: the frame that paints it is being produced. */
  frameAt: number;
  /** A task posted from that frame callback: it runs after the frame was handed over for painting. */
  paintedAt: number;
  /** The text now on screen, and the one before. */
  text: string;
  previous: string;
  /** The new text's box: on screen (inside the viewport, non-empty), and not hidden. */
  visible: boolean;
}

/**
 * The probe, installed before the app's scripts (`addInitScript`). `arm(selector)` remembers the text of
 * `selector` now and starts watching; the next Ctrl+Enter keydown sets the start; the first mutation
 * after it that puts a different, non-empty text in `selector` sets the DOM time, then a
 * requestAnimationFrame callback, then a message posted from it (the usual "after the next paint"
 * marker) sets the end. `result(timeoutMs)` resolves with the figures, or rejects.
 */
export const NEXT_TASK_PROBE = `(() => {
  let state = null;
  window.addEventListener('keydown', (e) => {
    if (!state || state.keydownAt !== null) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      state.keydownAt = performance.now();
      state.eventTimeStamp = e.timeStamp;
    }
  }, true);
  window.__enclaveBench = {
    arm(selector) {
      const el = document.querySelector(selector);
      performance.clearResourceTimings();
      const s = { selector, previous: el ? el.textContent : null, keydownAt: null, eventTimeStamp: null };
      state = s;
      s.done = new Promise((resolve) => {
        const check = () => {
          if (s.keydownAt === null) return;
          const now = document.querySelector(selector);
          const text = now ? now.textContent : null;
          if (!text || text === s.previous) return;
          const domAt = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => {
            const frameAt = performance.now();
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              const paintedAt = performance.now();
              const r = now.getBoundingClientRect();
              const visible = now.isConnected && r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0 &&
                (typeof now.checkVisibility !== 'function' || now.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
              const submit = performance.getEntriesByType('resource')
                .filter((t) => /\\/api\\/v1\\/tasks\\/[^/]+\\/annotation$/.test(new URL(t.name).pathname) && t.startTime >= s.keydownAt)[0];
              resolve({
                keydownAt: s.keydownAt, eventTimeStamp: s.eventTimeStamp,
                submitStart: submit ? submit.startTime : null, submitEnd: submit ? submit.responseEnd : null,
                domAt, frameAt, paintedAt, text, previous: s.previous, visible,
              });
            };
            channel.port2.postMessage(null);
          });
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    },
    result(timeoutMs) {
      const s = state;
      if (!s) return Promise.reject(new Error('the probe is not armed'));
      return Promise.race([
        s.done,
        new Promise((_, reject) => setTimeout(() => reject(new Error(
          s.keydownAt === null ? 'no Ctrl+Enter keydown reached the page'
            : 'no new task within ' + timeoutMs + ' ms of Ctrl+Enter; the page says: ' + document.body.innerText.slice(0, 400)
        )), timeoutMs)),
      ]);
    },
  };
})();`;

export async function armNextTaskProbe(page: Page, selector: string): Promise<void> {
  await page.evaluate(`window.__enclaveBench.arm(${JSON.stringify(selector)})`);
}

export async function nextTaskTiming(page: Page, timeoutMs: number): Promise<NextTaskTiming> {
  return (await page.evaluate(`window.__enclaveBench.result(${timeoutMs})`)) as NextTaskTiming;
}
