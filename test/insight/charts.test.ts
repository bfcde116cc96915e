import { describe, expect, it } from 'vitest';
import { barChart, CATEGORY_COLORS, niceScale, type SvgChild, type SvgElement, stackedBarChart, svgMarkup } from '../../src/insight/charts.ts';
import { loadBrowserModules, toBrowserModule } from '../../src/insight/browserModules.ts';
import { dashboardStats } from './fixtures.ts';

/** Every element of the tree matching the predicate, depth first. */
function findAll(node: SvgChild, match: (element: SvgElement) => boolean): SvgElement[] {
  if (typeof node === 'string') return [];
  return [...(match(node) ? [node] : []), ...node.children.flatMap((child) => findAll(child, match))];
}
const texts = (node: SvgChild): string[] => (typeof node === 'string' ? [node] : node.children.flatMap(texts));
const num = (element: SvgElement, name: string): number => Number(element.attrs[name]);
const bars = (chart: SvgElement) => findAll(chart, (e) => e.tag === 'rect' && e.attrs.rx === 2 && e.attrs.height === 16);

describe('bar chart', () => {
  const data = [
    { key: 'defective', label: 'Defective', value: 12 },
    { key: 'described', label: 'Not as described', value: 8 },
    { key: 'changed', label: 'Changed mind', value: 3 },
  ];

  it('draws bars whose lengths are proportional to the values, the largest spanning the bar area', () => {
    const chart = barChart(data, { title: 'Cases by reason' });
    const rects = bars(chart);
    expect(rects).toHaveLength(3);
    const [a, b, c] = rects.map((rect) => num(rect, 'width'));
    // width 440: labels take 36 % (158), values 64 → 218 for the longest bar.
    expect(a).toBe(218);
    expect(b).toBeCloseTo((218 * 8) / 12, 1);
    expect(c).toBeCloseTo((218 * 3) / 12, 1);
    // Every bar starts at the same x; rows go down in the given order.
    expect(new Set(rects.map((rect) => rect.attrs.x)).size).toBe(1);
    expect(rects.map((rect) => num(rect, 'y'))).toEqual([10, 34, 58]);
    expect(texts(chart)).toEqual(expect.arrayContaining(['Defective', '12', 'Not as described', '8', 'Changed mind', '3']));
  });

  it('is an image named by its title, with the figures in its description', () => {
    const chart = barChart(data, { title: 'Cases by reason' });
    expect(chart.attrs).toMatchObject({ role: 'img', 'aria-label': 'Cases by reason', viewBox: `0 0 440 ${3 * 24 + 12}` });
    expect(chart.children[0]).toEqual({ tag: 'title', attrs: {}, children: ['Cases by reason'] });
    expect(texts(chart.children[1]!)).toEqual(['3 bars, 23 in all: Defective 12, Not as described 8, Changed mind 3']);
  });

  it('keeps a zero bar as a row of zero length, and formats values as asked', () => {
    const chart = barChart([{ key: 'a', label: 'A', value: 0 }, { key: 'b', label: 'B', value: 0.5 }], { title: 'Rates', format: (v) => `${v * 100}%` });
    expect(bars(chart).map((rect) => num(rect, 'width'))).toEqual([0, 218]);
    expect(texts(chart)).toEqual(expect.arrayContaining(['0%', '50%']));
  });

  it('says there is no data instead of drawing empty or all-zero bars', () => {
    for (const empty of [[], [{ key: 'a', label: 'A', value: 0 }]]) {
      const chart = barChart(empty, { title: 'Escalations', emptyText: 'No escalations in this period' });
      expect(bars(chart)).toHaveLength(0);
      expect(texts(chart)).toContain('No escalations in this period');
      expect(num(chart, 'height')).toBeGreaterThan(0);
    }
  });

  it('cuts long labels on the axis but keeps them whole in the tooltip', () => {
    const long = 'An extraordinarily long product reason label';
    const chart = barChart([{ key: 'x', label: long, value: 1 }], { title: 'T' });
    const axis = findAll(chart, (e) => e.tag === 'text' && e.attrs['text-anchor'] === 'end')[0]!;
    expect(texts(axis)[0]).toBe('An extraordinarily long…');
    expect(texts(chart)).toContain(`${long}: 1`);
  });
});

