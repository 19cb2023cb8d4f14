import fs from 'node:fs/promises';
import path from 'node:path';
import type { BenchOutcome, Metric, TargetCheck } from './types';

/** Plain-text tables for the terminal; the JSON files carry the same figures for machines. */
export function table(rows: (string | number | null)[][], header?: string[]): string {
  const all = (header ? [header, ...rows] : rows).map((r) => r.map((c) => (c === null ? '–' : String(c))));
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (/^-?[\d.,]+( \S+)?$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
}

export function fixed(n: number | null | undefined, digits = 2): number | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : Number(n.toFixed(digits));
}

function showValue(v: number | string): string {
  return typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : v;
}

export function metricRows(metrics: Metric[]): string[][] {
  return metrics.map((m) => [m.name, showValue(m.value), m.unit ?? '']);
}

export function targetRow(benchmark: string, t: TargetCheck): string[] {
  return [
    benchmark,
    t.name,
    `${showValue(Number(t.actual.toFixed(2)))}${t.unit ? ` ${t.unit}` : ''}`,
    `${t.comparison} ${showValue(t.limit)}${t.unit ? ` ${t.unit}` : ''}`,
    t.pass ? 'PASS' : 'FAIL',
  ];
}

export function printOutcome(name: string, title: string, outcome: BenchOutcome): string {
  const parts = [
    `\n== ${name}: ${title}`,
    `reference: ${outcome.reference}`,
    '',
    table(metricRows(outcome.metrics)),
  ];
  if (outcome.runs.length > 0) {
    const header = Object.keys(outcome.runs[0]!);
    parts.push(
      '',
      table(
        outcome.runs.map((r) => header.map((h) => r[h] ?? null)),
        header,
      ),
    );
  }
  for (const t of outcome.tables ?? []) {
    if (t.rows.length === 0) continue;
    const header = Object.keys(t.rows[0]!);
    parts.push(
      '',
      `${t.title}:`,
      table(
        t.rows.map((r) => header.map((h) => r[h] ?? null)),
        header,
      ),
    );
  }
  if (outcome.targets.length > 0) {
    parts.push(
      '',
      table(
        outcome.targets.map((t) => targetRow(name, t).slice(1)),
        ['target', 'measured', 'limit', ''],
      ),
    );
  }
  for (const n of outcome.notes) parts.push(`note: ${n}`);
  return parts.join('\n');
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value, null, 2) + '\n');
}
