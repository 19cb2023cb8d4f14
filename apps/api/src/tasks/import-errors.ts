import type { ErrorDetail } from '@enclave/contracts';

/** One problem of one line of an import: where in the row (`data.text`, `externalId`) and what. */
export interface LineIssue {
  path?: string;
  message: string;
}

export interface ImportErrorLimits {
  /** Bad lines named in the answer; at this many the import stops reading. */
  maxLines: number;
  /** Problems named per bad line (a chat of ten thousand bad turns is one bad line, not ten thousand). */
  maxIssuesPerLine: number;
}

export const DEFAULT_ERROR_LIMITS: ImportErrorLimits = { maxLines: 100, maxIssuesPerLine: 10 };

interface BadLine {
  line: number;
  details: ErrorDetail[];
}

/**
 * The bad lines of an import, capped: once `maxLines` lines are bad the import stops reading (`full`),
 * and the answer says "at least" that many. Memory stays bounded whatever the body holds.
 */
export class ImportErrors {
  private bad: BadLine[] = [];
  private count = 0;

  constructor(readonly limits: ImportErrorLimits = DEFAULT_ERROR_LIMITS) {}

  /** Records one bad line with its problems. */
  add(line: number, issues: readonly LineIssue[]): void {
    if (this.full) return;
    this.count += 1;
    this.bad.push({ line, details: this.render(line, issues) });
  }

  /**
   * Folds in problems found afterwards by SQL over the staged rows: `details` are those of the first
   * bad lines in line order, `badLines` how many lines were bad in all. Those lines never overlap the
   * ones recorded while reading, which did not reach the staging table.
   */
  merge(details: readonly ErrorDetail[], badLines: number): void {
    const byLine = new Map<number, LineIssue[]>();
    for (const d of details) {
      const list = byLine.get(d.line!) ?? [];
      list.push(d.path === undefined ? { message: d.message } : { path: d.path, message: d.message });
      byLine.set(d.line!, list);
    }
    const found = [...byLine].map(([line, issues]) => ({ line, details: this.render(line, issues) }));
    this.bad = [...this.bad, ...found].sort((a, b) => a.line - b.line).slice(0, this.limits.maxLines);
    this.count += badLines;
  }

  /** Bad lines found (a lower bound once `full`). */
  get badLines(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.limits.maxLines;
  }

  /** One detail per problem of the first `maxLines` bad lines, in line order. */
  get details(): ErrorDetail[] {
    return this.bad.flatMap((b) => b.details);
  }

  private render(line: number, issues: readonly LineIssue[]): ErrorDetail[] {
    const shown = issues.length > 0 ? issues : [{ message: 'invalid' }];
    const max = this.limits.maxIssuesPerLine;
    const out: ErrorDetail[] = shown
      .slice(0, max)
      .map((i) =>
        i.path === undefined || i.path === ''
          ? { line, message: i.message }
          : { line, path: i.path, message: i.message },
      );
    if (shown.length > max)
      out.push({ line, message: `… and ${shown.length - max} more problems on this line` });
    return out;
  }
}
