/**
 * Reproducible, varied text for generated workloads: a seeded PRNG over a vocabulary with some
 * punctuation, capitals, numbers and a few non-ASCII words, so that rows differ as real ones do and
 * JSON and COPY escaping are exercised ("quoted" words, a backslash now and then).
 */

/** mulberry32: tiny, fast, good enough to vary text; the same seed gives the same rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is that for it as was with on be by at this from or have an they which one you were ' +
  'her all she there would their we him been has when who will more no if out so said what up its about ' +
  'into than them can only other new some could time these two may then do first any my now such like our ' +
  'over man me even most made after also did many before must through back years where much your way well ' +
  'down should because each just those people how too little state good very make world still own see men ' +
  'work long get here between both life being under never day same another know while last might us great ' +
  'old year off come since against go came right used take three model label dataset prompt answer review ' +
  'annotator quality sample token context reward policy training evaluation benchmark server query customer ' +
  'invoice delivery refund weather river mountain garden kitchen library museum station market hospital ' +
  'café naïve résumé Zürich São Paulo Kraków Ærø'
).split(' ');

const PUNCT = [',', ',', ',', '.', ';', ':', '?', '!'];

/** About `length` characters of sentence-like text (never more than length + one word). */
export function sentence(rand: () => number, length: number): string {
  const parts: string[] = [];
  let size = 0;
  let capital = true;
  while (size < length) {
    let w = WORDS[Math.floor(rand() * WORDS.length)]!;
    const r = rand();
    if (r < 0.04) w = String(Math.floor(rand() * 100000));
    else if (r < 0.055) w = `"${w}"`;
    else if (r < 0.058) w = `${w}\\${WORDS[Math.floor(rand() * WORDS.length)]!}`;
    if (capital) w = w.charAt(0).toUpperCase() + w.slice(1);
    capital = false;
    if (rand() < 0.1) {
      const p = PUNCT[Math.floor(rand() * PUNCT.length)]!;
      w += p;
      capital = p === '.' || p === '?' || p === '!';
    }
    parts.push(w);
    size += w.length + 1;
  }
  return parts.join(' ');
}
