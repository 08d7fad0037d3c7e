// Renders the README's example figures into docs/: `npx tsx packages/figures/scripts/render-examples.ts`.
// Uses FashionMNIST's test set when it is installed (FASHION_MNIST_DIR or Debian's dataset-fashion-mnist), else
// seeded synthetic data, so the script runs anywhere. The numbers are illustrative, not a real model's output.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRandom } from '@tbpipe/core';
import { categoricalColor, renderBarChart, renderHeatmap, renderPredictionsFigure, renderScatter } from '../src/index.ts';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];
const docs = new URL('../docs/', import.meta.url).pathname;
const random = createRandom(0);

function loadTestSet(): { images: Uint8Array; labels: Uint8Array } | undefined {
  const dir = [process.env.FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist'].find(
    (d) => d && existsSync(join(d, 't10k-images-idx3-ubyte.gz')),
  );
  if (!dir) return undefined;
  const images = gunzipSync(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz'))).subarray(16);
  const labels = gunzipSync(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'))).subarray(8);
  return { images: new Uint8Array(images), labels: new Uint8Array(labels) };
}

/** Stand-in images: a soft bright blob per class on black, like FashionMNIST's polarity. */
function syntheticSet(n: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    const cx = 8 + labels[i] * 1.2;
    for (let p = 0; p < 784; p++) {
      const d = Math.hypot((p % 28) - cx, Math.floor(p / 28) - 14) / (4 + (labels[i] % 5));
      images[i * 784 + p] = Math.max(0, Math.min(255, Math.round(255 * Math.exp(-d * d) + 20 * random())));
    }
  }
  return { images, labels };
}

/** The top two principal components of `images` (power iteration with deflation), as n × 2 coordinates. */
function pca2(images: Uint8Array, n: number): Float32Array {
  const d = 784;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += images[i * d + j] / 255 / n;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = images[i * d + j] / 255 - mean[j];
  const out = new Float32Array(n * 2);
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: d }, () => random() - 0.5);
    for (let it = 0; it < 60; it++) {
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[i * d + j] * v[j];
        for (let j = 0; j < d; j++) w[j] += s * x[i * d + j];
      }
      for (const u of comps) {
        let s = 0;
        for (let j = 0; j < d; j++) s += w[j] * u[j];
        for (let j = 0; j < d; j++) w[j] -= s * u[j];
      }
      const norm = Math.hypot(...w);
      v = w.map((a) => a / norm);
    }
    comps.push(v);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * v[j];
      out[i * 2 + c] = s;
    }
  }
  return out;
}

/** A plausible 1-epoch confusion matrix: the per-class accuracies measured for the tutorial's CNN. */
function confusionMatrix(): number[][] {
  const correct = [814, 965, 598, 811, 771, 969, 607, 879, 963, 953];
  const confusedWith: number[][] = [[6, 3, 2], [3, 0], [4, 6, 0], [0, 4, 1], [2, 6, 3], [7, 9], [0, 2, 4], [5, 9], [6, 0], [7, 5]];
  return correct.map((ok, r) => {
    const row = new Array<number>(10).fill(0);
    row[r] = ok;
    let rest = 1000 - ok;
    confusedWith[r].forEach((c, k) => {
      const share = k === confusedWith[r].length - 1 ? rest : Math.round(rest * (0.55 + 0.2 * random()));
      row[c] += share;
      rest -= share;
    });
    return row;
  });
}

const data = loadTestSet() ?? syntheticSet(2000);
mkdirSync(docs, { recursive: true });

const picks = [0, 1, 2, 3];
const preds = [
  { p: 9, conf: 97.3 },
  { p: 2, conf: 88.1 },
  { p: 1, conf: 99.9 },
  { p: 6, conf: 54.6 },
];
const titles = picks.map((i, k) => {
  const label = data.labels[i];
  const pred = k === 3 && label === preds[k].p ? (label + 1) % 10 : k === 3 ? preds[k].p : label;
  return { text: `${CLASSES[pred]}, ${preds[k].conf.toFixed(1)}%\n(label: ${CLASSES[label]})`, correct: pred === label };
});
writeFileSync(
  join(docs, 'predictions.png'),
  await renderPredictionsFigure({ images: data.images.subarray(0, 4 * 784), titles }),
);

