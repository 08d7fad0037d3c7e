import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { ensureFonts, fontFamily } from '../src/index.ts';

describe('ensureFonts', () => {
  it('registers the bundled DejaVu Sans under fontFamily and returns that name, on every call', () => {
    assert.equal(ensureFonts(), fontFamily);
    assert.equal(ensureFonts(), fontFamily);
    assert.ok(GlobalFonts.has(fontFamily));
    const styles = GlobalFonts.families.find((f) => f.family === fontFamily)?.styles ?? [];
    assert.deepEqual(styles.map((s) => s.weight).sort(), [400, 700]);
  });

  it("measures text with DejaVu Sans's metrics (frozen width of a title at 20 px)", () => {
    ensureFonts();
    const ctx = createCanvas(1, 1).getContext('2d');
    ctx.font = `20px "${fontFamily}"`;
    assert.equal(ctx.measureText('Sneaker, 97.3%').width, 157.578125);
  });
});
