import type { Category } from '../domain/categories.ts';
import type { Outcome } from '../domain/case.ts';

/**
 * The dashboard's charts as pure data: figures in, an SVG element tree out. No DOM and no
 * markup strings with data in them: the page turns a tree into elements with `createElementNS`
 * and `textContent` (so a SKU name or a channel name can never become markup), and
 * `svgMarkup` writes it as escaped text (tests, and anyone who wants a file).
 *
 * This file runs in the browser too (served type-stripped by `browserModules.ts`), so it has no
 * runtime imports — only `import type`.
 */

/** One SVG element: its tag, attributes and children (text children are plain strings). */
export interface SvgElement {
  tag: string;
  attrs: Record<string, string | number>;
  children: SvgChild[];
}
export type SvgChild = SvgElement | string;

/** One bar of a bar chart. */
export interface BarDatum {
  /** Stable id (a category, a channel): kept as `data-key` on the bar. */
  key: string;
  label: string;
  value: number;
  color?: string;
}

/** One stacked column (a day): the value of each series in it. */
export interface StackedColumn {
  key: string;
  /** Axis label (`3 Nov`) and the full name in tooltips (`2026-11-03`). */
  label: string;
  /** Missing keys count as zero. */
  values: Readonly<Partial<Record<string, number>>>;
}

export interface Series {
  key: string;
  label: string;
  color: string;
}

export const INK = '#1d2330';
const MUTED = '#5b6577';
const GRID = '#e3e6eb';
export const DEFAULT_BAR_COLOR = '#4e79a7';
const FONT = 'system-ui, sans-serif';

/** One colour per refund category, the same on every chart. */
export const CATEGORY_COLORS = {
  defective: '#4e79a7',
  damaged_in_transit: '#f28e2b',
  wrong_item: '#e15759',
  not_as_described: '#76b7b2',
  not_received: '#59a14f',
  duplicate_order: '#edc948',
  changed_mind: '#b07aa1',
  service_issue: '#ff9da7',
  unused_subscription: '#9c755f',
  billing_error: '#bab0ac',
  promotion_issue: '#17becf',
  other: '#7f7f7f',
} satisfies Record<Category, string>;

export const OUTCOME_COLORS = { full: '#59a14f', partial: '#edc948', none: '#e15759', review: '#4e79a7' } satisfies Record<Outcome, string>;

/** Case statuses: paid and approved green, denied red, still open blue, cancelled grey. */
export const STATUS_COLORS: Record<string, string> = { refunded: '#59a14f', approved: '#8cd17d', denied: '#e15759', pending_review: '#4e79a7', escalated: '#76b7b2', cancelled: '#bab0ac' };

/** CSAT 1 (red) to 5 (green). */
export const RATING_COLORS: Record<string, string> = { '1': '#e15759', '2': '#f28e2b', '3': '#edc948', '4': '#8cd17d', '5': '#59a14f' };

const el = (tag: string, attrs: Record<string, string | number>, ...children: SvgChild[]): SvgElement => ({ tag, attrs, children });
const round = (n: number): number => Math.round(n * 100) / 100;

/** Cuts a label to `max` characters, marking the cut (the full label stays in the tooltip). */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The svg root: sized, scalable, and announced as one image named by its title. */
function svgRoot(title: string, width: number, height: number, description: string, children: SvgChild[]): SvgElement {
  return el(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, focusable: 'false', 'font-family': FONT, 'font-size': 11 },
    el('title', {}, title),
    el('desc', {}, description),
    ...children,
  );
}

function emptyChart(title: string, width: number, height: number, message: string): SvgElement {
  return svgRoot(title, width, height, message, [
    el('rect', { x: 0.5, y: 0.5, width: width - 1, height: height - 1, fill: '#fafbfc', stroke: GRID, rx: 4 }),
    el('text', { x: width / 2, y: height / 2 + 4, 'text-anchor': 'middle', fill: MUTED, class: 'empty' }, message),
  ]);
}

