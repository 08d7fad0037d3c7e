/**
 * The IDX format of MNIST and its successors (http://yann.lecun.com/exdb/mnist/): a big-endian header — magic
 * `0x0000TTNN` (TT = element type, 0x08 for unsigned bytes; NN = number of dimensions), then NN uint32 sizes — and
 * the elements in row-major order. Decoding returns views into the input, never copies.
 */
import { IMAGE_HEIGHT, IMAGE_WIDTH, MAX_IMAGE_SIDE } from './contract.ts';
import { IdxError } from './errors.ts';

/** Magic of an IDX file of unsigned-byte images: type 0x08, 3 dimensions (count, rows, columns). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic of an IDX file of unsigned-byte labels: type 0x08, 1 dimension (count). */
export const IDX_LABELS_MAGIC = 0x00000801;

const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const kind = (magic: number) => (magic === IDX_IMAGES_MAGIC ? 'images' : 'labels');

const badMagic = (name: string, got: number, want: number) => {
  const other = want === IDX_IMAGES_MAGIC ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC;
  const hint = got === other ? 'are the images and labels files swapped?' : 'is it an IDX file of unsigned bytes?';
  return `idx: magic ${hex(got)} in ${name}, expected ${hex(want)} (${kind(want)}); ${hint}`;
};
const tooShort = (name: string, got: number, want: number, what: string) =>
  `idx: ${name} is ${got} bytes, expected at least ${want} (the IDX ${what} header); the file is truncated or empty — download or copy it again`;
const badDimensions = (name: string, height: number, width: number) =>
  `idx: images of ${height}×${width} in ${name}, expected 1…${MAX_IMAGE_SIDE} pixels per side; the header is damaged or this is not an images file`;
const truncated = (name: string, got: number, want: number, what: string) =>
  `idx: ${name} holds ${got} bytes of ${what}, expected ${want} from its header; the file is truncated — download or copy it again`;
const trailing = (name: string, extra: number, what: string) =>
  `idx: ${name} has ${extra} bytes after its ${what}, expected none; the header's count is wrong or the file is not one IDX file`;
const countMismatch = (labelsName: string, labels: number, imagesName: string, images: number) =>
  `idx: ${labelsName} has ${labels} labels, expected ${images} (one per image in ${imagesName}); the two files come from different splits or datasets`;
const labelOutOfRange = (name: string, label: number, index: number, classes: number, dataset: string) =>
  dataset.startsWith('--')
    ? `idx: label ${label} at index ${index} in ${name}, expected 0…${classes - 1} (${classes} names in ${dataset}); give a name for every class`
    : `idx: label ${label} at index ${index} in ${name}, expected 0…${classes - 1} (${classes} ${dataset} classes); is --dataset right for these files, or do they need --class-names?`;

/** Decoded IDX images: `count` row-major `height × width` uint8 images back to back. */
export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** `count × height × width` bytes, a view into the decoded input. */
  pixels: Uint8Array;
}

function magicOf(bytes: Uint8Array, name: string, want: number, headerBytes: number, what: string): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new IdxError('IDX_TOO_SHORT', tooShort(name, bytes.length, headerBytes, what));
  const magic = view.getUint32(0, false);
  if (magic !== want) throw new IdxError('IDX_BAD_MAGIC', badMagic(name, magic, want));
  if (bytes.length < headerBytes) throw new IdxError('IDX_TOO_SHORT', tooShort(name, bytes.length, headerBytes, what));
  return view;
}

/**
 * Decode an IDX images file (magic `0x00000803`) of grey images of any size its header declares (1…4 096 per side).
 * Checks magic, dimensions and that the body is exactly as long as the header says.
 * @param name the file's name, for messages.
 * @throws {IdxError} `IDX_TOO_SHORT`, `IDX_BAD_MAGIC`, `IDX_BAD_DIMENSIONS`, `IDX_TRUNCATED`, `IDX_TRAILING_BYTES`.
 */
