import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom, TbpipeError } from '@tbpipe/core';
import { CATEGORICAL, categoricalColor, renderScatter, TAB10, type ScatterOptions } from '../src/index.ts';
import { layoutScatter } from '../src/scatter.ts';
import { decodePng, isInk, PNG_SIGNATURE, pngSize, rgbOf } from './png.ts';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

/** n points in 10 well-separated clusters on a circle, class k around angle k·36°, in class-interleaved order. */
function clusters(n: number): ScatterOptions {
  const random = createRandom(7);
  const points = new Float32Array(2 * n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels[i] = k;
    points[2 * i] = 10 * Math.cos((k * Math.PI) / 5) + random() - 0.5;
    points[2 * i + 1] = 10 * Math.sin((k * Math.PI) / 5) + random() - 0.5;
  }
  return { points, labels, classNames: CLASSES, title: 'Clusters', subtitle: `${n} points` };
}

const sameColour = (hex: string) => {
  const [R, G, B] = rgbOf(hex);
  return (r: number, g: number, b: number) => r === R && g === G && b === B;
};

describe('renderScatter', () => {
  it('returns a 900 × 640 PNG', async () => {
    const png = await renderScatter(clusters(100));
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    assert.deepEqual(pngSize(png), { width: 900, height: 640 });
  });

  it('returns identical bytes for identical input, also with 10 000 points', async () => {
    const input = clusters(10_000);
    assert.deepEqual(await renderScatter(input), await renderScatter(input));
  });

  it("draws each class's points in its tab10 colour inside the axes, and lists every class in the legend", async () => {
    const input = clusters(500);
    const layout = layoutScatter(input);
    const px = await decodePng(await renderScatter(input));
    const { left, top, axW, axH, legendLeft, legendW, legendH } = layout;
    TAB10.forEach((hex, k) => {
      const inAxes = px.count(left, top, left + axW, top + axH, sameColour(hex));
      const inLegend = px.count(legendLeft, top, legendLeft + legendW, top + legendH, sameColour(hex));
      assert.ok(inAxes > 200, `class ${k} (${hex}): ${inAxes} pixels in the axes`);
      assert.ok(inLegend > 20, `class ${k} (${hex}): ${inLegend} pixels in the legend marker`);
    });
    const text = (r: number, g: number, b: number) => r < 60 && g < 60 && b < 60;
    assert.ok(px.count(legendLeft, top, legendLeft + legendW, top + legendH, text) > 300, 'legend names');
  });

  it('draws 20 classes in 20 distinct colours, each in the axes and in the legend', async () => {
    const n = 2000;
    const names = Array.from({ length: 20 }, (_, k) => `class ${k}`);
    const random = createRandom(3);
    const labels = Uint16Array.from({ length: n }, (_, i) => i % 20);
    const points = Float32Array.from({ length: 2 * n }, (_, j) => {
      const k = labels[j >> 1];
      return (j % 2 === 0 ? 10 * Math.cos((k * Math.PI) / 10) : 10 * Math.sin((k * Math.PI) / 10)) + random() - 0.5;
    });
    const input = { points, labels, classNames: names, title: '20 classes' };
    const layout = layoutScatter(input);
    assert.equal(layout.legendRows.length, 20);
    const px = await decodePng(await renderScatter(input));
    assert.equal(new Set(names.map((_, k) => categoricalColor(k))).size, 20);
    names.forEach((_, k) => {
      const hex = categoricalColor(k);
      assert.ok(px.count(layout.left, layout.top, layout.left + layout.axW, layout.top + layout.axH, sameColour(hex)) > 100, `class ${k} (${hex}) in the axes`);
      assert.ok(px.count(layout.legendLeft, layout.top, layout.legendLeft + layout.legendW, layout.top + layout.legendH, sameColour(hex)) > 20, `class ${k} in the legend`);
    });
  });

  it('lists as many of 100 classes as fit beside the axes and says how many more there are', async () => {
    const names = Array.from({ length: 100 }, (_, k) => `c${k}`);
    const labels = Uint16Array.from({ length: 300 }, (_, i) => i % 100);
    const points = Float32Array.from({ length: 600 }, (_, j) => (j * 37) % 101);
    const layout = layoutScatter({ points, labels, classNames: names, title: '100 classes' });
    assert.ok(layout.top + layout.legendH <= layout.height, 'the legend fits in the figure');
    const more = layout.legendRows.at(-1)!;
    assert.equal(more, `… ${100 - (layout.legendRows.length - 1)} more classes`);
    const png = await renderScatter({ points, labels, classNames: names, title: '100 classes' });
    assert.deepEqual(pngSize(png), { width: 900, height: 640 });
  });

  it('keeps tab10 as the first 10 categorical colours and drops near-duplicates and near-white colours after them', () => {
    assert.deepEqual(CATEGORICAL.slice(0, 10), TAB10);
    assert.equal(CATEGORICAL.length, 39);
    assert.equal(new Set(CATEGORICAL).size, CATEGORICAL.length);
    assert.equal(categoricalColor(39), CATEGORICAL[0], 'colours repeat past the palette');
  });

  it('leaves a class absent from the data out of the axes but keeps it in the legend', async () => {
    const input = clusters(500);
    const labels = input.labels.map((l) => (l === 3 ? 4 : l));
    const layout = layoutScatter(input);
    const px = await decodePng(await renderScatter({ ...input, labels }));
    const { left, top, axW, axH, legendLeft, legendW, legendH } = layout;
    assert.equal(px.count(left, top, left + axW, top + axH, sameColour(TAB10[3])), 0);
    assert.ok(px.count(legendLeft, top, legendLeft + legendW, top + legendH, sameColour(TAB10[3])) > 20);
  });

  it('draws points in input order, so a later point covers an earlier one at the same place', async () => {
    const points = new Float32Array([0, 0, 1, 1, 0, 0]);
    const input = { points, labels: new Uint8Array([0, 1, 2]), classNames: ['a', 'b', 'c'], title: 'Order' };
    const { left, top, axW, axH, x0, x1, y0, y1 } = layoutScatter(input);
    const px = await decodePng(await renderScatter(input));
    const x = Math.round(left + ((0 - x0) / (x1 - x0)) * axW);
    const y = Math.round(top + axH - ((0 - y0) / (y1 - y0)) * axH);
    assert.deepEqual(px.at(x, y), rgbOf(TAB10[2]));
  });

  it('frames the axes with tick labels and draws the title above them', async () => {
    const input = clusters(100);
    const { left, top, axW, axH } = layoutScatter(input);
    const px = await decodePng(await renderScatter(input));
    const black = (r: number, g: number, b: number) => r < 30 && g < 30 && b < 30;
    assert.equal(px.count(left - 1, top + 10, left, top + axH - 10, black), axH - 20, 'left spine');
    assert.equal(px.count(left + 10, top + axH, left + axW - 10, top + axH + 1, black), axW - 20, 'bottom spine');
    assert.ok(px.count(0, top, left - 8, top + axH, isInk) > 100, 'y tick labels');
    assert.ok(px.count(left, top + axH + 8, left + axW, px.height, isInk) > 100, 'x tick labels');
    assert.ok(px.count(left, 0, left + axW, top - 4, black) > 100, 'title');
    assert.equal(px.count(0, 0, px.width, 8, isInk), 0, 'blank top margin');
  });

  const base = clusters(10);
  const cases: { name: string; input: Partial<ScatterOptions>; message: string }[] = [
    {
      name: 'no points',
      input: { points: new Float32Array(0), labels: new Uint8Array(0) },
      message:
        'figures: points of length 0, expected a positive even length (x, y pairs); pass n points as a Float32Array of 2n interleaved coordinates',
    },
    {
      name: 'an odd number of coordinates',
      input: { points: new Float32Array(19) },
      message:
        'figures: points of length 19, expected a positive even length (x, y pairs); pass n points as a Float32Array of 2n interleaved coordinates',
    },
    {
      name: 'fewer labels than points',
      input: { labels: new Uint8Array(9) },
      message: 'figures: 10 points and 9 labels, expected one label per point; pass labels.length === points.length / 2',
    },
    {
      name: 'a label without a class name',
      input: { labels: new Int32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]) },
      message: 'figures: label 10 at point 9, expected a class index in [0, 10); pass class indices that match classNames',
    },
    {
      name: 'a negative label',
      input: { labels: new Int32Array([0, -1, 2, 3, 4, 5, 6, 7, 8, 9]) },
      message: 'figures: label -1 at point 1, expected a class index in [0, 10); pass class indices that match classNames',
    },
    {
      name: 'a NaN coordinate',
      input: { points: Float32Array.from({ length: 20 }, (_, i) => (i === 5 ? Number.NaN : 0.5)) },
      message: 'figures: point 2 = (0.5, NaN), expected finite coordinates; drop or fix NaN/Infinity points before plotting',
    },
    {
      name: 'no class names',
      input: { classNames: [] },
      message: 'figures: 0 class names, expected at least 1; pass one name per class',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with a FiguresError saying what to do`, async () => {
      await assert.rejects(renderScatter({ ...base, ...c.input }), (err: unknown) => {
        assert.ok(err instanceof TbpipeError);
        assert.equal(err.code, 'FIGURES_BAD_INPUT');
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }
});
