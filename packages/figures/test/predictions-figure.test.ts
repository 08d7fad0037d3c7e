import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TbpipeError } from '@tbpipe/core';
import { renderPredictionsFigure, type PredictionTitle } from '../src/index.ts';
import { decodePng, isGreen, isInk, isRed, PNG_SIGNATURE, pngSize } from './png.ts';

// The layout the figure promises for 4 images with two-line titles (see LAYOUT in src/predictions-figure.ts).
const SIDE = 252;
const MARGIN = 36;
const GAP = 40;
const IMAGE_TOP = 80;
const panelLeft = (i: number) => MARGIN + i * (SIDE + GAP);

/** Four distinct test images: a bright square on black, shifted per image. */
function images(): Uint8Array[] {
  return [0, 1, 2, 3].map((k) => {
    const img = new Uint8Array(784);
    for (let y = 6; y < 20; y++) for (let x = 4 + k * 2; x < 14 + k * 2; x++) img[y * 28 + x] = 200 + k * 10;
    return img;
  });
}

const TITLES: PredictionTitle[] = [
  { text: 'Sneaker, 97.3%\n(label: Sneaker)', correct: true },
  { text: 'T-shirt/top, 64.0%\n(label: T-shirt/top)', correct: true },
  { text: 'Ankle Boot, 99.9%\n(label: Ankle Boot)', correct: true },
  { text: 'Shirt, 51.2%\n(label: Pullover)', correct: false },
];