/**
 * A round axis maximum at or above `max` with at most about `ticks` whole-number steps
 * (counts): 0 → 1, 3 → 3 (step 1), 47 → 50 (step 10), 1234 → 1500 (step 500).
 */
export function niceScale(max: number, ticks = 4): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude);
  return { max: Math.ceil(max / step) * step, step };
}

export interface BarChartOptions {
  title: string;
  /** Viewbox width (the chart scales to its box). 440 by default. */
  width?: number;
  /** How a value is written at the end of its bar and in the tooltip. */
  format?: (value: number) => string;
  /** Shown instead of bars when every value is zero or there are none. */
  emptyText?: string;
}

/**
 * Horizontal bars, one row per datum, in the given order: each bar's length is proportional to
 * its value (the longest value spans the bar area), the label on the left, the value at the end.
 */
export function barChart(data: readonly BarDatum[], options: BarChartOptions): SvgElement {
  const width = options.width ?? 440;
  const format = options.format ?? ((value: number) => value.toLocaleString('en'));
  const rowHeight = 24;
  const pad = 6;
  if (data.length === 0 || data.every((datum) => !(datum.value > 0))) return emptyChart(options.title, width, 64, options.emptyText ?? 'No data for this period');
  const labelWidth = Math.round(width * 0.36);
  const valueWidth = 64;
  const area = width - labelWidth - valueWidth;
  const max = Math.max(...data.map((datum) => datum.value));
  const height = data.length * rowHeight + pad * 2;
  const total = data.reduce((sum, datum) => sum + Math.max(0, datum.value), 0);
  const rows = data.map((datum, index) => {
    const y = pad + index * rowHeight;
    const length = datum.value > 0 ? round((datum.value / max) * area) : 0;
    const text = `${datum.label}: ${format(datum.value)}`;
    return el(
      'g',
      { class: 'bar', 'data-key': datum.key, 'data-value': datum.value },
      el('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end', fill: INK }, clip(datum.label, Math.floor(labelWidth / 6.5))),
      el('rect', { x: labelWidth, y: y + 4, width: length, height: rowHeight - 8, rx: 2, fill: datum.color ?? DEFAULT_BAR_COLOR }, el('title', {}, text)),
      el('text', { x: round(labelWidth + length + 5), y: y + 16, fill: MUTED, class: 'value' }, format(datum.value)),
    );
  });
  const description = `${data.length} bars, ${format(total)} in all: ${data.map((datum) => `${datum.label} ${format(datum.value)}`).join(', ')}`;
  return svgRoot(options.title, width, height, description, [
    el('line', { x1: labelWidth, y1: pad, x2: labelWidth, y2: height - pad, stroke: GRID }),
    ...rows,
  ]);
}

export interface StackedBarChartOptions {
  title: string;
  /** Viewbox width and the plot's height (the legend adds to it). 960 × 220 by default. */
  width?: number;
  plotHeight?: number;
  /** Axis labels at most this many (every n-th column otherwise). 12 by default. */
  maxLabels?: number;
  emptyText?: string;
}

/**
 * Vertical stacked bars, one column per entry (a day), segments in `series` order from the
 * bottom: each segment's height is proportional to its value on a round axis (`niceScale`),
 * so a column's height is proportional to its total. A legend of the series that occur sits
 * above the plot.
 */
