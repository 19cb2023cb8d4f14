import { config } from 'zod';

/**
 * The page runs under `script-src 'self'` without 'unsafe-eval'. Zod's fast path compiles parsers with
 * `new Function`, and the first parse of an object schema probes for it, which the browser reports as a
 * CSP violation. The interpreted path is fast enough for forms and results: switch the probe off.
 */
config({ jitless: true });
