// Markdown tables, so the output pastes straight into the README.

export type Cell = string | number;

/** Fixed decimals for display; integers above 100 without decimals. */
export function num(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '–';
  return Math.abs(value) >= 100 ? Math.round(value).toString() : value.toFixed(digits);
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–';
}

/** A GitHub-flavoured markdown table; columns whose header is listed in `left` are left-aligned, others right. */
export function markdownTable(headers: string[], rows: Cell[][], left: string[] = []): string {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...text.map((r) => (r[i] ?? '').length)));
  const isLeft = headers.map((h) => left.includes(h));
  const pad = (value: string, i: number) => (isLeft[i] ? value.padEnd(widths[i]!) : value.padStart(widths[i]!));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (isLeft[i] ? ':'.padEnd(w, '-') : '-'.repeat(w - 1) + ':')).join(' | ')} |`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}
