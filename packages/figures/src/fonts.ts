import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { FiguresError } from './errors.ts';

/**
 * The CSS font family every figure draws its text in: DejaVu Sans from the bundled `dejavu-fonts-ttf` package,
 * registered under this private alias by {@link ensureFonts}. Use it as `ctx.font = \`12px "${fontFamily}"\``.
 *
 * N.B. the alias is deliberately not `DejaVu Sans`: a host with its own (possibly different) DejaVu installed would
 * otherwise win the name lookup and change the pixels, breaking byte-determinism across machines.
 */
export const fontFamily = 'tbpipe DejaVu Sans';

/** The font files registered under {@link fontFamily}: regular and bold, from `dejavu-fonts-ttf/ttf/`. */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

const fontMissing = (file: string, dir: string) =>
  `figures: font ${file} not registered from ${dir}, expected the bundled dejavu-fonts-ttf files; run npm ci`;

let registered = false;

/**
 * Registers the bundled DejaVu Sans (regular and bold) with skia under {@link fontFamily}, once per process;
 * later calls are free. Every render function calls it, so callers only need it to draw their own text.
 * Hosts without system fonts (CI) still render text, because nothing depends on installed fonts.
 * Characters DejaVu Sans lacks (e.g. CJK) draw from an installed font if there is one, else as boxes.
 *
 * @returns {@link fontFamily}
 * @throws {FiguresError} `FIGURES_FONT_MISSING` when the font files cannot be found or loaded.
 * @example
 * const family = ensureFonts();
 * ctx.font = `14px "${family}"`;
 */
export function ensureFonts(): string {
  if (registered) return fontFamily;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch (cause) {
    throw new FiguresError('FIGURES_FONT_MISSING', fontMissing(FONT_FILES[0], 'node_modules'), { cause });
  }
  for (const file of FONT_FILES) {
    if (GlobalFonts.registerFromPath(join(dir, file), fontFamily) === null) {
      throw new FiguresError('FIGURES_FONT_MISSING', fontMissing(file, dir));
    }
  }
  registered = true;
  return fontFamily;
}
