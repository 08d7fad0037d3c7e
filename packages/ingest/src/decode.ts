/**
 * Decoding and resizing of encoded images (PNG, JPEG, WebP…) with sharp (libvips, prebuilt on npm). Chosen over
 * @napi-rs/canvas by measurement (README, "Decoding"): libvips decodes on the libuv thread pool and resizes and
 * converts colour in the same pass; canvas decodes on the main thread and needs an RGBA read-back.
 */
import sharp from 'sharp';
import type { ImageShape } from './contract.ts';

/** One decoded image: row-major HWC uint8. */
export interface DecodedImage extends ImageShape {
  pixels: Uint8Array;
}

// libvips caches decoded images by default; ingest touches each file once, so the cache only costs memory.
sharp.cache(false);

/**
 * An image's own size and channels from its header, without decoding the pixels: channels 1 for grey (with or
 * without alpha), 3 for anything in colour (alpha, palette and CMYK included).
 * @throws whatever sharp throws for data it cannot read (unsupported format, corrupt header).
 */
export async function probeImage(input: Uint8Array | string): Promise<ImageShape> {
  const meta = await sharp(input, { failOn: 'error' }).metadata();
  if (meta.width === undefined || meta.height === undefined) throw new Error('no image size in its header');
  const grey = (meta.channels ?? 3) <= 2 || meta.space === 'b-w' || meta.space === 'grey16';
  // The size once turned upright by its EXIF orientation (what decodeImage does).
  const upright = meta.autoOrient ?? { width: meta.width, height: meta.height };
  return { height: upright.height, width: upright.width, channels: grey ? 1 : 3 };
}

/**
 * Decode `input` (the encoded bytes, or a file path) to raw pixels with `channels` channels: turned upright by its
 * EXIF orientation, alpha dropped (as PIL's `convert('RGB')` in torchvision's ImageFolder does), converted to grey or
 * sRGB, and, when `size` is given, stretched to it with bilinear interpolation (as torchvision's `Resize((h, w))` and
 * Keras' `image_dataset_from_directory` do). Without `size` the image keeps its own; the caller checks it.
 * @throws whatever sharp throws for a file it cannot decode (unsupported format, truncated or corrupt data).
 */
export async function decodeImage(input: Uint8Array | string, channels: 1 | 3, size?: { height: number; width: number }): Promise<DecodedImage> {
  let image = sharp(input, { failOn: 'error' }).rotate().removeAlpha();
  if (size) image = image.resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
  const { data, info } = await image
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height: info.height, width: info.width, channels };
}
