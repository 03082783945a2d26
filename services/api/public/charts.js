/* global document */
// Dependency-free SVG charts for the dashboard: sparklines, time series with avg/max, and bars.

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function svgEl(name, attrs = {}, children = []) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const child of children) el.append(child);
  return el;
}

/** A small line of `values` (nulls leave gaps) scaled to 0..max. */
export function sparkline(values, { max = 100, kind = 'cpu' } = {}) {
  const svg = svgEl('svg', {
    class: `spark ${kind}`,
    viewBox: '0 0 100 20',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  const n = values.length;
  let points = [];
  const flush = () => {
    if (points.length > 1) svg.append(svgEl('polyline', { points: points.join(' ') }));
    points = [];
  };
  values.forEach((v, i) => {
    if (v === null || v === undefined) return flush();
    const x = n <= 1 ? 100 : (i / (n - 1)) * 100;
    const y = 19 - (Math.min(Math.max(v, 0), max) / max) * 18;
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  flush();
  svg.dataset.points = String(values.filter((v) => v !== null && v !== undefined).length);
  return svg;
}

const W = 600;
const H = 190;
const PAD = { left: 38, right: 8, top: 8, bottom: 22 };

function timeLabel(ms, spanMs) {
  const d = new Date(ms);
  if (spanMs > 2 * 86_400_000) return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A time series chart: `series` are `{ name, className, values: [{ t: ms, v: number|null }] }`,
 * drawn over [from, to]; a gap longer than `gapMs` breaks the line. Hovering shows the nearest
 * point in `readout`.
 */
export function lineChart({ series, from, to, yMax, unit = '', gapMs, readout }) {
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img' });
  const all = series.flatMap((s) => s.values.map((p) => p.v)).filter((v) => v !== null);
  const top = yMax ?? niceMax(Math.max(...all, 0) * 1.1);
  const span = Math.max(1, to - from);
  const x = (t) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - Math.min(Math.max(v, 0), top) / top) * (H - PAD.top - PAD.bottom);
  const grid = svgEl('g', { class: 'grid' });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const yy = y(top * f);
    grid.append(svgEl('line', { x1: PAD.left, x2: W - PAD.right, y1: yy, y2: yy }));
    const label = svgEl('text', { x: PAD.left - 4, y: yy + 4, 'text-anchor': 'end' });
    label.textContent = `${Number((top * f).toFixed(top < 4 ? 1 : 0))}${unit}`;
    grid.append(label);
  }
  for (const f of [0, 0.5, 1]) {
    const label = svgEl('text', {
      x: x(from + span * f),
      y: H - 6,
      'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle',
    });
    label.textContent = timeLabel(from + span * f, span);
    grid.append(label);
  }
  svg.append(grid);
  let drawn = 0;
  for (const s of series) {
    const g = svgEl('g', { class: `series ${s.className}`, 'data-series': s.name });
    let points = [];
    let last;
    const flush = () => {
      if (points.length === 1) points.push(points[0]);
      if (points.length > 1) g.append(svgEl('polyline', { points: points.join(' ') }));
      points = [];
    };
    for (const p of s.values) {
      if (p.v === null || p.v === undefined) continue;
      if (last !== undefined && gapMs && p.t - last > gapMs) flush();
      points.push(`${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
      last = p.t;
      drawn++;
    }
    flush();
    svg.append(g);
  }
  svg.dataset.points = String(drawn);
  if (readout && series[0]) {
    const cursor = svgEl('line', { class: 'cursor', y1: PAD.top, y2: H - PAD.bottom, x1: -10, x2: -10 });
    svg.append(cursor);
    const base = series[0].values;
    svg.addEventListener('pointermove', (event) => {
      const box = svg.getBoundingClientRect();
      const t =
        from +
        ((((event.clientX - box.left) / box.width) * W - PAD.left) / (W - PAD.left - PAD.right)) * span;
      let best;
      for (const p of base)
        if (p.v !== null && (best === undefined || Math.abs(p.t - t) < Math.abs(best.t - t))) best = p;
      if (!best) return;
      cursor.setAttribute('x1', String(x(best.t)));
      cursor.setAttribute('x2', String(x(best.t)));
      const parts = series.map((s) => {
        const q = s.values.find((p) => p.t === best.t);
        return q && q.v !== null ? `${s.label} ${q.v.toFixed(1)}${unit}` : '';
      });
      readout.textContent = `${new Date(best.t).toLocaleString()}  ${parts.filter(Boolean).join('  ')}`;
    });
    svg.addEventListener('pointerleave', () => {
      cursor.setAttribute('x1', '-10');
      cursor.setAttribute('x2', '-10');
      readout.textContent = '';
    });
  }
  return svg;
}

/** Bars per day: attempts behind, failures and accepted in front; `items` are `{ label, attempts, failures, accepted }`. */
export function barChart(items) {
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img' });
  const top = niceMax(Math.max(1, ...items.map((i) => Math.max(i.attempts, i.failures))));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, items.length);
  const grid = svgEl('g', { class: 'grid' });
  for (const f of [0, 0.5, 1]) {
    const yy = PAD.top + (1 - f) * plotH;
    grid.append(svgEl('line', { x1: PAD.left, x2: W - PAD.right, y1: yy, y2: yy }));
    const label = svgEl('text', { x: PAD.left - 4, y: yy + 4, 'text-anchor': 'end' });
    label.textContent = String(Math.round(top * f));
    grid.append(label);
  }
  svg.append(grid);
  items.forEach((item, i) => {
    const x0 = PAD.left + i * slot;
    const h = (v) => (v / top) * plotH;
    const bar = (cls, v, offset, width) => {
      const rect = svgEl('rect', {
        class: cls,
        x: x0 + offset,
        width,
        y: PAD.top + plotH - h(v),
        height: h(v),
      });
      const title = svgEl('title');
      title.textContent = `${item.label}: ${item.attempts} connections, ${item.failures} failed, ${item.accepted} accepted`;
      rect.append(title);
      return rect;
    };
    svg.append(bar('bar-attempts', item.attempts, slot * 0.1, slot * 0.8));
    svg.append(bar('bar-failures', item.failures, slot * 0.2, slot * 0.35));
    svg.append(bar('bar-accepted', item.accepted, slot * 0.55, slot * 0.25));
    if (items.length <= 14 || i % Math.ceil(items.length / 10) === 0) {
      const label = svgEl('text', { x: x0 + slot / 2, y: H - 6, 'text-anchor': 'middle' });
      label.textContent = item.label.slice(5);
      svg.append(label);
    }
  });
  svg.dataset.points = String(items.length);
  return svg;
}
