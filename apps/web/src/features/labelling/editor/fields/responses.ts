import type { ChatTurn, ResponseCandidate } from '@enclave/contracts';

/** A task's candidate responses, the well-formed ones; data from an import is never trusted blindly. */
export function responsesOf(value: unknown): ResponseCandidate[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r: unknown) =>
    typeof r === 'object' && r !== null && typeof (r as ResponseCandidate).id === 'string'
      ? [{ id: (r as ResponseCandidate).id, text: String((r as ResponseCandidate).text ?? '') }]
      : [],
  );
}

/** A, B, … Z, then AA, AB…: the names responses go by on screen and in pairwise choices. */
export function responseLetter(index: number): string {
  let n = index;
  let out = '';
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

export function chatOf(value: unknown): ChatTurn[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t: unknown) =>
    typeof t === 'object' && t !== null && typeof (t as ChatTurn).content === 'string'
      ? [{ role: (t as ChatTurn).role, content: (t as ChatTurn).content }]
      : [],
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The URL of an image field's asset, served only by the API; null for anything that is not an asset id. */
export function assetUrl(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? `/api/v1/assets/${value.toLowerCase()}` : null;
}
