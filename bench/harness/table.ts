// Renders rows of strings as an aligned terminal table or as a Markdown table (pure).

/** A column: its heading and which side its cells align to. */
export interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
}

/** Terminal table: columns padded to the widest cell, two spaces apart, a rule under the heading. */
export function renderText(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) => Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => (column.align === 'right' ? (cells[index] ?? '').padStart(widths[index]!) : (cells[index] ?? '').padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown table with the same cells (pipes inside cells escaped). */
export function renderMarkdown(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(' | ')} |`;
  const rule = `|${columns.map((column) => (column.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(columns.map((column) => column.title)), rule, ...rows.map((row) => line(columns.map((_, index) => row[index] ?? '')))].join('\n');
}

/** An integer with thousands separators: 18234 → "18,234". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A duration or cost in µs: one decimal below 100, none above. */
export function formatMicros(value: number): string {
  return Math.abs(value) < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

/** A signed difference in µs: "+12.5", "−3.0", "+1,204". */
export function formatDelta(value: number): string {
  const magnitude = formatMicros(Math.abs(value));
  return value < 0 ? `−${magnitude}` : `+${magnitude}`;
}

/** A ratio as "0.52×", with the per-round range "(0.50–0.55)" when it is not a single value. */
export function formatRatio(median: number, min: number, max: number): string {
  const main = `${median.toFixed(2)}×`;
  return min === max ? main : `${main} (${min.toFixed(2)}–${max.toFixed(2)})`;
}
