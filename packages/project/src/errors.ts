import { TbpipeError } from '@tbpipe/core/errors';

/** Base of the project stage's user-fixable failures; `code` is stable. */
export class ProjectError extends TbpipeError {}

const tooManyMessage = (what: string, flag: string, wanted: number, available: number, source: string) =>
  `project: --${flag} ${wanted} but ${source} has ${available} ${what}, expected at most ${available}; lower --${flag}`;

const widthMessage = (what: string, width: number, expected: number, source: string) =>
  `project: ${what} in ${source} are ${width} values wide, expected ${expected}; rerun the stage that wrote ${source}`;

const emptyMessage = (what: string, source: string) =>
  `project: ${source} has 0 ${what}, expected at least 1; rerun the stage that wrote ${source}`;

const tooFewMessage = (points: number, neighbors: number) =>
  `project: ${points} points for --umap-neighbors ${neighbors}, expected more points than neighbours; ` +
  'raise --feature-points or lower --umap-neighbors';

/** A sample size asks for more rows than the input has (e.g. `--feature-points 20000` with 10 000 test images). */
export class SampleTooLargeError extends ProjectError {
  constructor(what: string, flag: string, wanted: number, available: number, source: string) {
    super('PROJECT_SAMPLE_TOO_LARGE', tooManyMessage(what, flag, wanted, available, source));
  }
}

/** An input holds no rows at all. */
export class EmptyInputError extends ProjectError {
  constructor(what: string, source: string) {
    super('PROJECT_EMPTY_INPUT', emptyMessage(what, source));
  }
}

/** Feature vectors or images have a width other than the one the contract promises. */
export class WidthMismatchError extends ProjectError {
  constructor(what: string, width: number, expected: number, source: string) {
    super('PROJECT_WIDTH_MISMATCH', widthMessage(what, width, expected, source));
  }
}

/** UMAP needs strictly more points than neighbours. */
export class TooFewPointsError extends ProjectError {
  constructor(points: number, neighbors: number) {
    super('PROJECT_TOO_FEW_POINTS', tooFewMessage(points, neighbors));
  }
}

/** The predictions and the images name other classes (another dataset, or another order). */
export class ClassMismatchError extends ProjectError {
  constructor(predictionsPath: string, predicted: readonly string[], imagesPath: string, classes: readonly string[]) {
    const list = (names: readonly string[]) => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, … ${names.length - 10} more`);
    super(
      'PROJECT_CLASS_MISMATCH',
      `project: ${predictionsPath} has classes [${list(predicted)}] but ${imagesPath} has [${list(classes)}], expected the same classes in the same order; ` +
        'project the predictions of the dataset given as --data',
    );
  }
}

/** No `--data` and predictions without features: no point set to project. */
export class NothingToProjectError extends ProjectError {
  constructor(predictionsPath: string) {
    super(
      'PROJECT_NOTHING_TO_PROJECT',
      `project: ${predictionsPath} has no features column and no --data was given, expected features (or images) to project; ` +
        'add a features column to the predictions, or pass --data',
    );
  }
}

/** A combination of inputs the stage cannot run on (e.g. `--data` and `--pixels`, or `--pixels` without predictions). */
export class InputCombinationError extends ProjectError {
  constructor(seen: string, expected: string, todo: string) {
    super('PROJECT_INPUTS', `project: ${seen}, expected ${expected}; ${todo}`);
  }
}

/** `--pixels` was made with other params or from other test rows than this run's: its layouts would not match. */
export class PixelsMismatchError extends ProjectError {
  constructor(pixelsDir: string, seen: string, expected: string, todo: string) {
    super('PROJECT_PIXELS_MISMATCH', `project: --pixels ${pixelsDir} ${seen}, expected ${expected}; ${todo}`);
  }
}
