import type { Logger } from '@tbpipe/core';
import type { ImageShape } from '../contract.ts';
import type { Images } from '../images.ts';
import type { SkippedImage } from './decode-all.ts';

/** What a source hands to the writer: both splits in memory, checked, plus what the manifest and volatile/ record. */
export interface LoadedData {
  /** The dataset's name in the schema metadata (`fashion-mnist`, or the folder's / table's base name). */
  dataset: string;
  classNames: string[];
  shape: ImageShape;
  train: Images;
  test: Images;
  /** Facts that follow from the input alone (the same input gives the same values): go into manifest.json's info. */
  info: Record<string, unknown>;
  /** Facts of this machine and run (where the input was found): go into volatile/ingest.json. */
  volatile: Record<string, unknown>;
  /** Images left out because they could not be decoded. */
  skipped: SkippedImage[];
}

/** The options every source reads (the stage's resolved options, less the writer's). */
export interface SourceOptions {
  path?: string;
  classNames?: string;
  classNamesFile?: string;
  imageSize?: string;
  channels?: number;
  testFraction: number;
  seed: number;
  imageColumn: string;
  labelColumn: string;
  splitColumn?: string;
  strict: boolean;
  logger: Logger;
}