writeFileSync(
  join(docs, 'confusion-matrix.png'),
  await renderHeatmap({
    matrix: confusionMatrix(),
    rowLabels: CLASSES,
    colLabels: CLASSES,
    title: 'Confusion matrix (test set, 1 epoch)',
    xLabel: 'Predicted label',
    yLabel: 'True label',
  }),
);

const n = Math.min(1000, data.labels.length);
const points = pca2(data.images, n);
writeFileSync(
  join(docs, 'scatter.png'),
  await renderScatter({
    points,
    labels: data.labels.subarray(0, n),
    classNames: CLASSES,
    title: 'FashionMNIST test images, PCA',
    subtitle: `${n.toLocaleString('en-US')} images, first two principal components of the pixels`,
    xLabel: 'PC 1',
    yLabel: 'PC 2',
  }),
);
// RGB: the same four garments, each tinted with its class's categorical colour and padded to 32 × 32 × 3.
const rgb = new Uint8Array(4 * 32 * 32 * 3).fill(255);
for (let k = 0; k < 4; k++) {
  const hex = categoricalColor(data.labels[k]);
  const tint = [1, 3, 5].map((o) => Number.parseInt(hex.slice(o, o + 2), 16) / 255);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = data.images[k * 784 + y * 28 + x];
      for (let c = 0; c < 3; c++) rgb[((k * 32 + y + 2) * 32 + x + 2) * 3 + c] = Math.round(255 - v * (1 - tint[c]));
    }
  }
}
writeFileSync(join(docs, 'predictions-rgb.png'), await renderPredictionsFigure({ images: rgb, titles, shape: { height: 32, width: 32, channels: 3 } }));

// 40 classes: seeded clusters on a spiral, coloured by the categorical palette (39 distinct colours, then repeats).
const spiral = createRandom(4);
const many = 40;
const count = 4000;
const manyLabels = Uint16Array.from({ length: count }, (_, i) => i % many);
const manyPoints = new Float32Array(2 * count);
for (let i = 0; i < count; i++) {
  const c = manyLabels[i];
  const angle = c * 0.55;
  const radius = 2 + c * 0.5;
  manyPoints[2 * i] = radius * Math.cos(angle) + (spiral() - 0.5) * 1.2;
  manyPoints[2 * i + 1] = radius * Math.sin(angle) + (spiral() - 0.5) * 1.2;
}
writeFileSync(
  join(docs, 'scatter-40.png'),
  await renderScatter({
    points: manyPoints,
    labels: manyLabels,
    classNames: Array.from({ length: many }, (_, c) => `class ${c}`),
    title: '40 classes',
    subtitle: 'seeded clusters; the legend lists what fits',
  }),
);

writeFileSync(
  join(docs, 'confused-pairs.png'),
  await renderBarChart({
    labels: ['Shirt → T-shirt/top', 'Pullover → Coat', 'Coat → Pullover', 'T-shirt/top → Shirt', 'Shirt → Pullover', 'Sneaker → Sandal'],
    values: [182, 117, 96, 88, 75, 41],
    valueTexts: ['182 (18.2 %)', '117 (11.7 %)', '96 (9.6 %)', '88 (8.8 %)', '75 (7.5 %)', '41 (4.1 %)'],
    title: 'Top confused pairs, true → predicted',
    subtitle: 'evaluate draws this instead of the matrix above 30 classes (illustrative numbers)',
    xLabel: 'test images (share of the true class)',
  }),
);
console.log(`wrote predictions.png, confusion-matrix.png, scatter.png, predictions-rgb.png, scatter-40.png, confused-pairs.png to ${docs}`);