export function decodeIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const view = magicOf(bytes, name, IDX_IMAGES_MAGIC, IMAGES_HEADER_BYTES, 'images');
  const count = view.getUint32(4, false);
  const height = view.getUint32(8, false);
  const width = view.getUint32(12, false);
  const sane = (n: number) => n >= 1 && n <= MAX_IMAGE_SIDE;
  if (!sane(height) || !sane(width)) throw new IdxError('IDX_BAD_DIMENSIONS', badDimensions(name, height, width));
  const want = count * height * width;
  const got = bytes.length - IMAGES_HEADER_BYTES;
  if (got < want) throw new IdxError('IDX_TRUNCATED', truncated(name, got, want, `pixels (${count} images of ${height}×${width})`));
  if (got > want) throw new IdxError('IDX_TRAILING_BYTES', trailing(name, got - want, `${count} images`));
  return { count, height, width, pixels: bytes.subarray(IMAGES_HEADER_BYTES) };
}

/**
 * Decode an IDX labels file (magic `0x00000801`): one uint8 per item, a view into `bytes`.
 * @param name the file's name, for messages.
 * @throws {IdxError} `IDX_TOO_SHORT`, `IDX_BAD_MAGIC`, `IDX_TRUNCATED`, `IDX_TRAILING_BYTES`.
 */
export function decodeIdxLabels(bytes: Uint8Array, name: string): Uint8Array {
  const view = magicOf(bytes, name, IDX_LABELS_MAGIC, LABELS_HEADER_BYTES, 'labels');
  const count = view.getUint32(4, false);
  const got = bytes.length - LABELS_HEADER_BYTES;
  if (got < count) throw new IdxError('IDX_TRUNCATED', truncated(name, got, count, `labels (${count} labels)`));
  if (got > count) throw new IdxError('IDX_TRAILING_BYTES', trailing(name, got - count, `${count} labels`));
  return bytes.subarray(LABELS_HEADER_BYTES);
}

/**
 * Check that a split's labels pair with its images (one each) and are valid class indices.
 * @param dataset the dataset's name, or the flag that gave the class names (`--class-names`), for the message.
 * @throws {IdxError} `IDX_COUNT_MISMATCH`, `IDX_LABEL_OUT_OF_RANGE` (naming the first bad label and its index).
 */
export function checkSplit(
  images: { count: number; name: string },
  labels: { values: Uint8Array; name: string },
  classCount: number,
  dataset: string,
): void {
  if (labels.values.length !== images.count) {
    throw new IdxError('IDX_COUNT_MISMATCH', countMismatch(labels.name, labels.values.length, images.name, images.count));
  }
  const values = labels.values;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! >= classCount) {
      throw new IdxError('IDX_LABEL_OUT_OF_RANGE', labelOutOfRange(labels.name, values[i]!, i, classCount, dataset));
    }
  }
}

/**
 * Encode images as an IDX images file (the inverse of {@link decodeIdxImages}); for fixtures and tests.
 * @param pixels `count × height × width` bytes, row-major.
 */
export function encodeIdxImages(pixels: Uint8Array, count: number, height = IMAGE_HEIGHT, width = IMAGE_WIDTH): Uint8Array {
  if (pixels.length !== count * height * width) {
    throw new RangeError(`encodeIdxImages: ${pixels.length} pixels, expected ${count} × ${height} × ${width}`);
  }
  const out = new Uint8Array(IMAGES_HEADER_BYTES + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_IMAGES_MAGIC, false);
  view.setUint32(4, count, false);
  view.setUint32(8, height, false);
  view.setUint32(12, width, false);
  out.set(pixels, IMAGES_HEADER_BYTES);
  return out;
}

/** Encode labels as an IDX labels file (the inverse of {@link decodeIdxLabels}); for fixtures and tests. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(LABELS_HEADER_BYTES + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, LABELS_HEADER_BYTES);
  return out;
}
