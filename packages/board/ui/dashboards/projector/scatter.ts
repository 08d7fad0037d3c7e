/**
 * The projector's WebGL scatter (three.js, as TensorBoard's projector): one `THREE.Points` draw call for every point,
 * round dots or sprite thumbnails (a texture atlas sampled per point in the fragment shader), per-point colour and
 * emphasis (highlighted / dimmed), orbit + zoom in 3-D, pan + zoom in 2-D. Renders on demand (a camera change, new
 * colours) or every frame while auto-rotating. Picking projects the points on the CPU (one pass per pointer move).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { CpuDots, packColor } from './cpu-dots.ts';

const VERTEX = /* glsl */ `
attribute vec3 color;
attribute float emphasis;
attribute float spriteIndex;
uniform float pointSize;
uniform float perspectiveScale;
varying vec3 vColor;
varying float vEmphasis;
varying float vSprite;
void main() {
  vColor = color;
  vEmphasis = emphasis;
  vSprite = spriteIndex;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  float grow = emphasis > 1.5 ? 1.8 : 1.0;
  gl_PointSize = pointSize * grow * (perspectiveScale > 0.0 ? perspectiveScale / -mv.z : 1.0);
  gl_Position = projectionMatrix * mv;
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D atlas;
uniform float useSprites;
uniform vec2 gridSize;
varying vec3 vColor;
varying float vEmphasis;
varying float vSprite;
void main() {
  float alpha = vEmphasis < 0.5 ? 0.12 : 1.0;
  if (useSprites > 0.5) {
    vec2 cell = vec2(mod(vSprite, gridSize.x), floor(vSprite / gridSize.x));
    vec2 uv = (cell + vec2(gl_PointCoord.x, gl_PointCoord.y)) / gridSize;
    vec4 texel = texture2D(atlas, vec2(uv.x, 1.0 - uv.y));
    vec3 ring = vColor;
    float edge = max(abs(gl_PointCoord.x - 0.5), abs(gl_PointCoord.y - 0.5));
    vec3 rgb = edge > 0.44 ? ring : texel.rgb;
    gl_FragColor = vec4(rgb, alpha);
  } else {
    vec2 p = gl_PointCoord - vec2(0.5);
    float r = dot(p, p);
    if (r > 0.25) discard;
    vec3 rgb = vEmphasis > 1.5 && r > 0.14 ? vec3(0.1) : vColor;
    gl_FragColor = vec4(rgb, alpha);
  }
}`;

/** Emphasis per point: 0 dimmed, 1 normal, 2 highlighted. */
export type Emphasis = Uint8Array;

export interface ScatterOptions {
  dims: 2 | 3;
  /** rows × dims, already normalised to about [-1, 1]. */
  positions: Float32Array;
  sprite: { image: HTMLImageElement; cell: [number, number] } | null;
  background: string;
}

