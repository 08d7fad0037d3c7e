import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TbpipeError } from '@tbpipe/core';
import { drawnSize, makeImageGrid, renderBarChart, renderPredictionsFigure } from '../src/index.ts';
import { decodePng, pngSize } from './png.ts';

const TITLE = { text: 'cat, 90.0%\n(label: cat)', correct: true };

/** An RGB image of `h` × `w`: left half pure red, right half pure blue. */
function redBlue(h: number, w: number): Uint8Array {
  const img = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  return img;
}

describe('renderPredictionsFigure with other shapes', () => {
  it('draws RGB images in their own colours, scaled by a whole factor into the 252-px cell', async () => {
    const shape = { height: 32, width: 32, channels: 3 };
    assert.deepEqual(drawnSize(shape), { width: 224, height: 224 });
    const png = await renderPredictionsFigure({ images: redBlue(32, 32), titles: [TITLE], shape });
    const px = await decodePng(png);
    // One image: a 36-px margin, the 224-px image centred in its 252-px cell, at the cell's bottom.
    const left = 36 + 14;
    const bottom = px.height - 24 - 1;
    assert.deepEqual(px.at(left + 10, bottom - 10), [255, 0, 0]);
    assert.deepEqual(px.at(left + 214, bottom - 10), [0, 0, 255]);
  });

  it('shrinks images larger than the cell to fit it, keeping the aspect ratio', async () => {
    assert.deepEqual(drawnSize({ height: 600, width: 300, channels: 3 }), { width: 126, height: 252 });
    assert.deepEqual(drawnSize({ height: 28, width: 28, channels: 1 }), { width: 252, height: 252 });
    const png = await renderPredictionsFigure({ images: [redBlue(600, 300)], titles: [TITLE], shape: { height: 600, width: 300, channels: 3 } });
    assert.deepEqual(pngSize(png).width, 2 * 36 + 252);
  });

  it('refuses images whose byte count does not fit the shape, naming the shape', async () => {
    await assert.rejects(renderPredictionsFigure({ images: [new Uint8Array(32 * 32)], titles: [TITLE], shape: { height: 32, width: 32, channels: 3 } }), (err: unknown) => {
      assert.ok(err instanceof TbpipeError);
      assert.equal(err.message, 'figures: image 0 has 1024 bytes, expected 3072 (32 × 32 × 3 uint8); pass raw 32 × 32 × 3 uint8 pixels, not normalized floats or padded images');
      return true;
    });
    await assert.rejects(renderPredictionsFigure({ images: [new Uint8Array(8)], titles: [TITLE], shape: { height: 2, width: 2, channels: 2 } }), {
      message: "figures: shape 2 × 2 × 2, expected height and width ≥ 1 and 1 or 3 channels; pass the images' shape from the images table",
    });
  });
});

describe('makeImageGrid', () => {
  it("lays out four 28 × 28 grey images as torchvision's 122 × 32 grid, grey repeated to RGB", () => {
    const pixels = Uint8Array.from({ length: 4 * 784 }, (_, i) => (i * 7) % 256);
    const grid = makeImageGrid(pixels, { height: 28, width: 28, channels: 1 });
    assert.deepEqual([grid.width, grid.height], [122, 32]);
    const at = (x: number, y: number) => [...grid.data.subarray((y * 122 + x) * 3, (y * 122 + x) * 3 + 3)];
    assert.deepEqual(at(0, 0), [0, 0, 0]);
    const v = pixels[784 + 3 * 28 + 5];
    assert.deepEqual(at(2 + 30 + 5, 2 + 3), [v, v, v]);
  });

  it('keeps the colours of RGB images of any size, 8 per row', () => {
    const one = redBlue(10, 6);
    const pixels = new Uint8Array(9 * one.length);
    for (let i = 0; i < 9; i++) pixels.set(one, i * one.length);
    const grid = makeImageGrid(pixels, { height: 10, width: 6, channels: 3 });
    assert.deepEqual([grid.width, grid.height], [8 * 8 + 2, 2 * 12 + 2]);
    const at = (x: number, y: number) => [...grid.data.subarray((y * grid.width + x) * 3, (y * grid.width + x) * 3 + 3)];
    assert.deepEqual(at(2, 2), [255, 0, 0]);
    assert.deepEqual(at(2 + 5, 2), [0, 0, 255]);
    assert.deepEqual(at(2, 14), [255, 0, 0], 'the ninth image starts the second row');
  });
});

describe('renderBarChart', () => {
  it('draws one bar per label, longest for the largest value, and is deterministic', async () => {
    const input = { labels: ['Shirt → T-shirt/top', 'Pullover → Coat'], values: [40, 10], title: 'Top confused pairs', xLabel: 'test images' };
    const png = await renderBarChart(input);
    assert.deepEqual(png, await renderBarChart(input));
    const px = await decodePng(png);
    const blue = (r: number, g: number, b: number) => r === 0x1f && g === 0x77 && b === 0xb4;
    const rows = [0, 1].map((i) => {
      let y = 0;
      for (let yy = 0; yy < px.height && !y; yy++) if (px.count(0, yy, px.width, yy + 1, blue) > 0) y = yy;
      return y + i * 24 + 8;
    });
    const [long, short] = rows.map((y) => px.count(0, y, px.width, y + 1, blue));
    assert.ok(long > 3.5 * short && long < 4.5 * short, `${long} vs ${short}`);
  });

  it('refuses no bars, mismatched lengths and negative values', async () => {
    await assert.rejects(renderBarChart({ labels: [], values: [], title: 't', xLabel: 'x' }), { message: 'figures: 0 bars, expected at least 1; pass one label and one value per bar' });
    await assert.rejects(renderBarChart({ labels: ['a'], values: [1, 2], title: 't', xLabel: 'x' }), { code: 'FIGURES_BAD_INPUT' });
    await assert.rejects(renderBarChart({ labels: ['a'], values: [-1], title: 't', xLabel: 'x' }), { message: 'figures: value 0 = -1, expected a finite number ≥ 0; pass counts or other non-negative values' });
  });
});