describe('renderPredictionsFigure', () => {
  it('returns a 1200 × 356 PNG for four images with two-line titles', async () => {
    const png = await renderPredictionsFigure({ images: images(), titles: TITLES });
    assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
    assert.deepEqual(pngSize(png), { width: 1200, height: 356 });
  });

  it('returns identical bytes for identical input', async () => {
    const a = await renderPredictionsFigure({ images: images(), titles: TITLES });
    const b = await renderPredictionsFigure({ images: images(), titles: TITLES });
    assert.deepEqual(a, b);
  });

  it('accepts the images back to back in one Uint8Array and draws the same figure', async () => {
    const separate = await renderPredictionsFigure({ images: images(), titles: TITLES });
    const joined = new Uint8Array(4 * 784);
    images().forEach((img, i) => joined.set(img, i * 784));
    assert.deepEqual(await renderPredictionsFigure({ images: joined, titles: TITLES }), separate);
  });

  it('draws correct titles in green and the wrong one in red, only above their own image', async () => {
    const px = await decodePng(await renderPredictionsFigure({ images: images(), titles: TITLES }));
    for (let i = 0; i < 4; i++) {
      const green = px.count(panelLeft(i) - GAP / 2, 0, panelLeft(i) + SIDE + GAP / 2, IMAGE_TOP, isGreen);
      const red = px.count(panelLeft(i) - GAP / 2, 0, panelLeft(i) + SIDE + GAP / 2, IMAGE_TOP, isRed);
      if (TITLES[i].correct) {
        assert.ok(green > 200, `title ${i}: ${green} green pixels`);
        assert.equal(red, 0, `title ${i}: red pixels`);
      } else {
        assert.ok(red > 200, `title ${i}: ${red} red pixels`);
        assert.equal(green, 0, `title ${i}: green pixels`);
      }
    }
    const coloured = (r: number, g: number, b: number) => isGreen(r, g, b) || isRed(r, g, b);
    assert.equal(px.count(0, IMAGE_TOP, px.width, px.height, coloured), 0, 'no title colour on or below the images');
    assert.equal(px.count(0, 0, px.width, 12, isInk), 0, 'the top margin is blank');
  });

  it('shows each image in Greys like the tutorial: its brightest pixel black, its darkest white, nearest-neighbour', async () => {
    const img = new Uint8Array(784).fill(10);
    img[0] = 250; // top-left pixel, 9 × 9 output pixels
    const px = await decodePng(
      await renderPredictionsFigure({ images: [img], titles: [{ text: 'Bag, 50.0%\n(label: Bag)', correct: true }] }),
    );
    const left = MARGIN;
    assert.deepEqual(px.at(left, IMAGE_TOP), [0, 0, 0]);
    assert.deepEqual(px.at(left + 8, IMAGE_TOP + 8), [0, 0, 0]);
    assert.deepEqual(px.at(left + 9, IMAGE_TOP + 9), [255, 255, 255]);
    assert.deepEqual(px.at(left + SIDE - 1, IMAGE_TOP + SIDE - 1), [255, 255, 255]);
    assert.deepEqual(px.at(left - 1, IMAGE_TOP + 100), [0, 0, 0], 'axes frame left of the image');
    assert.deepEqual(pngSize(await renderPredictionsFigure({ images: [img], titles: [TITLES[0]] })), {
      width: 2 * MARGIN + SIDE,
      height: 356,
    });
  });

  it('wraps images into rows of `columns`, each row titled above its own images', async () => {
    const sixteen = Array.from({ length: 4 }, () => images()).flat();
    const titles = Array.from({ length: 16 }, (_, i) => ({ ...TITLES[i % 4]!, correct: i !== 5 }));
    const png = await renderPredictionsFigure({ images: sixteen, titles, columns: 4 });
    assert.deepEqual(pngSize(png), { width: 1200, height: 356 + 3 * 332 });
    const px = await decodePng(png);
    const rowTop = (r: number) => r * 332; // each row: its titles, then its images 80 px below the row's top
    // Image 5 (row 1, column 1) is the only wrong one: red above it, nowhere else.
    const red = (x0: number, y0: number, x1: number, y1: number) => px.count(x0, y0, x1, y1, isRed);
    assert.ok(red(panelLeft(1) - GAP / 2, rowTop(1), panelLeft(1) + SIDE + GAP / 2, rowTop(1) + IMAGE_TOP) > 200);
    assert.equal(red(0, 0, px.width, rowTop(1)), 0, 'no red in row 0');
    assert.equal(red(0, rowTop(2), px.width, px.height), 0, 'no red in rows 2 and 3');
    assert.ok(px.count(panelLeft(3), rowTop(3), panelLeft(3) + SIDE, rowTop(3) + IMAGE_TOP, isGreen) > 200, 'last title');
    assert.deepEqual(px.at(panelLeft(0) - 1, rowTop(3) + IMAGE_TOP + 100), [0, 0, 0], 'frame of the first image of row 3');
  });

  it('draws one row, byte for byte the default layout, when columns is at least the image count', async () => {
    const row = await renderPredictionsFigure({ images: images(), titles: TITLES });
    assert.deepEqual(await renderPredictionsFigure({ images: images(), titles: TITLES, columns: 4 }), row);
    assert.deepEqual(await renderPredictionsFigure({ images: images(), titles: TITLES, columns: 16 }), row);
  });

  const one = new Uint8Array(784);
  const cases: { name: string; input: Parameters<typeof renderPredictionsFigure>[0]; message: string }[] = [
    {
      name: 'an image that is not 28 × 28',
      input: { images: [one, new Uint8Array(783)], titles: TITLES.slice(0, 2) },
      message:
        'figures: image 1 has 783 bytes, expected 784 (28 × 28 uint8); pass raw 28 × 28 uint8 pixels, not normalized floats or padded images',
    },
    {
      name: 'joined images whose length is not a multiple of 784',
      input: { images: new Uint8Array(1000), titles: TITLES.slice(0, 1) },
      message:
        'figures: images has 1000 bytes, expected a positive multiple of 784 (28 × 28 uint8 per image); pass raw 28 × 28 uint8 images back to back, or one Uint8Array per image',
    },
    {
      name: 'no images',
      input: { images: [], titles: [] },
      message: 'figures: 0 images, expected at least 1; pass the images to plot (the tutorial plots 4)',
    },
    {
      name: 'no joined images',
      input: { images: new Uint8Array(0), titles: [] },
      message:
        'figures: images has 0 bytes, expected a positive multiple of 784 (28 × 28 uint8 per image); pass raw 28 × 28 uint8 images back to back, or one Uint8Array per image',
    },
    {
      name: 'fewer titles than images',
      input: { images: [one, one], titles: TITLES.slice(0, 1) },
      message: 'figures: 2 images and 1 titles, expected one title per image; build one { text, correct } title for every image plotted',
    },
    {
      name: 'zero columns',
      input: { images: [one], titles: TITLES.slice(0, 1), columns: 0 },
      message: 'figures: columns is 0, expected an integer ≥ 1; pass the number of images per row, or leave it out for one row',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with a FiguresError saying what to do`, async () => {
      await assert.rejects(renderPredictionsFigure(c.input), (err: unknown) => {
        assert.ok(err instanceof TbpipeError);
        assert.equal(err.name, 'FiguresError');
        assert.equal(err.code, 'FIGURES_BAD_INPUT');
        assert.equal(err.message, c.message);
        return true;
      });
    });
  }
});
