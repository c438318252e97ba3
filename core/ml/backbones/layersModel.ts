// Loads a TF.js layers model from a local directory (no fetch) and lowers it to the backbone Graph.
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Activation, Graph, GraphNode } from './graph.js';

interface ModelJson {
  modelTopology: { model_config?: KerasModelConfig } & KerasModelConfig;
  weightsManifest: tf.io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
}
interface KerasModelConfig {
  class_name?: string;
  config?: { layers?: Array<{ class_name: string; config: Record<string, unknown> }> };
}

/**
 * A tf.io handler reading `model.json` and its weight shards from `dir`. `inputSize` rewrites the input layer's
 * fixed spatial size, so the same weights run at 96–224 px.
 */
export function fileSystemHandler(dir: string, opts: { inputSize?: number } = {}): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
      const topology = json.modelTopology;
      if (opts.inputSize) {
        const layers = (topology.model_config ?? topology).config?.layers;
        const input = layers?.find((l) => l.class_name === 'InputLayer');
        if (!input) throw new Error(`${dir}/model.json has no InputLayer to resize`);
        const shape = input.config.batch_input_shape as (number | null)[];
        input.config.batch_input_shape = [null, opts.inputSize, opts.inputSize, shape[3] ?? 3];
      }
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const shards: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) {
          const buf = await fs.readFile(path.join(dir, p));
          shards.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        }
      }
      return {
        modelTopology: topology as unknown as tf.io.ModelJSON['modelTopology'],
        weightSpecs,
        weightData: tf.io.concatenateArrayBuffers(shards),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
    },
  };
}

export async function loadLayersModel(dir: string, inputSize?: number): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileSystemHandler(dir, { inputSize }));
}

function kerasActivation(name: unknown): Activation | null {
  if (name === 'relu6') return 'relu6';
  if (name === 'relu') return 'relu';
  if (name === 'linear' || name === undefined) return 'none';
  return null;
}

/**
 * Lowers a sequential Keras MobileNet (Conv2D / DepthwiseConv2D → BatchNormalization → Activation) to the Graph,
 * folding each BatchNorm into the preceding convolution and fusing the activation. Stops at the first layer it
 * cannot express (the classifier top), so the result ends at the backbone's last feature map.
 */
export function layersModelToGraph(model: tfl.LayersModel): Graph {
  const nodes: GraphNode[] = [];
  const inputName = model.layers[0]!.name;
  let current = inputName;
  for (const layer of model.layers.slice(1)) {
    const cls = layer.getClassName();
    const config = layer.getConfig();
    const inbound = layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
    if (inbound.length !== 1 || inbound[0] !== current) break; // not a plain chain any more
    const last = nodes[nodes.length - 1];
    if (cls === 'Conv2D' || cls === 'DepthwiseConv2D') {
      const [kernel, bias] = layer.getWeights();
      const act = kerasActivation(config.activation);
      const dilation = config.dilation_rate as number[] | number | undefined;
      const d = Array.isArray(dilation) ? dilation : [dilation ?? 1, dilation ?? 1];
      if (act === null || (config.data_format && config.data_format !== 'channels_last')) break;
      nodes.push({
        op: 'conv',
        input: current,
        output: layer.name,
        depthwise: cls === 'DepthwiseConv2D',
        kernel: kernel!.dataSync() as Float32Array,
        kernelShape: kernel!.shape as [number, number, number, number],
        bias: config.use_bias && bias ? (bias.dataSync() as Float32Array) : null,
        strides: config.strides as [number, number],
        dilations: d as [number, number],
        padding: config.padding as 'same' | 'valid',
        activation: act,
      });
    } else if (cls === 'BatchNormalization' && last?.op === 'conv' && last.output === current && last.activation === 'none') {
      const [gamma, beta, mean, variance] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
      const eps = config.epsilon as number;
      const cout = last.depthwise ? last.kernelShape[2] * last.kernelShape[3] : last.kernelShape[3];
      const kernel = Float32Array.from(last.kernel);
      const bias = new Float32Array(cout);
      for (let c = 0; c < cout; c++) {
        const scale = (gamma ? gamma[c]! : 1) / Math.sqrt(variance![c]! + eps);
        bias[c] = (beta ? beta[c]! : 0) + ((last.bias ? last.bias[c]! : 0) - mean![c]!) * scale;
        // The output channel is the fastest-varying index in both HWIO and [kh, kw, cin, mult].
        for (let k = c; k < kernel.length; k += cout) kernel[k]! *= scale;
      }
      last.kernel = kernel;
      last.bias = bias;
      last.output = layer.name;
    } else if (cls === 'Activation' && last?.op === 'conv' && last.output === current && last.activation === 'none') {
      const act = kerasActivation(config.activation);
      if (act === null) break;
      last.activation = act;
      last.output = layer.name;
    } else break;
    current = layer.name;
  }
  return { input: inputName, nodes, output: current };
}