export function stackedBarChart(columns: readonly StackedColumn[], series: readonly Series[], options: StackedBarChartOptions): SvgElement {
  const width = options.width ?? 960;
  const plotHeight = options.plotHeight ?? 220;
  const totals = columns.map((column) => series.reduce((sum, s) => sum + Math.max(0, column.values[s.key] ?? 0), 0));
  if (columns.length === 0 || totals.every((total) => total === 0)) return emptyChart(options.title, width, 80, options.emptyText ?? 'No data for this period');

  const left = 40;
  const right = 8;
  // Legend: the series that occur, in order, wrapped into rows, aligned with the plot.
  const present = series.filter((s) => columns.some((column) => (column.values[s.key] ?? 0) > 0));
  const legend: SvgElement[] = [];
  let lx = left;
  let ly = 0;
  for (const s of present) {
    const itemWidth = 18 + Math.ceil(s.label.length * 6.2) + 14;
    if (lx > left && lx + itemWidth > width) {
      lx = left;
      ly += 18;
    }
    legend.push(
      el(
        'g',
        { class: 'legend', 'data-key': s.key },
        el('rect', { x: lx, y: ly + 2, width: 12, height: 12, rx: 2, fill: s.color }),
        el('text', { x: lx + 17, y: ly + 12, fill: INK }, s.label),
      ),
    );
    lx += itemWidth;
  }
  const legendHeight = ly + 26;

  const top = legendHeight + 8;
  const bottom = 24;
  const plotWidth = width - left - right;
  const height = top + plotHeight + bottom;
  const baseline = top + plotHeight;
  const scale = niceScale(Math.max(...totals));
  const grid: SvgElement[] = [];
  for (let tick = 0; tick <= scale.max; tick += scale.step) {
    const y = round(baseline - (tick / scale.max) * plotHeight);
    grid.push(el('line', { x1: left, y1: y, x2: width - right, y2: y, stroke: tick === 0 ? MUTED : GRID }));
    grid.push(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', fill: MUTED, class: 'tick' }, tick.toLocaleString('en')));
  }
  const slot = plotWidth / columns.length;
  const barWidth = round(Math.max(1, Math.min(40, slot * 0.72)));
  const every = Math.ceil(columns.length / (options.maxLabels ?? 12));
  const bars = columns.map((column, index) => {
    const x = round(left + index * slot + (slot - barWidth) / 2);
    let stacked = 0;
    const segments: SvgElement[] = [];
    for (const s of series) {
      const value = column.values[s.key] ?? 0;
      if (!(value > 0)) continue;
      const h = round((value / scale.max) * plotHeight);
      const y = round(baseline - ((stacked + value) / scale.max) * plotHeight);
      stacked += value;
      segments.push(el('rect', { x, y, width: barWidth, height: h, fill: s.color, 'data-series': s.key, 'data-value': value }, el('title', {}, `${column.key} · ${s.label}: ${value.toLocaleString('en')}`)));
    }
    const children: SvgChild[] = [...segments];
    if (index % every === 0) children.push(el('text', { x: round(x + barWidth / 2), y: baseline + 16, 'text-anchor': 'middle', fill: MUTED, class: 'day' }, column.label));
    return el('g', { class: 'column', 'data-key': column.key, 'data-total': totals[index] ?? 0 }, ...children);
  });
  const sum = totals.reduce((a, b) => a + b, 0);
  const busiest = columns[totals.indexOf(Math.max(...totals))];
  const description = `${columns.length} columns, ${sum.toLocaleString('en')} in all; most on ${busiest?.key ?? ''} (${Math.max(...totals)}).`;
  return svgRoot(options.title, width, height, description, [el('g', { class: 'legend-items' }, ...legend), ...grid, ...bars]);
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const NAME = /^[A-Za-z][A-Za-z0-9:_.-]*$/;

/** The tree as SVG markup, every text and attribute value escaped (the root gets the SVG namespace). */
export function svgMarkup(node: SvgChild, root = true): string {
  if (typeof node === 'string') return escapeXml(node);
  if (!NAME.test(node.tag)) throw new TypeError(`not an element name: ${node.tag}`);
  const attrs = Object.entries(root ? { xmlns: 'http://www.w3.org/2000/svg', ...node.attrs } : node.attrs).map(([name, value]) => {
    if (!NAME.test(name)) throw new TypeError(`not an attribute name: ${name}`);
    return ` ${name}="${escapeXml(String(value))}"`;
  });
  return `<${node.tag}${attrs.join('')}>${node.children.map((child) => svgMarkup(child, false)).join('')}</${node.tag}>`;
}
