/**
 * What ingest writes, as a contract its consumers import: the Arrow schema of `train.arrow` / `test.arrow`, its
 * metadata keys, and the ids of the images table and of the stage's output directory.
 */
import { CONTRACT_KEY } from '@tbpipe/core';
import { Field, FixedSizeBinary, Schema, Uint16, Uint8 } from 'apache-arrow';

/** An image's size: rows, columns and channels (1 = grey, 3 = RGB); pixels are stored row-major HWC. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** The tutorial's image height (FashionMNIST); a default for producers, never an assumption for consumers. */
export const IMAGE_HEIGHT = 28;
/** The tutorial's image width (FashionMNIST); a default for producers, never an assumption for consumers. */
export const IMAGE_WIDTH = 28;
/** The tutorial's image channels (grey). */
export const IMAGE_CHANNELS = 1;
/** Bytes per tutorial image (784); read `height × width × channels` from the data instead. */
export const IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH * IMAGE_CHANNELS;
/** The tutorial's shape, 28×28×1. */
export const TUTORIAL_SHAPE: Readonly<ImageShape> = { height: IMAGE_HEIGHT, width: IMAGE_WIDTH, channels: IMAGE_CHANNELS };
/** Classes of the IDX datasets (FashionMNIST, MNIST, KMNIST); read `classNames.length` from the data instead. */
export const CLASS_COUNT = 10;
/** FashionMNIST's classes as the tutorial names them (`'Ankle Boot'`, where torchvision has `'Ankle boot'`). */
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

/** Most classes an images table may have (labels are Uint16; 1 000 is what the stages downstream are built for). */
export const MAX_CLASSES = 65_536;
/** Most pixels per side ingest writes (a sanity bound: 4 096 × 4 096 × 3 is 48 MiB per image). */
export const MAX_IMAGE_SIDE = 4096;

/** Contract id of the images table, in its schema metadata under core's `CONTRACT_KEY`; bump on any change. */
export const IMAGES_CONTRACT = 'tbpipe.images/v2';
/** Contract id of ingest's output directory (its `manifest.json`); check it with `verifyManifest(dir, INGEST_CONTRACT)`. */
export const INGEST_CONTRACT = 'tbpipe.ingest/v2';
/** The training split's file in ingest's output directory. */
export const TRAIN_FILE = 'train.arrow';
/** The test split's file in ingest's output directory. */
export const TEST_FILE = 'test.arrow';

/** Schema metadata key: class names by label, a JSON array of strings. */
export const CLASS_NAMES_KEY = 'tbpipe.classNames';
/** Schema metadata key: the number of classes, a decimal string (`"10"`); equals the length of the class names. */
export const CLASS_COUNT_KEY = 'tbpipe.classCount';
/** Schema metadata key: image height in pixels, a decimal string (`"28"`). */
export const IMAGE_HEIGHT_KEY = 'tbpipe.imageHeight';
/** Schema metadata key: image width in pixels, a decimal string (`"28"`). */
export const IMAGE_WIDTH_KEY = 'tbpipe.imageWidth';
/** Schema metadata key: channels per pixel, a decimal string: `"1"` (grey) or `"3"` (RGB). */
export const IMAGE_CHANNELS_KEY = 'tbpipe.imageChannels';
/** Schema metadata key: the dataset's name (`fashion-mnist`, a folder's or table's base name…); informative. */
export const DATASET_KEY = 'tbpipe.dataset';

/** Whether `classCount` classes fit a Uint8 label column (else Uint16): the one rule behind the label helpers below. */
const narrowLabels = (classCount: number) => classCount <= 256;

/** The label column's type for `classCount` classes: the narrowest unsigned int that holds every index. */
export function labelType(classCount: number): Uint8 | Uint16 {
  return narrowLabels(classCount) ? new Uint8() : new Uint16();
}

/** A zeroed array of `length` labels in the array type of {@link labelType}`(classCount)`. */
export function newLabelArray(length: number, classCount: number): Uint8Array | Uint16Array {
  return narrowLabels(classCount) ? new Uint8Array(length) : new Uint16Array(length);
}

/** `labels` in the array type of {@link labelType}`(classCount)`: the same array when it already is, else a copy. */
export function toLabelArray(labels: Uint8Array | Uint16Array, classCount: number): Uint8Array | Uint16Array {
  const narrow = narrowLabels(classCount);
  if (narrow ? labels instanceof Uint8Array : labels instanceof Uint16Array) return labels;
  return narrow ? Uint8Array.from(labels) : Uint16Array.from(labels);
}

/** Bytes per image: `height × width × channels`. */
export function imageBytes(shape: ImageShape): number {
  return shape.height * shape.width * shape.channels;
}

/**
 * The schema of an images table (`tbpipe.images/v2`) for these class names and image shape.
 *
 * - `image`: `FixedSizeBinary(H·W·C)`, not null — one image, row-major HWC, one uint8 per channel.
 * - `label`: `Uint8` (≤ 256 classes) or `Uint16`, not null — the class index, `< classNames.length`.
 *
 * N.B. FixedSizeBinary rather than FixedSizeList<Uint8>: both write and read in the same time and both give a
 * zero-copy `Uint8Array` of all pixels, but FixedSizeBinary is one buffer with no child array (no child validity
 * to check or get wrong) and its per-row `get(i)` returns a `Uint8Array` view where FixedSizeList builds a Vector
 * per row. The cost is for Python readers: pyarrow sees `binary(H·W·C)`, read it with
 * `np.frombuffer(col.buffers()[1], np.uint8).reshape(-1, H, W, C)` rather than `to_numpy()`.
 */
export function imagesSchema(classNames: readonly string[], dataset: string, shape: ImageShape = TUTORIAL_SHAPE): Schema {
  return new Schema(
    [new Field('image', new FixedSizeBinary(imageBytes(shape)), false), new Field('label', labelType(classNames.length), false)],
    new Map([
      [CONTRACT_KEY, IMAGES_CONTRACT],
      [CLASS_NAMES_KEY, JSON.stringify(classNames)],
      [IMAGE_HEIGHT_KEY, String(shape.height)],
      [IMAGE_WIDTH_KEY, String(shape.width)],
      [IMAGE_CHANNELS_KEY, String(shape.channels)],
      [CLASS_COUNT_KEY, String(classNames.length)],
      [DATASET_KEY, dataset],
    ]),
  );
}

/**
 * The tutorial's images schema (`tbpipe.images/v2`, FashionMNIST, 28×28×1, 10 classes). Each file's own schema is
 * checked against the schema its metadata implies (`imagesSchema(classNames, dataset, shape)`), inside `readImages`.
 */
export const ImagesSchema: Schema = imagesSchema(FASHION_MNIST_CLASSES, 'fashion-mnist');
