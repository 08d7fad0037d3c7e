/**
 * `resolveNetwork`: a spec plus the data's input shape and class count → every layer with its PyTorch-layout input
 * and output shapes, its hyper-parameters with defaults applied, its parameters (torch and tfjs names and shapes, in
 * `named_parameters()` order) and batch-norm buffers. Everything downstream (the tfjs model, initialisation, the
 * saved model, the GraphDef, the predictor's features, the fused engine's plan) reads this, never a second table.
 */
import { layerError, specError } from './errors.ts';
import type { InputShape, LayerSpec, LayerType, NetworkSpec } from './spec.ts';

/** What a parameter is, for initialisation and layout conversion. */
export type ParamKind = 'conv' | 'dense' | 'bias' | 'gamma' | 'beta';

/** One trainable parameter in both layouts. */
export interface ParamSpec {
  /** PyTorch name, e.g. `conv1.weight`. */
  torchName: string;
  /** tfjs LayersModel weight name, e.g. `conv1/kernel`. */
  tfName: string;
  /** PyTorch layout: conv [out, in, kh, kw], linear [out, in], vectors [n]. */
  torchShape: number[];
  /** tfjs layout: conv [kh, kw, in, out], dense [in, out], vectors [n]. */
  tfShape: number[];
  /** Fan-in of the layer the parameter belongs to (PyTorch's definition: in·kh·kw for conv, in for linear). */
  fanIn: number;
  fanOut: number;
  kind: ParamKind;
  /** Index of the layer it belongs to. */
  layer: number;
  /**
   * Set when the parameter's (input) features are a flattened [C, H, W] map: the dense right after a flatten, or a
   * 1-D batch norm between them. PyTorch flattens in C, H, W order; the tfjs model flattens NHWC in H, W, C order,
   * so the tfjs layout permutes those features.
   */
  flattenedFrom?: [number, number, number];
}

/** A batch-norm running statistic (not trained by the optimizer; updated in training mode). */
export interface BufferSpec {
  /** `bn1.running_mean` / `bn1.running_var`. */
  torchName: string;
  /** `bn1/moving_mean` / `bn1/moving_variance` (tfjs BatchNormalization's names). */
  tfName: string;
  shape: [number];
  /** The same as `shape` (vectors look alike in both layouts, but for the feature order after a flatten). */
  torchShape: [number];
  tfShape: [number];
  /** Initial value: 0 for the mean, 1 for the variance. */
  initial: 0 | 1;
  layer: number;
  flattenedFrom?: [number, number, number];
}

