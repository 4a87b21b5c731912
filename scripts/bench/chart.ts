// The bench's charts: series against time (orders placed and confirmed, latencies), as one SVG each.

export interface Point {
  /** Seconds since the run began. */
  at: number;
  value: number;
}

/**
 * An SVG line chart of a few series against time. Series of one unit share a scale (so two
 * latencies, or two counts, compare by height); each unit scales to its own maximum.
 */
export function lineChart(title: string, series: { name: string; colour: string; unit: string; points: Point[] }[]): string {
  const width = 900;
  const height = 360;
  const pad = { left: 60, right: 20, top: 40, bottom: 40 };
  const maxAt = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.at)));
  const x = (at: number) => pad.left + (at / maxAt) * (width - pad.left - pad.right);
  const maxOf = (points: Point[]) => Math.max(0, ...points.map((p) => p.value));
  const scale = new Map<string, number>();
  for (const s of series) scale.set(s.unit, Math.max(1, scale.get(s.unit) ?? 0, maxOf(s.points)));
  const paths = series.map((s, i) => {
    const y = (v: number) => height - pad.bottom - (v / scale.get(s.unit)!) * (height - pad.top - pad.bottom);
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.5"/>
  <text x="${pad.left + 10}" y="${pad.top + 14 * i}" fill="${s.colour}" font-size="12">${escapeXml(s.name)} (max ${maxOf(s.points).toFixed(0)} ${escapeXml(s.unit)})</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
  <title>${escapeXml(title)}</title>
  <rect width="100%" height="100%" fill="white"/>
  <text x="${pad.left}" y="20" font-size="14">${escapeXml(title)}</text>
  <line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/>
  <text x="${width - pad.right}" y="${height - 10}" font-size="12" text-anchor="end">${maxAt.toFixed(0)} s</text>
  ${paths.join('\n  ')}
</svg>
`;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
