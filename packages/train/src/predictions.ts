import { formatFixed1 } from '@tbpipe/core';
import { CLASS_COUNT } from '@tbpipe/ingest/contract';

/** Number of classes the network predicts: ingest's class count. */
export { CLASS_COUNT };

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