/** Zero padding added on each side of a conv input (PyTorch puts the odd one of "same" at the bottom/right). */
export interface Padding {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** One layer with everything resolved. Shapes are PyTorch's without the batch: [C, H, W] or [N]. */
export interface ResolvedLayer {
  index: number;
  spec: LayerSpec;
  type: LayerType;
  /** Module name: `spec.name`, or `<type><index>` (e.g. `dense7`) for an unnamed layer. */
  scope: string;
  /**
   * True when PyTorch would hold the layer as a module (it has a name or parameters): the graph scopes it as
   * `Net/<torchClass>[scope]`. An unnamed parameter-free layer is a functional call (`F.relu`, `x.view`) in `Net/`.
   */
  module: boolean;
  /** `Conv2d`, `MaxPool2d`, `AvgPool2d`, `ReLU`, `Tanh`, `Sigmoid`, `Flatten`, `Linear`, `Dropout`, `BatchNorm2d`, `BatchNorm1d`. */
  torchClass: string;
  /** Unique tfjs layer name (the module name; repeated names get 1-based ordinals: `pool1`, `pool2`). */
  tfName: string;
  inShape: number[];
  outShape: number[];
  params: ParamSpec[];
  buffers: BufferSpec[];
  /** conv2d / pools: square kernel side; conv2d / pools: stride (defaults applied). */
  kernelSize?: number;
  stride?: number;
  /** conv2d: resolved padding ("same" → the sizes that keep H × W). Pools: zero. */
  padding?: Padding;
  /** conv2d: filters; dense: units. */
  units?: number;
  /** dropout: drop probability in [0, 1). */
  rate?: number;
  /** batchNorm: PyTorch's defaults. */
  eps?: number;
  momentum?: number;
}

/** A spec resolved against the data. */
export interface ResolvedNetwork {
  spec: NetworkSpec;
  input: InputShape;
  /** Input in PyTorch layout [C, H, W]. */
  inputShape: [number, number, number];
  classCount: number;
  layers: ResolvedLayer[];
  /** All trainable parameters in PyTorch's `named_parameters()` order. */
  params: ParamSpec[];
  /** Batch-norm running means and variances, in `named_buffers()` order (num_batches_tracked is not kept). */
  buffers: BufferSpec[];
  /** Index of the last dense layer: its input are the features evaluate and project use. */
  featureLayer: number;
  /** Width of those features. */
  featureWidth: number;
}

/** Batch norm's epsilon and momentum (PyTorch's defaults). */
export const BATCH_NORM_EPS = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

const TORCH_CLASS: Record<Exclude<LayerType, 'batchNorm'>, string> = {
  conv2d: 'Conv2d',
  maxPool2d: 'MaxPool2d',
  avgPool2d: 'AvgPool2d',
  relu: 'ReLU',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  flatten: 'Flatten',
  dense: 'Linear',
  dropout: 'Dropout',
};

const HAS_PARAMS: ReadonlySet<LayerType> = new Set(['conv2d', 'dense', 'batchNorm']);

/** Number of elements of a shape. */
export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Validate `spec` against the data and infer every shape. Fails with a one-line `NetworkError` naming the layer
 * index and field: a shape that goes below 1×1, a conv/pool after flatten, a dense without a flatten before it,
 * `same` padding with stride ≠ 1, a last dense whose units differ from `classCount`, anything after the last dense,
 * two parameterised layers with one name.
 * @example const net = resolveNetwork(TUTORIAL, { height: 28, width: 28, channels: 1 }, 10); net.featureWidth // 84
 */
export function resolveNetwork(spec: NetworkSpec, input: InputShape, classCount: number): ResolvedNetwork {
  for (const [k, n] of Object.entries(input)) {
    if (!(Number.isInteger(n) && n >= 1)) throw specError(`input ${k} ${String(n)}`, 'an integer ≥ 1 (from the data)');
  }
  if (!(Number.isInteger(classCount) && classCount >= 2)) throw specError(`class count ${classCount}`, 'an integer ≥ 2 (from the data)');
  if (spec.layers.length === 0) throw specError('no layers', 'a non-empty layer list');

  let shape: number[] = [input.channels, input.height, input.width];
  /** The [C, H, W] a flat shape came from, until the next dense consumes it. */
  let flattened: [number, number, number] | undefined;
  const layers: ResolvedLayer[] = [];
  spec.layers.forEach((l, index) => {
    const err = (field: string, seen: string, expected: string) => layerError(index, l.type, field, seen, expected);
    const inShape = shape;
    const spatial = inShape.length === 3;
    const base = {
      index,
      spec: l,
      type: l.type,
      scope: l.name ?? `${l.type}${index}`,
      module: l.name !== undefined || HAS_PARAMS.has(l.type),
      tfName: '',
      inShape,
      params: [] as ParamSpec[],
      buffers: [] as BufferSpec[],
    };
    let layer: ResolvedLayer;
    switch (l.type) {
      case 'conv2d': {
        if (!spatial) throw err('type', `on a flat ${fmt(inShape)} input`, 'a [C, H, W] input (conv2d before flatten)');
        const [c, h, w] = inShape as [number, number, number];
        const k = l.kernelSize;
        const stride = l.stride ?? 1;
        let padding: Padding;
        if (l.padding === 'same') {
          if (stride !== 1) throw err('padding', `'same' with stride ${stride}`, "stride 1 for 'same' (or a number)");
          const top = Math.floor((k - 1) / 2);
          padding = { top, left: top, bottom: k - 1 - top, right: k - 1 - top };
        } else {
          const p = l.padding ?? 0;
          padding = { top: p, left: p, bottom: p, right: p };
        }
        const oh = Math.floor((h + padding.top + padding.bottom - k) / stride) + 1;
        const ow = Math.floor((w + padding.left + padding.right - k) / stride) + 1;
        if (!(h + padding.top + padding.bottom >= k && w + padding.left + padding.right >= k)) {
          throw err('kernelSize', `${k} on a ${h}×${w} input (padded ${h + padding.top + padding.bottom}×${w + padding.left + padding.right})`, 'an output of at least 1×1');
        }
        const co = l.filters;
        const fanIn = c * k * k;
        layer = {
          ...base,
          torchClass: 'Conv2d',
          outShape: [co, oh, ow],
          kernelSize: k,
          stride,
          padding,
          units: co,
          params: [
            { torchName: `${base.scope}.weight`, tfName: '/kernel', torchShape: [co, c, k, k], tfShape: [k, k, c, co], fanIn, fanOut: co * k * k, kind: 'conv', layer: index },
            { torchName: `${base.scope}.bias`, tfName: '/bias', torchShape: [co], tfShape: [co], fanIn, fanOut: co, kind: 'bias', layer: index },
          ],
        };
        break;
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        if (!spatial) throw err('type', `on a flat ${fmt(inShape)} input`, `a [C, H, W] input (${l.type} before flatten)`);
        const [c, h, w] = inShape as [number, number, number];
        const k = l.poolSize;
        const stride = l.stride ?? k;
        if (h < k || w < k) throw err('poolSize', `${k} on a ${h}×${w} input`, 'an output of at least 1×1');
        layer = {
          ...base,
          torchClass: TORCH_CLASS[l.type],
          outShape: [c, Math.floor((h - k) / stride) + 1, Math.floor((w - k) / stride) + 1],
          kernelSize: k,
          stride,
          padding: { top: 0, left: 0, bottom: 0, right: 0 },
        };
        break;
      }
      case 'flatten': {
        if (!spatial) throw err('type', `on a flat ${fmt(inShape)} input`, 'a [C, H, W] input (one flatten)');
        flattened = inShape as [number, number, number];
        layer = { ...base, torchClass: 'Flatten', outShape: [sizeOf(inShape)] };
        break;
      }
      case 'dense': {
        if (spatial) throw err('type', `on a ${fmt(inShape)} input`, 'a flatten before it');
        const i = inShape[0]!;
        const o = l.units;
        const from = flattened;
        flattened = undefined;
        layer = {
          ...base,
          torchClass: 'Linear',
          outShape: [o],
          units: o,
          params: [
            { torchName: `${base.scope}.weight`, tfName: '/kernel', torchShape: [o, i], tfShape: [i, o], fanIn: i, fanOut: o, kind: 'dense', layer: index, ...(from ? { flattenedFrom: from } : {}) },
            { torchName: `${base.scope}.bias`, tfName: '/bias', torchShape: [o], tfShape: [o], fanIn: i, fanOut: o, kind: 'bias', layer: index },
          ],
        };
        break;
      }
      case 'batchNorm': {
        const n = inShape[0]!;
        const from = spatial ? undefined : flattened;
        const extra = from ? { flattenedFrom: from } : {};
        const vec = (suffix: string, tf: string, kind: ParamKind): ParamSpec => ({
          torchName: `${base.scope}.${suffix}`, tfName: `/${tf}`, torchShape: [n], tfShape: [n], fanIn: n, fanOut: n, kind, layer: index, ...extra,
        });
        layer = {
          ...base,
          torchClass: spatial ? 'BatchNorm2d' : 'BatchNorm1d',
          outShape: inShape,
          eps: BATCH_NORM_EPS,
          momentum: BATCH_NORM_MOMENTUM,
          params: [vec('weight', 'gamma', 'gamma'), vec('bias', 'beta', 'beta')],
          buffers: [
            { torchName: `${base.scope}.running_mean`, tfName: '/moving_mean', shape: [n], torchShape: [n], tfShape: [n], initial: 0, layer: index, ...extra },
            { torchName: `${base.scope}.running_var`, tfName: '/moving_variance', shape: [n], torchShape: [n], tfShape: [n], initial: 1, layer: index, ...extra },
          ],
        };
        break;
      }
      case 'dropout':
        layer = { ...base, torchClass: 'Dropout', outShape: inShape, rate: l.rate };
        break;
      default:
        layer = { ...base, torchClass: TORCH_CLASS[l.type], outShape: inShape };
    }
    layers.push(layer);
    shape = layer.outShape;
  });

  nameLayers(layers);
  const lastDense = layers.findLastIndex((l) => l.type === 'dense');
  if (lastDense < 0) throw specError('no dense layer', `a last dense layer with ${classCount} units (the data's class count)`);
  const after = layers[lastDense + 1];
  if (after) throw layerError(after.index, after.type, 'type', 'after the last dense', 'the last dense to be the last layer (its outputs are the logits)');
  const last = layers[lastDense]!;
  if (last.units !== classCount) {
    throw layerError(lastDense, 'dense', 'units', String(last.units), `${classCount} (the data's class count) in the last dense`);
  }
  return {
    spec,
    input: { ...input },
    inputShape: [input.channels, input.height, input.width],
    classCount,
    layers,
    params: layers.flatMap((l) => l.params),
    buffers: layers.flatMap((l) => l.buffers),
    featureLayer: lastDense,
    featureWidth: last.inShape[0]!,
  };
}

/** Check module names and give every layer its unique tfjs name; fills the tfjs parameter names. */
function nameLayers(layers: ResolvedLayer[]): void {
  const owner = new Map<string, ResolvedLayer>();
  for (const l of layers) {
    if (!l.module) continue;
    const prev = owner.get(l.scope);
    if (prev && (l.params.length > 0 || prev.params.length > 0 || prev.type !== l.type)) {
      throw layerError(l.index, l.type, 'name', `'${l.scope}' (also layer ${prev.index}, ${prev.type})`, 'a name no layer with parameters or of another type shares');
    }
    owner.set(l.scope, l);
  }
  const baseOf = (l: ResolvedLayer) => (l.module ? l.scope : l.type);
  const total = new Map<string, number>();
  for (const l of layers) total.set(baseOf(l), (total.get(baseOf(l)) ?? 0) + 1);
  const seen = new Map<string, number>();
  const used = new Set<string>();
  for (const l of layers) {
    const b = baseOf(l);
    const k = (seen.get(b) ?? 0) + 1;
    seen.set(b, k);
    let name = total.get(b)! > 1 ? `${b}${k}` : b;
    if (used.has(name)) name = `${b}_${l.index}`;
    used.add(name);
    l.tfName = name;
    for (const p of l.params) p.tfName = name + p.tfName;
    for (const p of l.buffers) p.tfName = name + p.tfName;
  }
}
