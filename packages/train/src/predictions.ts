import { formatFixed1 } from '@tbpipe/core';

/** One subplot title of the `predictions vs. actuals` figure (the shape `@tbpipe/figures` draws). */
export interface PredictionTitle {
  text: string;
  /** Green when the prediction is right, red when wrong. */
  correct: boolean;
}

/**
 * The tutorial's `plot_classes_preds` titles for a batch: predicted class = argmax of the probabilities (first on
 * ties, like `torch.max`), its probability as a percentage, and the true label:
 * `"<pred class>, <prob·100 .1f>%\n(label: <true class>)"`.
 * @param probabilities count × classNames.length softmax outputs, row-major.
 */
export function describePredictions(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classNames: readonly string[],
): PredictionTitle[] {
  const titles: PredictionTitle[] = [];
  const K = classNames.length;
  for (let k = 0; k < labels.length; k++) {
    let best = 0;
    for (let c = 1; c < K; c++) {
      if (probabilities[k * K + c]! > probabilities[k * K + best]!) best = c;
    }
    const percent = formatFixed1(probabilities[k * K + best]! * 100);
    const label = labels[k]!;
    titles.push({ text: `${classNames[best]}, ${percent}%\n(label: ${classNames[label]})`, correct: best === label });
  }
  return titles;
}
