/**
 * Line charts as inline SVG strings (the HTML report must open offline: no script, no library).
 * Points with a non-finite y break the line instead of dropping to zero.
 */
export interface ChartSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly xLabel?: string;
  readonly series: readonly ChartSeries[];
  readonly width?: number;
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];

export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A round upper bound (1, 2, 2.5, 5 × 10^n) at or above `value`. */
const niceCeiling = (value: number): number => {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((step) => step * magnitude >= value) ?? 10) * magnitude;
};

const label = (value: number): string => (Math.abs(value) >= 1000 ? `${Number((value / 1000).toFixed(2))}k` : `${Number(value.toFixed(2))}`);

export const lineChart = (options: ChartOptions): string => {
  const width = options.width ?? 900;
  const height = options.height ?? 260;
  const margin = { left: 64, right: 16, top: 34, bottom: 36 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = Math.max(1, ...finite.map(([x]) => x));
  const yMax = niceCeiling(Math.max(0, ...finite.map(([, y]) => y)));
  const px = (x: number): number => margin.left + (x / xMax) * plotW;
  const py = (y: number): number => margin.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<text x="${margin.left}" y="18" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${py(y) + 4}" font-size="11" text-anchor="end">${label(y)}</text>`);
  }
  const xStep = niceCeiling(xMax / 8);
  for (let x = 0; x <= xMax; x += xStep) parts.push(`<text x="${px(x)}" y="${height - margin.bottom + 16}" font-size="11" text-anchor="middle">${label(x)}</text>`);
  parts.push(`<text x="${width - margin.right}" y="${height - 4}" font-size="11" text-anchor="end">${escapeXml(options.xLabel ?? 'seconds since start')}</text>`);
  parts.push(`<text x="12" y="${margin.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${margin.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`);
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  options.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length];
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${run.join(' ')}"/>`);
      else if (run.length === 1) parts.push(`<circle cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}" r="1.5" fill="${color}"/>`);
      run = [];
    };
    for (const [x, y] of series.points) {
      if (Number.isFinite(y)) run.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
      else flush();
    }
    flush();
    const lx = margin.left + 8 + (i % 5) * ((plotW - 16) / 5);
    const ly = margin.top + 14 + Math.floor(i / 5) * 14;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${ly}" font-size="11">${escapeXml(series.label)}</text>`);
  });
  if (finite.length === 0) parts.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH / 2}" font-size="13" text-anchor="middle" fill="#888">no data</text>`);
  parts.push('</svg>');
  return parts.join('');
};
