import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@tbpipe/core';
import { builtinNetwork, BUILTIN_NETWORKS } from '../../src/network/builtins.ts';
import { resolveNetwork } from '../../src/network/resolve.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { createFusedStep } from '../../src/kernels/plan.ts';
import { createPlanStep, planForward, type TrainerOptimizer } from '../../src/kernels/fused-plan.ts';

const SGD: TrainerOptimizer = { name: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const ADAM: TrainerOptimizer = { ...SGD, name: 'adam', learningRate: 0.001 };

for (const name of BUILTIN_NETWORKS) {
  for (const opt of [SGD, ADAM]) {
    test(`built-in ${name} (${opt.name}): the plan on tfjs-wasm's variables equals the plan on its own memory bit for bit, also after a variable moves`, async () => {
      await selectBackend('wasm');
      const input = name === 'lenet5-rgb' ? { height: 32, width: 32, channels: 3 } : { height: 28, width: 28, channels: 1 };
      const net = resolveNetwork(builtinNetwork(name), input, 10);
      const r = createRandom(7);
      const init = net.params.map((p) =>
        Float32Array.from({ length: p.tfShape.reduce((a, b) => a * b, 1) }, () => (p.kind === 'gamma' ? 1 : 0) + (r() * 2 - 1) / Math.sqrt(p.fanIn)),
      );
      const vars = {
        params: net.params.map((p, i) => tf.variable(tf.tensor(init[i]!, p.tfShape))),
        momentum: net.params.map((p) => tf.variable(tf.zeros(p.tfShape))),
        secondMoment: net.params.map((p) => tf.variable(tf.zeros(p.tfShape))),
        buffers: net.buffers.map((b) => tf.variable(tf.fill(b.shape, b.initial))),
      };
      const onHeap = createPlanStep(net, opt, vars);
      assert.ok(!('unsupported' in onHeap));
      const own = createFusedStep(net, {
        seed: 0,
        externalMasks: true,
        optimizer: opt.name === 'sgd' ? { type: 'sgd', learningRate: opt.learningRate, momentum: opt.momentum } : { type: 'adam', learningRate: opt.learningRate },
      });
      own.setParams(init);
      const per = input.height * input.width * input.channels;
      for (let s = 1; s <= 3; s++) {
        const batch = s === 2 ? 5 : 4;
        const images = Float32Array.from({ length: batch * per }, () => r() * 2 - 1);
        const labels = Int32Array.from({ length: batch }, () => Math.floor(r() * 10));
        const masks = net.layers.filter((l) => l.type === 'dropout').map((l) =>
          Float32Array.from({ length: batch * l.inShape.reduce((a, b) => a * b, 1) }, () => (r() < l.rate! ? 0 : 1 / (1 - l.rate!))),
        );
        assert.equal(onHeap.trainStep(images, labels, masks, s), own.step(images, labels, masks, s), `loss at step ${s}`);
        if (s === 1) {
          // tfjs reallocates a variable's memory on assign: the plan must follow it.
          const old = vars.params[0]!;
          const moved = tf.variable(old.clone());
          old.dispose();
          vars.params[0] = moved;
        }
      }
      const heapParams = vars.params.map((v) => v.dataSync() as Float32Array);
      own.getParams().forEach((p, i) => assert.deepEqual(heapParams[i], p, net.params[i]!.torchName));
      own.getOptimizerState().slots[0]!.values.forEach((m, i) => assert.deepEqual(vars.momentum[i]!.dataSync(), m));
      own.getBuffers().forEach((b, i) => assert.deepEqual(vars.buffers[i]!.dataSync(), b));
      // predict through the seam equals the engine's own predict
      const images = Float32Array.from({ length: 3 * per }, () => r() * 2 - 1);
      const [logits, features] = planForward(net, vars.params, tf.tensor4d(images, [3, input.height, input.width, input.channels]), vars.buffers)!;
      const mine = own.predict(images, 3);
      assert.deepEqual(logits!.dataSync(), mine.logits);
      assert.deepEqual(features!.dataSync(), mine.features);
      tf.dispose([...vars.params, ...vars.momentum, ...vars.secondMoment, ...vars.buffers, logits!, features!]);
    });
  }
}
