/** Number of classes the network predicts. */
export const CLASS_COUNT = 10;

/** One subplot title of the `predictions vs. actuals` figure (the shape `@tbpipe/figures` draws). */
export interface PredictionTitle {
  text: string;
  /** Green when the prediction is right, red when wrong. */
  correct: boolean;
}

/**
 * Python's `'{:.1f}'.format(x)`. `toFixed` rounds the exact binary value like Python does, except at exact ties,
 * where Python rounds half to even and `toFixed` rounds up. x·10 ends in exactly .5 only when 4x is an odd integer
 * (e.g. 12.25 → Python "12.2", toFixed "12.3"); those are detected exactly (×4 and ×2 are exact) and rounded to even.
 */
export function formatFixed1(x: number): string {
  if (Number.isInteger(x * 4) && !Number.isInteger(x * 2)) {
    const scaled = x * 10; // exact: x = k/4, so 10x = 2.5k is representable
    const lower = Math.floor(scaled);
    return ((lower % 2 === 0 ? lower : lower + 1) / 10).toFixed(1);
  }
  return x.toFixed(1);
}

/**
 * The tutorial's `plot_classes_preds` titles for a batch: predicted class = argmax of the probabilities (first on
 * ties, like `torch.max`), its probability as a percentage, and the true label:
 * `"<pred class>, <prob·100 .1f>%\n(label: <true class>)"`.
 * @param probabilities count × 10 softmax outputs, row-major.
 */
export function describePredictions(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classNames: readonly string[],
): PredictionTitle[] {
  const titles: PredictionTitle[] = [];
  for (let k = 0; k < labels.length; k++) {
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) {
      if (probabilities[k * CLASS_COUNT + c]! > probabilities[k * CLASS_COUNT + best]!) best = c;
    }
    const percent = formatFixed1(probabilities[k * CLASS_COUNT + best]! * 100);
    const label = labels[k]!;
    titles.push({ text: `${classNames[best]}, ${percent}%\n(label: ${classNames[label]})`, correct: best === label });
  }
  return titles;
}
