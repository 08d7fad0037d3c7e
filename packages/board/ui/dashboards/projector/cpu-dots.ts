/**
 * Dots drawn on the CPU into a 2-D canvas, for browsers whose WebGL is itself software (SwiftShader, llvmpipe: no
 * GPU, e.g. headless Chromium or a VM). There, WebGL spends about 1.3 µs of CPU per point per frame in vertex and
 * primitive work (bench/projector-fps.ts), while projecting a point and writing a few pixels in JavaScript costs a
 * fraction of that. Same look as the WebGL dots: square dots (round ones are indistinguishable at 3 px), dimmed points
 * blended at 12 % opacity, highlighted ones 1.8× larger and drawn last.
 */

/** What one frame needs. */
export interface CpuFrame {
  /** rows × 3 positions. */
  positions: Float32Array;
  /** Column-major 4×4 view-projection matrix (three.js `elements`). */
  viewProjection: ArrayLike<number>;
  /** Packed RGBA (little-endian ABGR) per point, and the same blended 12 % over the background. */
  colors: Uint32Array;
  dimmed: Uint32Array;
  /** 0 dimmed, 1 normal, 2 highlighted. */
  emphasis: ArrayLike<number>;
  /** Dot size in device pixels. */
  size: number;
  background: number;
}

/** Packs 0..1 floats as an opaque little-endian RGBA word. */
export function packColor(r: number, g: number, b: number): number {
  return ((255 << 24) | (Math.round(b * 255) << 16) | (Math.round(g * 255) << 8) | Math.round(r * 255)) >>> 0;
}

/** A 2-D canvas that draws {@link CpuFrame}s. */
export class CpuDots {
  readonly canvas = document.createElement('canvas');
  private image: ImageData | null = null;
  private pixels = new Uint32Array(0);

  constructor() {
    this.canvas.className = 'proj-canvas proj-cpu-canvas';
  }

  resize(width: number, height: number, cssWidth: number, cssHeight: number): void {
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${cssHeight}px`;
    this.image = null;
  }

  draw(f: CpuFrame): void {
    const w = this.canvas.width;
    const h = this.canvas.height;
    if (w === 0 || h === 0) return;
    const g = this.canvas.getContext('2d')!;
    if (!this.image || this.image.width !== w || this.image.height !== h) {
      this.image = g.createImageData(w, h);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const px = this.pixels;
    px.fill(f.background);
    const m = f.viewProjection;
    const p = f.positions;
    const rows = p.length / 3;
    const plot = (i: number, size: number, color: number) => {
      const x = p[i * 3]!;
      const y = p[i * 3 + 1]!;
      const z = p[i * 3 + 2]!;
      const cw = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!;
      if (cw <= 0) return;
      const sx = Math.round(((m[0]! * x + m[4]! * y + m[8]! * z + m[12]!) / cw * 0.5 + 0.5) * w - size / 2);
      const sy = Math.round((0.5 - (m[1]! * x + m[5]! * y + m[9]! * z + m[13]!) / cw * 0.5) * h - size / 2);
      if (sx >= w || sy >= h || sx + size <= 0 || sy + size <= 0) return;
      const x0 = Math.max(0, sx);
      const x1 = Math.min(w, sx + size);
      for (let yy = Math.max(0, sy); yy < Math.min(h, sy + size); yy++) px.fill(color, yy * w + x0, yy * w + x1);
    };
    const size = Math.max(1, Math.round(f.size));
    for (let i = 0; i < rows; i++) if (f.emphasis[i] === 0) plot(i, size, f.dimmed[i]!);
    for (let i = 0; i < rows; i++) if (f.emphasis[i] === 1) plot(i, size, f.colors[i]!);
    const big = Math.max(2, Math.round(size * 1.8));
    for (let i = 0; i < rows; i++) if (f.emphasis[i] === 2) plot(i, big, f.colors[i]!);
    g.putImageData(this.image, 0, 0);
  }
}
