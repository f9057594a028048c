// A small SVG line chart of one series (no axes): what changed recently at a glance.

/** Draws `values` (nulls as gaps) in a width × height box; the label shows the last value. */
export function Sparkline(props: { values: readonly (number | null)[]; width?: number; height?: number; colour?: string; label: string; testid?: string }) {
  const width = props.width ?? 260;
  const height = props.height ?? 48;
  const numbers = props.values.filter((v): v is number => v !== null);
  const max = Math.max(1e-9, ...numbers);
  const step = props.values.length > 1 ? width / (props.values.length - 1) : width;
  let d = '';
  props.values.forEach((v, i) => {
    if (v === null) return;
    const x = i * step;
    const y = height - 2 - (v / max) * (height - 4);
    d += `${d === '' || props.values[i - 1] === null ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)} `;
  });
  return (
    <figure class="spark" data-testid={props.testid}>
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label}>
        <rect x="0" y="0" width={width} height={height} fill="#f6f8fa" />
        <path d={d} fill="none" stroke={props.colour ?? '#4a6fa5'} stroke-width="1.5" />
      </svg>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
