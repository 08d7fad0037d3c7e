/**
 * What ingest writes, as a contract its consumers import: the Arrow schema of `train.arrow` / `test.arrow`, its
 * metadata keys, and the ids of the images table and of the stage's output directory.
 */
import { CONTRACT_KEY } from '@tbpipe/core';
import { Field, FixedSizeBinary, Schema, Uint8 } from 'apache-arrow';

/** Image height in pixels; the only size the contract allows. */
export const IMAGE_HEIGHT = 28;
/** Image width in pixels; the only size the contract allows. */
export const IMAGE_WIDTH = 28;
/** Pixels per image (784). */
export const IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH;
/** Classes of every dataset ingest reads (FashionMNIST, MNIST, KMNIST): the width of a classifier's output. */
export const CLASS_COUNT = 10;
/** FashionMNIST's classes as the tutorial names them (`'Ankle Boot'`, where torchvision has `'Ankle boot'`). */
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

/** Contract id of the images table, in its schema metadata under core's `CONTRACT_KEY`; bump on any change. */
export const IMAGES_CONTRACT = 'fmnist.images/v1';
/** Contract id of ingest's output directory (its `manifest.json`); check it with `verifyManifest(dir, INGEST_CONTRACT)`. */
export const INGEST_CONTRACT = 'tbpipe.ingest/v1';
/** The training split's file in ingest's output directory. */
export const TRAIN_FILE = 'train.arrow';
/** The test split's file in ingest's output directory. */
export const TEST_FILE = 'test.arrow';

/** Schema metadata key: class names by label, a JSON array of strings. */
export const CLASS_NAMES_KEY = 'tbpipe.classNames';
/** Schema metadata key: image height in pixels, a decimal string (`"28"`). */
export const IMAGE_HEIGHT_KEY = 'tbpipe.imageHeight';
/** Schema metadata key: image width in pixels, a decimal string (`"28"`). */
export const IMAGE_WIDTH_KEY = 'tbpipe.imageWidth';
/** Schema metadata key: the dataset's name (`fashion-mnist`, `mnist`, `kmnist`); informative. */
export const DATASET_KEY = 'tbpipe.dataset';

/**
 * The schema of an images table for a dataset with these class names.
 *
 * - `image`: `FixedSizeBinary(784)`, not null — one 28×28 image, row-major, one uint8 per pixel (0 = background).
 * - `label`: `Uint8`, not null — the class index, `< classNames.length`.
 *
 * N.B. FixedSizeBinary rather than FixedSizeList<Uint8>[784]: both write and read in the same time and both give a
 * zero-copy `Uint8Array` of all pixels, but FixedSizeBinary is one buffer with no child array (no child validity
 * to check or get wrong) and its per-row `get(i)` returns a `Uint8Array` view where FixedSizeList builds a Vector
 * per row. The cost is for Python readers: pyarrow sees `binary(784)`, read it with
 * `np.frombuffer(col.buffers()[1], np.uint8).reshape(-1, 28, 28)` rather than `to_numpy()`.
 */
export function imagesSchema(classNames: readonly string[], dataset: string): Schema {
  return new Schema(
    [new Field('image', new FixedSizeBinary(IMAGE_PIXELS), false), new Field('label', new Uint8(), false)],
    new Map([
      [CONTRACT_KEY, IMAGES_CONTRACT],
      [CLASS_NAMES_KEY, JSON.stringify(classNames)],
      [IMAGE_HEIGHT_KEY, String(IMAGE_HEIGHT)],
      [IMAGE_WIDTH_KEY, String(IMAGE_WIDTH)],
      [DATASET_KEY, dataset],
    ]),
  );
}

/**
 * The images schema (`fmnist.images/v1`), with FashionMNIST's class names in its metadata. Consumers check a table
 * against it with `expectSchema(table, ImagesSchema, path)`, which compares the contract id and the fields (names,
 * types, nullability); class names, height and width are data, read from each file's own metadata.
 */
export const ImagesSchema: Schema = imagesSchema(FASHION_MNIST_CLASSES, 'fashion-mnist');
