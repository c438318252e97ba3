// Runs a backbone Graph with TF.js ops on the active backend (fused conv + bias + activation kernels).
import * as tf from '@tensorflow/tfjs-core';
import { type Activation, type Graph, type GraphNode, nodeInputs, subgraphFor } from './graph.js';

function fusedActivation(a: Activation): 'linear' | 'relu' | 'relu6' {
  return a === 'none' ? 'linear' : a;
}

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  if (a === 'relu') return tf.relu(x);
  if (a === 'relu6') return tf.relu6(x);
  return x;
}

/** A graph compiled for TF.js: weights uploaded once, intermediates freed as soon as their last reader ran. */
export class TfGraphRunner {
  private readonly nodes: GraphNode[];
  private readonly weights = new Map<GraphNode, { kernel: tf.Tensor4D; bias: tf.Tensor1D | undefined }>();
  private readonly lastUse = new Map<string, number>();

  constructor(
    readonly graph: Graph,
    readonly outputs: string[],
  ) {
    this.nodes = subgraphFor(graph, outputs);
    this.nodes.forEach((node, i) => {
      for (const inp of nodeInputs(node)) this.lastUse.set(inp, i);
      if (node.op === 'conv') {
        this.weights.set(node, {
          kernel: tf.tensor4d(node.kernel, node.kernelShape),
          bias: node.bias ? tf.tensor1d(node.bias) : undefined,
        });
      }
    });
  }

  /** `x`: preprocessed NHWC float input. Returns the requested outputs in order; the caller disposes them. */
  run(x: tf.Tensor4D): tf.Tensor[] {
    const values = new Map<string, tf.Tensor>([[this.graph.input, x]]);
    const keep = new Set([...this.outputs, this.graph.input]);
    this.nodes.forEach((node, i) => {
      const inputs = nodeInputs(node).map((n) => values.get(n)!);
      values.set(node.output, this.apply(node, inputs));
      for (const name of nodeInputs(node)) {
        if (this.lastUse.get(name) === i && !keep.has(name)) {
          values.get(name)!.dispose();
          values.delete(name);
        }
      }
    });
    return this.outputs.map((o) => values.get(o)!);
  }

  private apply(node: GraphNode, [a, b]: tf.Tensor[]): tf.Tensor {
    switch (node.op) {
      case 'conv': {
        const { kernel, bias } = this.weights.get(node)!;
        const args = {
          x: a as tf.Tensor4D,
          filter: kernel,
          strides: node.strides,
          pad: node.padding,
          dilations: node.dilations,
          bias,
          activation: fusedActivation(node.activation),
        };
        return node.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
      }
      case 'add':
        return tf.tidy(() => activate(tf.add(a!, b!), node.activation));
      case 'globalMean':
        return tf.mean(a!, [1, 2], true);
      case 'flatten':
        return tf.reshape(a!, [a!.shape[0]!, -1]);
      case 'softmax':
        return tf.softmax(a!);
    }
  }

  dispose(): void {
    for (const { kernel, bias } of this.weights.values()) {
      kernel.dispose();
      bias?.dispose();
    }
    this.weights.clear();
  }
}

/**
 * Average-pools an NHWC map down to a `grid`×`grid` map (adaptive pooling; when the side is not a multiple of
 * `grid` the trailing rows/columns are left out). Result [n, grid, grid, c].
 */
export function gridPool(x: tf.Tensor4D, grid: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const kh = Math.floor(h / grid);
  const kw = Math.floor(w / grid);
  if (kh < 1 || kw < 1) throw new Error(`feature map ${h}×${w} is smaller than the ${grid}×${grid} grid`);
  return tf.avgPool(x, [kh, kw], [kh, kw], 'valid');
}
