// Plain-text tables in kubectl's style (upper-case headers, columns padded and separated by three
// spaces, no borders) and kubectl's human-readable ages ("45s", "3m12s", "5h", "12d").

/** Renders rows under headers; the last column is not padded. Missing cells print as "<none>". */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => (row[i] === undefined || row[i] === '' ? '<none>' : row[i]!)));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

/**
 * kubectl's HumanDuration for the time since `timestamp`: seconds up to 2 minutes, minutes and
 * seconds up to 10 minutes, minutes up to 3 hours, hours and minutes up to 8 hours, hours up to
 * 2 days, days and hours up to 8 days, days up to 2 years, then years and days. "<unknown>" if unset.
 */
export function formatAge(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - then) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const years = Math.floor(days / 365);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  if (days < 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** `a=1,b=2` for a label map, "" when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Joins values with commas; "" for none. Long lists are cut to `max` with "+N more". */
export function joinList(values: readonly (string | number)[] | undefined, max = 4): string {
  const list = (values ?? []).map(String);
  return list.length > max ? `${list.slice(0, max).join(',')} + ${list.length - max} more...` : list.join(',');
}
