import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TbpipeError } from '@tbpipe/core';
import { renderHeatmap, VIRIDIS, type HeatmapOptions } from '../src/index.ts';
import { layoutHeatmap } from '../src/heatmap.ts';
import { decodePng, isInk, PNG_SIGNATURE, pngSize } from './png.ts';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

function confusion(): number[][] {
  return CLASSES.map((_, r) => CLASSES.map((__, c) => (r === c ? 900 - r * 30 : (r * 7 + c * 3) % 40)));
}

const SMALL: HeatmapOptions = {
  matrix: [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
  ],
  rowLabels: ['a', 'b', 'c'],
  colLabels: ['x', 'y', 'z'],
  title: 'Nine values',
  xLabel: 'Predicted label',
  yLabel: 'True label',
};

const CONFUSION: HeatmapOptions = {
  matrix: confusion(),
  rowLabels: CLASSES,
  colLabels: CLASSES,
  title: 'Confusion matrix',
  xLabel: 'Predicted label',
  yLabel: 'True label',
};

describe('renderHeatmap', () => {
  it('returns a PNG sized to fit a 10 × 10 FashionMNIST confusion matrix with 48-px cells', async () => {
    const png = await renderHeatmap(CONFUSION);
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    const layout = layoutHeatmap(CONFUSION);
    assert.equal(layout.cellPx, 48);
    assert.deepEqual(pngSize(png), { width: layout.width, height: layout.height });
    assert.deepEqual(pngSize(png), { width: 690, height: 634 });
  });

  it('returns identical bytes for identical input', async () => {
    assert.deepEqual(await renderHeatmap(CONFUSION), await renderHeatmap(CONFUSION));
  });

  it('paints each cell the viridis colour of its value, one distinct colour per distinct value', async () => {
    const { left, top, cellPx } = layoutHeatmap(SMALL);
    const px = await decodePng(await renderHeatmap(SMALL));
    const seen = new Set<string>();
    SMALL.matrix.forEach((row, r) =>
      row.forEach((v, c) => {
        // A cell corner, away from the printed value.
        const colour = px.at(left + c * cellPx + 3, top + r * cellPx + 3);
        assert.deepEqual(colour, [...VIRIDIS[Math.min(255, Math.floor((v / 8) * 256))]], `cell ${r},${c}`);
        seen.add(colour.join());
      }),
    );
    assert.equal(seen.size, 9);
  });

  it('prints values in white on dark cells and in black on light cells', async () => {
    const { left, top, cellPx } = layoutHeatmap(SMALL);
    const px = await decodePng(await renderHeatmap(SMALL));
    const cell = (r: number, c: number, test: (r: number, g: number, b: number) => boolean) =>
      px.count(left + c * cellPx, top + r * cellPx, left + (c + 1) * cellPx, top + (r + 1) * cellPx, test);
    const white = (r: number, g: number, b: number) => r > 200 && g > 200 && b > 200;
    const black = (r: number, g: number, b: number) => r < 50 && g < 50 && b < 50;
    assert.ok(cell(0, 0, white) > 5, 'the darkest cell (0) has white text');
    assert.equal(cell(0, 0, black), 0);
    assert.ok(cell(2, 2, black) > 5, 'the lightest cell (8) has black text');
    assert.equal(cell(2, 2, white), 0);
  });

  it('draws a colour bar from the minimum (bottom) to the maximum (top) with tick labels beside it', async () => {
    const { colorbarLeft, colorbarWidthPx, top, matrixH, width } = layoutHeatmap(SMALL);
    const px = await decodePng(await renderHeatmap(SMALL));
    const x = colorbarLeft + colorbarWidthPx / 2;
    assert.deepEqual(px.at(x, top), [...VIRIDIS[255]]);
    assert.deepEqual(px.at(x, top + matrixH - 1), [...VIRIDIS[0]]);
    const colours = new Set<string>();
    for (let y = top; y < top + matrixH; y++) colours.add(px.at(x, y).join());
    assert.ok(colours.size > 100, `${colours.size} colours along the bar`);
    assert.ok(px.count(colorbarLeft + colorbarWidthPx + 8, top, width, top + matrixH, isInk) > 50, 'tick labels');
  });

  it('fits long class names: nothing touches the edge of the canvas', async () => {
    const long = CLASSES.map((c) => `${c} (extra long)`);
    const px = await decodePng(await renderHeatmap({ ...CONFUSION, rowLabels: long, colLabels: long }));
    const edge = 4;
    assert.equal(px.count(0, 0, px.width, edge, isInk), 0, 'top');
    assert.equal(px.count(0, px.height - edge, px.width, px.height, isInk), 0, 'bottom');
    assert.equal(px.count(0, 0, edge, px.height, isInk), 0, 'left');
    assert.equal(px.count(px.width - edge, 0, px.width, px.height, isInk), 0, 'right');
  });

  it('formats values with valueFormat when given, and with two decimals for fractions by default', async () => {
    const fractions = { ...SMALL, matrix: SMALL.matrix.map((row) => row.map((v) => v / 8)) };
    const a = await renderHeatmap(fractions);
    const b = await renderHeatmap({ ...fractions, valueFormat: (v) => v.toFixed(2) });
    const c = await renderHeatmap({ ...fractions, valueFormat: (v) => `${Math.round(v * 100)}%` });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('draws a matrix whose values are all equal in one colour with a single colour-bar tick', async () => {
    const flat = { ...SMALL, matrix: SMALL.matrix.map((row) => row.map(() => 0.5)) };
    const { left, top, cellPx, tickTexts } = layoutHeatmap(flat);
    assert.deepEqual(tickTexts, ['0.5']);
    const px = await decodePng(await renderHeatmap(flat));
    assert.deepEqual(px.at(left + 3, top + 3), px.at(left + 2 * cellPx + 3, top + 2 * cellPx + 3));
  });

  const cases: { name: string; input: Partial<HeatmapOptions>; message: string }[] = [
    {
      name: 'an empty matrix',
      input: { matrix: [], rowLabels: [], colLabels: [] },
      message: 'figures: a 0 × 0 matrix, expected at least 1 × 1; pass matrix[row][col] with one row per row label',
    },
    {
      name: 'fewer row labels than rows',
      input: { rowLabels: ['a', 'b'] },
      message: 'figures: 3 matrix rows and 2 row labels, expected one row label per row; pass as many rowLabels as the matrix has rows',
    },
    {
      name: 'a ragged row',
      input: { matrix: [[0, 1, 2], [3, 4], [6, 7, 8]] },
      message: 'figures: matrix row 1 with 2 values, expected 3 (one per column label); make every row as long as colLabels',
    },
    {
      name: 'a NaN value',
      input: { matrix: [[0, 1, 2], [3, Number.NaN, 5], [6, 7, 8]] },
      message: 'figures: matrix[1][1] = NaN, expected a finite number; replace NaN/Infinity before plotting',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with a FiguresError saying what to do`, async () => {
      await assert.rejects(renderHeatmap({ ...SMALL, ...c.input }), (err: unknown) => {
        assert.ok(err instanceof TbpipeError);
        assert.equal(err.code, 'FIGURES_BAD_INPUT');
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }
});
