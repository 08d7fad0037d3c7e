import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { createRandom } from '@tbpipe/core';
import { checkChannels, parseImageSize } from '../class-names.ts';
import { SourceError } from '../errors.ts';
import { pickSplit, stratifiedSplit } from '../split.ts';
import { decodeAll, type EncodedItem } from './decode-all.ts';
import type { LoadedData, SourceOptions } from './loaded.ts';

/** File extensions read as images (case-insensitive), as in torchvision's ImageFolder and Keras. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;
const EXTENSIONS = IMAGE_EXTENSIONS.join(', ');

const isImage = (name: string) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));

/** One tree: sorted class folders, and per class its image files (recursively, sorted). */
interface Tree {
  dir: string;
  classes: string[];
  files: string[][];
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Image files under `dir`, recursively (symlinked folders followed, as torchvision does), sorted by path. */
async function imagesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(path)))) await walk(path);
      else if (isImage(entry.name)) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Read one tree: every sub-folder is a class (sorted by name, as torchvision's ImageFolder and Keras do); each must
 * hold at least one image, and there must be at least `minClasses`.
 */
async function readTree(dir: string, flag: string, minClasses = 2): Promise<Tree> {
  const entries = await readdir(dir, { withFileTypes: true });
  const classes: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(join(dir, entry.name))))) classes.push(entry.name);
  }
  classes.sort();
  const files = await Promise.all(classes.map((c) => imagesUnder(join(dir, c))));
  const total = files.reduce((s, f) => s + f.length, 0);
  if (total === 0) {
    throw new SourceError(
      'SOURCE_NO_IMAGES',
      `folder: ${flag} ${dir} has ${classes.length} class folders and no images, expected ${dir}/<class>/<image> files (${EXTENSIONS}); point --path at the folder whose sub-folders are the classes`,
    );
  }
  const empty = files.findIndex((f) => f.length === 0);
  if (empty >= 0) {
    throw new SourceError(
      'SOURCE_EMPTY_CLASS',
      `folder: class folder ${join(dir, classes[empty]!)} has no images, expected at least one (${EXTENSIONS}); add images or remove the folder`,
    );
  }
  if (classes.length < minClasses) {
    throw new SourceError(
      'SOURCE_ONE_CLASS',
      `folder: ${flag} ${dir} has 1 class folder (${classes[0]}), expected at least 2; a classifier needs two or more classes, one sub-folder each`,
    );
  }
  return { dir, classes, files };
}

/** The images of a tree as items labelled by the class list `classNames` (`tree`'s classes must all be in it). */
function itemsOf(tree: Tree, classNames: readonly string[], root: string): EncodedItem[] {
  const items: EncodedItem[] = [];
  tree.classes.forEach((name, c) => {
    const label = classNames.indexOf(name);
    for (const file of tree.files[c]!) items.push({ name: relative(root, file) || file, input: file, label });
  });
  return items;
}

/**
 * `--source folder`: `--path DIR` laid out as torchvision's ImageFolder — `DIR/<class>/<image>` — either as
 * `DIR/train/<class>/…` + `DIR/test/<class>/…` or as one tree split by `--test-fraction` (seeded, stratified).
 * Classes are the training tree's sub-folders in sorted order; the test tree may lack a class but not add one.
 * @throws {SourceError} `SOURCE_PATH`, `SOURCE_NO_IMAGES`, `SOURCE_EMPTY_CLASS`, `SOURCE_ONE_CLASS`,
 *   `SOURCE_CLASSES`, and decodeAll's `IMAGE_UNREADABLE` / `IMAGE_SIZE_MISMATCH`.
 */
export async function loadFolder(o: SourceOptions): Promise<LoadedData> {
  if (o.path === undefined) throw new SourceError('SOURCE_PATH', 'folder: no --path given, expected the image folder (DIR/<class>/<image>); pass --path DIR');
  const root = resolve(o.path);
  if (!(await isDirectory(root))) {
    const seen = await stat(root).then(
      () => 'is not a folder',
      (err: NodeJS.ErrnoException) => `cannot be read (${err.code ?? 'unreadable'})`,
    );
    throw new SourceError('SOURCE_PATH', `folder: --path ${o.path} ${seen}, expected a folder of class folders of images; check the path`);
  }
  const imageSize = parseImageSize(o.imageSize);
  const channels = checkChannels(o.channels);
  const decodeOptions = { domain: 'folder', imageSize, channels, strict: o.strict, logger: o.logger };
  const presplit = (await isDirectory(join(root, 'train'))) && (await isDirectory(join(root, 'test')));
  let train;
  let test;
  let classNames: string[];
  let skipped;
  if (presplit) {
    const trainTree = await readTree(join(root, 'train'), '--path');
    // The test split may hold fewer classes (even one): the classes are the training tree's.
    const testTree = await readTree(join(root, 'test'), '--path', 1);
    classNames = trainTree.classes;
    const extra = testTree.classes.filter((c) => !classNames.includes(c));
    if (extra.length > 0) {
      throw new SourceError(
        'SOURCE_CLASSES',
        `folder: ${testTree.dir} has class folders ${extra.join(', ')} that ${trainTree.dir} lacks, expected the test classes among the training classes (${classNames.join(', ')}); rename or remove them`,
      );
    }
    const a = await decodeAll(itemsOf(trainTree, classNames, root), { ...decodeOptions, progressLabel: 'folder train' });
    const b = await decodeAll(itemsOf(testTree, classNames, root), { ...decodeOptions, progressLabel: 'folder test', shape: a.shape });
    train = { images: a.pixels, labels: a.labels, count: a.count, classNames, ...a.shape };
    test = { images: b.pixels, labels: b.labels, count: b.count, classNames, ...b.shape };
    skipped = [...a.skipped, ...b.skipped];
  } else {
    const tree = await readTree(root, '--path');
    classNames = tree.classes;
    const all = await decodeAll(itemsOf(tree, classNames, root), { ...decodeOptions, progressLabel: 'folder' });
    const { train: trainRows, test: testRows } = stratifiedSplit(all.labels, classNames.length, o.testFraction, createRandom(o.seed));
    train = pickSplit(all, trainRows, classNames);
    test = pickSplit(all, testRows, classNames);
    skipped = all.skipped;
  }
  return {
    dataset: basename(root),
    classNames,
    shape: { height: train.height, width: train.width, channels: train.channels },
    train,
    test,
    info: {
      split: presplit ? 'folders train/ and test/' : { testFraction: o.testFraction, seed: o.seed, stratified: true },
      resized: imageSize !== undefined,
    },
    volatile: { path: root },
    skipped,
  };
}