describe('stacked bar chart (refunds per day by category)', () => {
  const series = Object.entries(CATEGORY_COLORS).map(([key, color]) => ({ key, label: key, color }));

  it('stacks each day’s categories with heights proportional to the values on a round axis', () => {
    const columns = [
      { key: '2026-11-01', label: '1 Nov', values: { defective: 2, wrong_item: 1 } },
      { key: '2026-11-02', label: '2 Nov', values: {} },
      { key: '2026-11-03', label: '3 Nov', values: { defective: 1, wrong_item: 2, other: 1 } },
    ];
    const chart = stackedBarChart(columns, series, { title: 'Per day', plotHeight: 200 });
    // max total 4 → axis 0..4 step 1; 200 px plot → 50 px per case.
    const segments = findAll(chart, (e) => e.tag === 'rect' && e.attrs['data-series'] !== undefined);
    expect(segments.map((s) => [s.attrs['data-series'], num(s, 'height')])).toEqual([
      ['defective', 100],
      ['wrong_item', 50],
      ['defective', 50],
      ['wrong_item', 100],
      ['other', 50],
    ]);
    // Stacked: each segment sits on the one below it, all on one baseline per column.
    const [d3, w3, o3] = segments.slice(2);
    const baseline = num(segments[0]!, 'y') + num(segments[0]!, 'height');
    expect(num(d3!, 'y') + num(d3!, 'height')).toBe(baseline);
    expect(num(w3!, 'y') + num(w3!, 'height')).toBe(num(d3!, 'y'));
    expect(num(o3!, 'y') + num(o3!, 'height')).toBe(num(w3!, 'y'));
    expect(num(o3!, 'y')).toBe(baseline - 200);
    // Column totals, the empty day included.
    expect(findAll(chart, (e) => e.attrs.class === 'column').map((c) => c.attrs['data-total'])).toEqual([3, 0, 4]);
    // Colours by category; the legend lists only categories that occur, in taxonomy order.
    expect(segments[0]!.attrs.fill).toBe(CATEGORY_COLORS.defective);
    expect(findAll(chart, (e) => e.attrs.class === 'legend').map((g) => g.attrs['data-key'])).toEqual(['defective', 'wrong_item', 'other']);
    expect(findAll(chart, (e) => e.attrs.class === 'tick').map((t) => texts(t)[0])).toEqual(['0', '1', '2', '3', '4']);
  });

  it('labels at most maxLabels days on the axis', () => {
    const stats = dashboardStats();
    const columns = stats.cases.byDay.map((d) => ({ key: d.day, label: d.day.slice(8), values: d.byCategory }));
    const chart = stackedBarChart(columns, series, { title: 'Per day', maxLabels: 5 });
    const labels = findAll(chart, (e) => e.attrs.class === 'day').map((t) => texts(t)[0]);
    // 14 days, every 3rd: 07, 10, 13, 16, 19.
    expect(labels).toEqual(['07', '10', '13', '16', '19']);
    const total = findAll(chart, (e) => e.attrs.class === 'column').reduce((sum, c) => sum + Number(c.attrs['data-total']), 0);
    expect(total).toBe(30);
  });

  it('says there is no data for an empty period or one without cases', () => {
    for (const columns of [[], [{ key: '2026-11-01', label: '1 Nov', values: {} }]]) {
      const chart = stackedBarChart(columns, series, { title: 'Per day', emptyText: 'No refund requests in this period' });
      expect(findAll(chart, (e) => e.attrs['data-series'] !== undefined)).toHaveLength(0);
      expect(texts(chart)).toContain('No refund requests in this period');
    }
  });
});

describe('niceScale', () => {
  it.each([
    [0, 1, 1],
    [3, 3, 1],
    [4, 4, 1],
    [7, 8, 2],
    [47, 60, 20],
    [1234, 1500, 500],
  ])('%d → axis to %d, step %d', (max, top, step) => {
    expect(niceScale(max)).toEqual({ max: top, step });
  });
});

describe('svg markup', () => {
  it('escapes labels and attribute values, so data can never become markup', () => {
    const chart = barChart([{ key: '"><script>', label: '<img src=x onerror=alert(1)> & "q"', value: 2 }], { title: 'Tom & <Jerry>' });
    const markup = svgMarkup(chart);
    expect(markup).not.toContain('<script');
    expect(markup).not.toContain('<img');
    expect(markup).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
    expect(markup).toContain('data-key="&quot;&gt;&lt;script&gt;"');
    expect(markup).toContain('<title>Tom &amp; &lt;Jerry&gt;</title>');
    expect(markup.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
  });

  it('refuses element and attribute names that are not names', () => {
    expect(() => svgMarkup({ tag: 'g onload=x', attrs: {}, children: [] })).toThrow('element name');
    expect(() => svgMarkup({ tag: 'g', attrs: { 'x"y': 1 }, children: [] })).toThrow('attribute name');
  });
});

describe('the modules served to the page', () => {
  it('are the same code as JavaScript, and draw the same charts', async () => {
    const modules = loadBrowserModules();
    const charts = (await import(`data:text/javascript,${encodeURIComponent(modules['charts.js'])}`)) as typeof import('../../src/insight/charts.ts');
    const format = (await import(`data:text/javascript,${encodeURIComponent(modules['format.js'])}`)) as typeof import('../../src/insight/format.ts');
    const data = [{ key: 'a', label: 'A & B', value: 3 }];
    expect(charts.barChart(data, { title: 't' })).toEqual(barChart(data, { title: 't' }));
    expect(format.formatMoney(123_450, 'CNY')).toBe('CNY 1,234.50');
  });

  it('may import only types (a runtime import could not load in the browser)', () => {
    expect(() => toBrowserModule("import { x } from './x.ts';\nexport const y = x;", 'bad.ts')).toThrow('may only import types');
    expect(() => toBrowserModule("export { x } from './x.ts';", 'bad.ts')).toThrow('may only import types');
    expect(toBrowserModule("import type { X } from './x.ts';\nexport const y: X = 1;", 'ok.ts')).toMatch(/export const y\s*= 1;/);
  });
});