/** The scatter in a container. */
export class Scatter {
  readonly canvas: HTMLCanvasElement;
  readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private camera: THREE.PerspectiveCamera;
  private controls: OrbitControls;
  private geometry = new THREE.BufferGeometry();
  private material: THREE.ShaderMaterial;
  private points: THREE.Points;
  private texture: THREE.Texture | null = null;
  private rows = 0;
  private dims: 2 | 3 = 3;
  private positions = new Float32Array(0);
  private frameRequested = false;
  private rotating = false;
  private readonly observer: ResizeObserver;
  /** Software WebGL (no GPU): large dot clouds are drawn on the CPU instead (see cpu-dots.ts). */
  readonly softwareGl: boolean;
  private readonly cpu = new CpuDots();
  private cpuColors = new Uint32Array(0);
  private cpuDimmed = new Uint32Array(0);
  private cpuEmphasis = new Uint8Array(0);
  private background = 0xffffffff;
  /** Frames drawn so far (the fps bench reads it). */
  frames = 0;
  onRender: (() => void) | null = null;

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, alpha: false, preserveDrawingBuffer: false });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    // Until the first embedding arrives the canvas shows the card colour, not GL's black.
    this.renderer.setClearColor(new THREE.Color(getComputedStyle(container).backgroundColor || '#ffffff'));
    this.canvas = this.renderer.domElement;
    this.canvas.className = 'proj-canvas';
    container.appendChild(this.canvas);
    const gl = this.renderer.getContext();
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const rendererName = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    this.softwareGl = /swiftshader|llvmpipe|software/i.test(rendererName);
    this.cpu.canvas.hidden = true;
    container.appendChild(this.cpu.canvas);
    this.camera = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.addEventListener('change', () => this.requestRender());
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      transparent: true,
      depthWrite: false,
      depthTest: false,
      uniforms: {
        pointSize: { value: 6 },
        perspectiveScale: { value: 0 },
        atlas: { value: null },
        useSprites: { value: 0 },
        gridSize: { value: new THREE.Vector2(1, 1) },
      },
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.scene.add(this.points);
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  /** New points (a new embedding or projection); resets the camera. */
  setData(o: ScatterOptions): void {
    this.rows = o.positions.length / o.dims;
    this.dims = o.dims;
    const xyz = new Float32Array(this.rows * 3);
    for (let i = 0; i < this.rows; i++) {
      xyz[i * 3] = o.positions[i * o.dims]!;
      xyz[i * 3 + 1] = o.positions[i * o.dims + 1]!;
      xyz[i * 3 + 2] = o.dims === 3 ? o.positions[i * 3 + 2]! : 0;
    }
    this.positions = xyz;
    this.geometry.dispose();
    this.geometry = new THREE.BufferGeometry();
    this.geometry.setAttribute('position', new THREE.BufferAttribute(xyz, 3));
    this.geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(this.rows * 3).fill(0.3), 3));
    this.geometry.setAttribute('emphasis', new THREE.BufferAttribute(new Float32Array(this.rows).fill(1), 1));
    this.geometry.setAttribute('spriteIndex', new THREE.BufferAttribute(Float32Array.from({ length: this.rows }, (_, i) => i), 1));
    this.points.geometry = this.geometry;
    this.texture?.dispose();
    this.texture = null;
    if (o.sprite) {
      this.texture = new THREE.Texture(o.sprite.image);
      this.texture.needsUpdate = true;
      this.texture.minFilter = THREE.LinearFilter;
      this.texture.magFilter = THREE.LinearFilter;
      this.texture.generateMipmaps = false;
      this.material.uniforms.atlas!.value = this.texture;
      this.material.uniforms.gridSize!.value = new THREE.Vector2(o.sprite.image.naturalWidth / o.sprite.cell[1], o.sprite.image.naturalHeight / o.sprite.cell[0]);
    }
    this.scene.background = new THREE.Color(o.background);
    const bg = new THREE.Color(o.background);
    this.background = packColor(bg.r, bg.g, bg.b);
    this.cpuColors = new Uint32Array(this.rows);
    this.cpuDimmed = new Uint32Array(this.rows);
    this.cpuEmphasis = new Uint8Array(this.rows).fill(1);
    this.controls.reset();
    this.camera.position.set(0, 0, 3.2);
    this.camera.up.set(0, 1, 0);
    this.camera.lookAt(0, 0, 0);
    this.controls.target.set(0, 0, 0);
    this.controls.enableRotate = o.dims === 3;
    this.controls.screenSpacePanning = true;
    this.controls.mouseButtons = o.dims === 3
      ? { LEFT: THREE.MOUSE.ROTATE, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN }
      : { LEFT: THREE.MOUSE.PAN, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN };
    this.controls.update();
    this.setSpriteMode(false);
    this.resize();
  }

  /** The background colour (CSS colour), e.g. after the theme changed. */
  setBackground(color: string): void {
    const bg = new THREE.Color(color);
    this.scene.background = bg;
    this.background = packColor(bg.r, bg.g, bg.b);
    this.requestRender();
  }

  /** Whether frames are drawn on the CPU: software WebGL, dots (not thumbnails), more than 5 000 points. */
  get usesCpu(): boolean {
    return this.softwareGl && !this.spriteMode && this.rows > 5000;
  }

  /** Thumbnails instead of dots (only when the embedding has a sprite). */
  setSpriteMode(on: boolean): void {
    const sprites = on && this.texture !== null;
    this.material.uniforms.useSprites!.value = sprites ? 1 : 0;
    // Thumbnails shrink as points multiply (34 px for the tutorial's 100, 13 px for 2 000); zooming enlarges them.
    const spriteSize = Math.max(12, Math.min(34, 34 * Math.sqrt(300 / Math.max(1, this.rows))));
    this.material.uniforms.pointSize!.value = sprites ? spriteSize : this.rows > 20000 ? 3 : this.rows > 2000 ? 5 : 8;
    this.material.uniforms.perspectiveScale!.value = sprites ? 3.2 : 0;
    this.requestRender();
  }

  get spriteMode(): boolean {
    return this.material.uniforms.useSprites!.value > 0.5;
  }

  /** Colours as rows × 3 floats in 0..1 and emphasis per point. */
  setStyle(colors: Float32Array, emphasis: Emphasis): void {
    const c = this.geometry.getAttribute('color') as THREE.BufferAttribute | undefined;
    if (!c || c.array.length !== colors.length) return;
    (c.array as Float32Array).set(colors);
    c.needsUpdate = true;
    const e = this.geometry.getAttribute('emphasis') as THREE.BufferAttribute;
    (e.array as Float32Array).set(emphasis);
    e.needsUpdate = true;
    const bg = [(this.background & 255) / 255, ((this.background >> 8) & 255) / 255, ((this.background >> 16) & 255) / 255];
    for (let i = 0; i < this.rows; i++) {
      const r = colors[i * 3]!;
      const g = colors[i * 3 + 1]!;
      const b = colors[i * 3 + 2]!;
      this.cpuColors[i] = packColor(r, g, b);
      this.cpuDimmed[i] = packColor(bg[0]! + (r - bg[0]!) * 0.12, bg[1]! + (g - bg[1]!) * 0.12, bg[2]! + (b - bg[2]!) * 0.12);
    }
    this.cpuEmphasis.set(emphasis);
    this.requestRender();
  }

  /** Spin about the vertical axis continuously (3-D only); renders every frame while on. */
  setAutoRotate(on: boolean): void {
    this.rotating = on && this.dims === 3;
    this.controls.autoRotate = this.rotating;
    this.controls.autoRotateSpeed = 6;
    if (this.rotating) this.requestRender();
  }

  /** The point under client coordinates (within `radius` CSS pixels), or -1. */
  pick(clientX: number, clientY: number, radius = 8): number {
    const rect = this.canvas.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top;
    const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse).elements;
    const w = rect.width;
    const h = rect.height;
    const r = this.spriteMode ? Math.max(radius, this.material.uniforms.pointSize!.value * 0.25) : radius;
    let best = -1;
    let bestD = r * r;
    const p = this.positions;
    for (let i = 0; i < this.rows; i++) {
      const x = p[i * 3]!;
      const y = p[i * 3 + 1]!;
      const z = p[i * 3 + 2]!;
      const cw = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!;
      if (cw <= 0) continue;
      const sx = ((m[0]! * x + m[4]! * y + m[8]! * z + m[12]!) / cw * 0.5 + 0.5) * w;
      const sy = (1 - ((m[1]! * x + m[5]! * y + m[9]! * z + m[13]!) / cw * 0.5 + 0.5)) * h;
      const d = (sx - px) ** 2 + (sy - py) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  /** Client coordinates of point `i` (tests click it). */
  screenPosition(i: number): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    const v = new THREE.Vector3(this.positions[i * 3], this.positions[i * 3 + 1], this.positions[i * 3 + 2]).project(this.camera);
    return { x: rect.left + (v.x * 0.5 + 0.5) * rect.width, y: rect.top + (1 - (v.y * 0.5 + 0.5)) * rect.height };
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (this.rotating) this.controls.update();
      const cpu = this.usesCpu;
      this.cpu.canvas.hidden = !cpu;
      if (cpu) {
        this.camera.updateMatrixWorld();
        const vp = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse);
        this.cpu.draw({
          positions: this.positions, viewProjection: vp.elements, colors: this.cpuColors, dimmed: this.cpuDimmed,
          emphasis: this.cpuEmphasis, size: this.material.uniforms.pointSize!.value * this.renderer.getPixelRatio(),
          background: this.background,
        });
      } else this.renderer.render(this.scene, this.camera);
      this.frames++;
      this.onRender?.();
      if (this.rotating) this.requestRender();
    });
  }

  private resize(): void {
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    if (w === 0 || h === 0) return;
    this.renderer.setSize(w, h, false);
    const ratio = this.renderer.getPixelRatio();
    this.cpu.resize(Math.round(w * ratio), Math.round(h * ratio), w, h);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  destroy(): void {
    this.observer.disconnect();
    this.controls.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.texture?.dispose();
    this.renderer.dispose();
    this.canvas.remove();
  }
}
