// Builds an ONNX model (opset 13) computing a backbone's two features from the same float Graph the TF.js
// runtime executes, so onnxruntime-node can run it. Input: preprocessed NHWC float [N, S, S, 3]; outputs:
// `embedding` [N, D] (global mean of the deep tap) and `shallow` [N, grid*grid*C] (grid-pooled shallow tap, NHWC order).
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { type Activation, convOutSize, type Graph, subgraphFor, valueChannels, valueSizes } from '../graph.js';

const { onnx } = onnxProto;
const OPSET = 13;

export interface FeatureTaps {
  embedding: string;
  shallow: string;
  grid: number;
}

function attrInts(name: string, ints: number[]): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}
function attrInt(name: string, i: number): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function floatTensor(name: string, dims: number[], data: Float32Array): OnnxTypes.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function valueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** TF "SAME"/"VALID" padding as explicit ONNX pads (TF puts the odd pixel at the end). */
function tfPads(inSize: number, k: number, stride: number, dilation: number, padding: 'same' | 'valid'): [number, number] {
  if (padding === 'valid') return [0, 0];
  const out = convOutSize(inSize, k, stride, dilation, padding);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** HWIO → OIHW; depthwise [kh, kw, cin, m] → [cin*m, 1, kh, kw] (output channel c*m + j). */
function toOihw(kernel: Float32Array, [kh, kw, ci, co]: [number, number, number, number], depthwise: boolean): { data: Float32Array; dims: number[] } {
  const out = new Float32Array(kernel.length);
  if (depthwise) {
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let c = 0; c < ci; c++)
          for (let j = 0; j < co; j++) out[(c * co + j) * kh * kw + y * kw + x] = kernel[((y * kw + x) * ci + c) * co + j]!;
    return { data: out, dims: [ci * co, 1, kh, kw] };
  }
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) out[((o * ci + c) * kh + y) * kw + x] = kernel[((y * kw + x) * ci + c) * co + o]!;
  return { data: out, dims: [co, ci, kh, kw] };
}

/** Serialized ONNX model for `graph` at a fixed square input `side` (the batch dimension stays free). */
export function exportFeatureOnnx(graph: Graph, taps: FeatureTaps, side: number): Uint8Array {
  const nodes: OnnxTypes.INodeProto[] = [];
  const inits: OnnxTypes.ITensorProto[] = [];
  const sizes = valueSizes(graph, side);
  const channels = valueChannels(graph);
  const v = (name: string) => `v:${name}`; // graph value → NCHW ONNX value
  let uid = 0;
  const fresh = (hint: string) => `${hint}#${uid++}`;

  const activate = (x: string, a: Activation, out: string) => {
    if (a === 'none') nodes.push({ opType: 'Identity', input: [x], output: [out] });
    else if (a === 'relu') nodes.push({ opType: 'Relu', input: [x], output: [out] });
    else {
      if (!inits.some((t) => t.name === 'relu6_min')) {
        inits.push(floatTensor('relu6_min', [], new Float32Array([0])), floatTensor('relu6_max', [], new Float32Array([6])));
      }
      nodes.push({ opType: 'Clip', input: [x, 'relu6_min', 'relu6_max'], output: [out] });
    }
  };

  nodes.push({ opType: 'Transpose', input: ['input'], output: [v(graph.input)], attribute: [attrInts('perm', [0, 3, 1, 2])] });
  for (const node of subgraphFor(graph, [taps.embedding, taps.shallow])) {
    switch (node.op) {
      case 'conv': {
        const [kh, kw, ci] = node.kernelShape;
        const inSize = sizes.get(node.input)!;
        const [pt, pb] = tfPads(inSize, kh, node.strides[0], node.dilations[0], node.padding);
        const [pl, pr] = tfPads(inSize, kw, node.strides[1], node.dilations[1], node.padding);
        const w = toOihw(node.kernel, node.kernelShape, node.depthwise);
        const wName = fresh(`${node.output}/W`);
        inits.push(floatTensor(wName, w.dims, w.data));
        const inputs = [v(node.input), wName];
        if (node.bias) {
          const bName = fresh(`${node.output}/B`);
          inits.push(floatTensor(bName, [node.bias.length], node.bias));
          inputs.push(bName);
        }
        const convOut = node.activation === 'none' ? v(node.output) : fresh(`${node.output}/conv`);
        nodes.push({
          opType: 'Conv',
          input: inputs,
          output: [convOut],
          attribute: [
            attrInts('kernel_shape', [kh, kw]),
            attrInts('strides', node.strides),
            attrInts('dilations', node.dilations),
            attrInts('pads', [pt, pl, pb, pr]),
            attrInt('group', node.depthwise ? ci : 1),
          ],
        });
        if (node.activation !== 'none') activate(convOut, node.activation, v(node.output));
        break;
      }
      case 'add': {
        const sum = node.activation === 'none' ? v(node.output) : fresh(`${node.output}/sum`);
        nodes.push({ opType: 'Add', input: node.inputs.map(v), output: [sum] });
        if (node.activation !== 'none') activate(sum, node.activation, v(node.output));
        break;
      }
      case 'globalMean':
        nodes.push({ opType: 'GlobalAveragePool', input: [v(node.input)], output: [v(node.output)] });
        break;
      default:
        throw new Error(`ONNX export: "${node.op}" is not needed for features and not supported`);
    }
  }
  // Feature heads.
  const emb = fresh('emb/gap');
  nodes.push({ opType: 'GlobalAveragePool', input: [v(taps.embedding)], output: [emb] });
  nodes.push({ opType: 'Flatten', input: [emb], output: ['embedding'], attribute: [attrInt('axis', 1)] });
  const sSize = sizes.get(taps.shallow)!;
  const k = Math.floor(sSize / taps.grid);
  if (k < 1) throw new Error(`shallow tap ${sSize}×${sSize} is smaller than the ${taps.grid}×${taps.grid} grid`);
  const pooled = fresh('shallow/pool');
  const nhwc = fresh('shallow/nhwc');
  nodes.push({ opType: 'AveragePool', input: [v(taps.shallow)], output: [pooled], attribute: [attrInts('kernel_shape', [k, k]), attrInts('strides', [k, k])] });
  nodes.push({ opType: 'Transpose', input: [pooled], output: [nhwc], attribute: [attrInts('perm', [0, 2, 3, 1])] });
  nodes.push({ opType: 'Flatten', input: [nhwc], output: ['shallow'], attribute: [attrInt('axis', 1)] });

  const D = channels.get(taps.embedding)!;
  const C = channels.get(taps.shallow)!;
  const model: OnnxTypes.IModelProto = {
    irVersion: 7,
    producerName: 'photocluster',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'backbone_features',
      node: nodes,
      initializer: inits,
      input: [valueInfo('input', ['N', side, side, 3])],
      output: [valueInfo('embedding', ['N', D]), valueInfo('shallow', ['N', taps.grid * taps.grid * C])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
