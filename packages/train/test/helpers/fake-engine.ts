/**
 * A tiny deterministic stand-in for the CNN engine: softmax regression (784 → 10) with PyTorch-style SGD momentum,
 * all float32. It honours the whole `CnnTrainer` contract (state round trip, saveModel, predict) in microseconds
 * per step, so the stage's bookkeeping can be tested without loading TensorFlow.js.
 */
import { createRandom, replaceDirAtomic, writeFileAtomic } from '@tbpipe/core';
import { join } from 'node:path';
import type { CnnTrainer, CnnTrainerOptions, CreateCnnTrainer, TrainerState } from '../../src/engine/types.ts';
import { tutorialNetwork } from '../../src/engine/model-io.ts';
import type { ResolvedNetwork } from '../../src/network/resolve.ts';

export const createFakeTrainer: CreateCnnTrainer = async (options: CnnTrainerOptions) => new FakeTrainer(options);

class FakeTrainer implements CnnTrainer {
  readonly backend = 'cpu' as const;
  readonly network: ResolvedNetwork;
  private w: Float32Array;
  private b: Float32Array;
  private vw: Float32Array;
  private vb: Float32Array;

  constructor(private readonly options: CnnTrainerOptions) {
    this.network = options.network ?? tutorialNetwork();
    const IN = this.network.input.height * this.network.input.width * this.network.input.channels;
    const OUT = this.network.classCount;
    [this.w, this.b, this.vw, this.vb] = [new Float32Array(OUT * IN), new Float32Array(OUT), new Float32Array(OUT * IN), new Float32Array(OUT)];
    const random = createRandom(options.seed);
    const bound = 1 / Math.sqrt(IN);
    for (let i = 0; i < this.w.length; i++) this.w[i] = (random() * 2 - 1) * bound;
    for (let i = 0; i < OUT; i++) this.b[i] = (random() * 2 - 1) * bound;
    void IN;
  }

  private get IN(): number {
    return this.w.length / this.b.length;
  }

  private get OUT(): number {
    return this.b.length;
  }

  private forward(images: Float32Array, count: number): Float32Array {
    const { IN, OUT } = this;
    const logits = new Float32Array(count * OUT);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < OUT; c++) {
        let s = this.b[c]!;
        for (let j = 0; j < IN; j++) s += this.w[c * IN + j]! * images[n * IN + j]!;
        logits[n * OUT + c] = s;
      }
    }
    return logits;
  }

  predict(images: Float32Array, count: number) {
    const { OUT } = this;
    const logits = this.forward(images, count);
    const probabilities = new Float32Array(count * OUT);
    for (let n = 0; n < count; n++) {
      let max = -Infinity;
      for (let c = 0; c < OUT; c++) max = Math.max(max, logits[n * OUT + c]!);
      let sum = 0;
      for (let c = 0; c < OUT; c++) sum += Math.exp(logits[n * OUT + c]! - max);
      for (let c = 0; c < OUT; c++) probabilities[n * OUT + c] = Math.exp(logits[n * OUT + c]! - max) / sum;
    }
    return { logits, probabilities, features: new Float32Array(count * this.network.featureWidth) };
  }

  trainStep(images: Float32Array, labels: Int32Array): number {
    const { IN, OUT } = this;
    const count = labels.length;
    const { probabilities: p } = this.predict(images, count);
    let loss = 0;
    const gw = new Float32Array(OUT * IN);
    const gb = new Float32Array(OUT);
    for (let n = 0; n < count; n++) {
      loss -= Math.log(p[n * OUT + labels[n]!]!);
      for (let c = 0; c < OUT; c++) {
        const g = (p[n * OUT + c]! - (c === labels[n] ? 1 : 0)) / count;
        gb[c] += g;
        for (let j = 0; j < IN; j++) gw[c * IN + j] += g * images[n * IN + j]!;
      }
    }
    const { learningRate: lr, momentum: m } = this.options;
    for (let i = 0; i < gw.length; i++) {
      this.vw[i] = m * this.vw[i]! + gw[i]!;
      this.w[i] -= lr * this.vw[i]!;
    }
    for (let i = 0; i < OUT; i++) {
      this.vb[i] = m * this.vb[i]! + gb[i]!;
      this.b[i] -= lr * this.vb[i]!;
    }
    return Math.fround(loss / count);
  }

  getState(): TrainerState {
    const { IN, OUT } = this;
    return {
      weights: [
        { name: 'fc.weight', shape: [OUT, IN], data: this.w.slice() },
        { name: 'fc.bias', shape: [OUT], data: this.b.slice() },
      ],
      momentum: [
        { name: 'fc.weight', shape: [OUT, IN], data: this.vw.slice() },
        { name: 'fc.bias', shape: [OUT], data: this.vb.slice() },
      ],
    };
  }

  setState(state: TrainerState): void {
    this.w.set(state.weights[0]!.data);
    this.b.set(state.weights[1]!.data);
    this.vw.set(state.momentum[0]!.data);
    this.vb.set(state.momentum[1]!.data);
  }

  async saveModel(dir: string): Promise<void> {
    const bytes = new Uint8Array(this.w.length * 4 + this.b.length * 4);
    bytes.set(new Uint8Array(this.w.buffer), 0);
    bytes.set(new Uint8Array(this.b.buffer), this.w.length * 4);
    await replaceDirAtomic(dir, async (temp) => {
      await writeFileAtomic(join(temp, 'model.json'), JSON.stringify({ format: 'fake', weights: 'weights.bin' }));
      await writeFileAtomic(join(temp, 'weights.bin'), bytes);
    });
  }

  dispose(): void {}
}
