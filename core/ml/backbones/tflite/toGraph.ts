// Lowers a (possibly int8-quantized) TFLite MobileNet to the float graph: weights are dequantized per channel,
// activation quantization is dropped (QUANTIZE/DEQUANTIZE become aliases), so it runs as a float network.
import type { Activation, Graph, GraphNode } from '../graph.js';
import type { TfliteModel, TfliteTensor } from './reader.js';
import { ActivationFunctionType, BuiltinOperator, Padding, TensorType } from './schema.js';

export class TfliteUnsupportedError extends Error {
  override name = 'TfliteUnsupportedError';
}

function activation(a: ActivationFunctionType): Activation {
  switch (a) {
    case ActivationFunctionType.NONE:
      return 'none';
    case ActivationFunctionType.RELU:
      return 'relu';
    case ActivationFunctionType.RELU6:
      return 'relu6';
    default:
      throw new TfliteUnsupportedError(`fused activation ${ActivationFunctionType[a] ?? a} is not supported`);
  }
}

/** Real values of a constant tensor: float32 as is, int8/uint8/int32 through (q - zeroPoint) * scale per channel. */
export function dequantize(t: TfliteTensor): Float32Array {
  if (!t.data) throw new TfliteUnsupportedError(`tensor "${t.name}" has no constant data`);
  const { data } = t;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = t.shape.reduce((a, b) => a * b, 1);
  let raw: (i: number) => number;
  switch (t.type) {
    case TensorType.FLOAT32:
      raw = (i) => view.getFloat32(4 * i, true);
      break;
    case TensorType.INT32:
      raw = (i) => view.getInt32(4 * i, true);
      break;
    case TensorType.INT8:
      raw = (i) => view.getInt8(i);
      break;
    case TensorType.UINT8:
      raw = (i) => view.getUint8(i);
      break;
    default:
      throw new TfliteUnsupportedError(`tensor "${t.name}" has unsupported type ${TensorType[t.type] ?? t.type}`);
  }
  const bytesPer = t.type === TensorType.FLOAT32 || t.type === TensorType.INT32 ? 4 : 1;
  if (data.byteLength < count * bytesPer) throw new TfliteUnsupportedError(`tensor "${t.name}" holds ${data.byteLength} bytes, needs ${count * bytesPer}`);
  const out = new Float32Array(count);
  const q = t.type === TensorType.FLOAT32 ? null : t.quantization;
  if (!q) {
    for (let i = 0; i < count; i++) out[i] = raw(i);
    return out;
  }
  // Element i's channel along the quantized dimension: (i / stride) % dimSize, row-major.
  const dim = q.quantizedDimension;
  const dimSize = q.scale.length > 1 ? t.shape[dim]! : 1;
  if (q.scale.length !== dimSize) throw new TfliteUnsupportedError(`tensor "${t.name}": ${q.scale.length} scales for dimension of size ${dimSize}`);
  const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < count; i++) {
    const c = dimSize === 1 ? 0 : Math.floor(i / stride) % dimSize;
    out[i] = (raw(i) - (q.zeroPoint[c] ?? 0)) * q.scale[c]!;
  }
  return out;
}

/** OHWI (TFLite conv) → HWIO (TF.js conv2d). */
function ohwiToHwio(w: Float32Array, shape: number[]): Float32Array {
  const [o, h, wd, i] = shape as [number, number, number, number];
  const out = new Float32Array(w.length);
  for (let oc = 0; oc < o; oc++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++)
        for (let ic = 0; ic < i; ic++) out[((y * wd + x) * i + ic) * o + oc] = w[((oc * h + y) * wd + x) * i + ic]!;
  return out;
}

/** Short, stable value name: the first of the `;`-joined names the converter fused into the tensor. */
function valueName(t: TfliteTensor, taken: Set<string>): string {
  const base = t.name.split(';')[0] || `tensor_${t.index}`;
  const name = taken.has(base) ? `${base}#${t.index}` : base;
  taken.add(name);
  return name;
}

export function tfliteToGraph(model: TfliteModel): Graph {
  const taken = new Set<string>();
  const names = new Map<number, string>();
  const nameOf = (i: number): string => {
    let n = names.get(i);
    if (!n) {
      n = valueName(model.tensors[i]!, taken);
      names.set(i, n);
    }
    return n;
  };
  const tensor = (i: number | undefined): TfliteTensor => {
    const t = i === undefined || i < 0 ? undefined : model.tensors[i];
    if (!t) throw new TfliteUnsupportedError(`operator input ${i} missing`);
    return t;
  };
  const inputIndex = model.inputs[0];
  if (inputIndex === undefined || model.inputs.length !== 1) throw new TfliteUnsupportedError('expected a model with exactly one input');
  const input = nameOf(inputIndex);
  const nodes: GraphNode[] = [];

  for (const op of model.operators) {
    if (op.customCode) throw new TfliteUnsupportedError(`custom operator "${op.customCode}" is not supported`);
    const o = op.options;
    const out0 = op.outputs[0]!;
    switch (op.opcode) {
      case BuiltinOperator.QUANTIZE:
      case BuiltinOperator.DEQUANTIZE:
        // Float execution: a re-quantization is the identity on real values.
        names.set(out0, nameOf(op.inputs[0]!));
        break;
      case BuiltinOperator.CONV_2D:
      case BuiltinOperator.DEPTHWISE_CONV_2D: {
        if (o.kind !== 'conv2d' && o.kind !== 'depthwise') throw new TfliteUnsupportedError('convolution without options');
        const w = tensor(op.inputs[1]);
        const wv = dequantize(w);
        const depthwise = op.opcode === BuiltinOperator.DEPTHWISE_CONV_2D;
        const [d0, kh, kw, d3] = w.shape as [number, number, number, number];
        const cin = model.tensors[op.inputs[0]!]!.shape[3]!;
        const bias = op.inputs[2] !== undefined && op.inputs[2] >= 0 ? dequantize(tensor(op.inputs[2])) : null;
        nodes.push({
          op: 'conv',
          input: nameOf(op.inputs[0]!),
          output: nameOf(out0),
          depthwise,
          // Depthwise [1, kh, kw, cin*mult] is already [kh, kw, cin, mult] in memory.
          kernel: depthwise ? wv : ohwiToHwio(wv, w.shape),
          kernelShape: depthwise ? [kh, kw, cin, d3 / cin] : [kh, kw, d3, d0],
          bias,
          strides: [o.strideH, o.strideW],
          dilations: [o.dilationH, o.dilationW],
          padding: o.padding === Padding.SAME ? 'same' : 'valid',
          activation: activation(o.activation),
        });
        break;
      }
      case BuiltinOperator.ADD:
        nodes.push({
          op: 'add',
          inputs: [nameOf(op.inputs[0]!), nameOf(op.inputs[1]!)],
          output: nameOf(out0),
          activation: activation(o.kind === 'add' ? o.activation : ActivationFunctionType.NONE),
        });
        break;
      case BuiltinOperator.MEAN: {
        const axes = Array.from(dequantize(tensor(op.inputs[1])));
        if (axes.length !== 2 || !axes.includes(1) || !axes.includes(2)) throw new TfliteUnsupportedError(`MEAN over axes [${axes}] is not supported`);
        if (o.kind === 'reducer' && !o.keepDims) {
          const kept = `${nameOf(out0)}#keep`;
          nodes.push({ op: 'globalMean', input: nameOf(op.inputs[0]!), output: kept });
          nodes.push({ op: 'flatten', input: kept, output: nameOf(out0) });
        } else nodes.push({ op: 'globalMean', input: nameOf(op.inputs[0]!), output: nameOf(out0) });
        break;
      }
      case BuiltinOperator.RESHAPE: {
        const shape = model.tensors[out0]!.shape;
        if (shape.length !== 2) throw new TfliteUnsupportedError(`RESHAPE to rank ${shape.length} is not supported`);
        nodes.push({ op: 'flatten', input: nameOf(op.inputs[0]!), output: nameOf(out0) });
        break;
      }
      case BuiltinOperator.SOFTMAX:
        if (o.kind === 'softmax' && o.beta !== 1) throw new TfliteUnsupportedError(`SOFTMAX with beta ${o.beta} is not supported`);
        nodes.push({ op: 'softmax', input: nameOf(op.inputs[0]!), output: nameOf(out0) });
        break;
      default:
        throw new TfliteUnsupportedError(`operator ${BuiltinOperator[op.opcode] ?? op.opcode} is not supported`);
    }
  }
  const outputIndex = model.outputs[0];
  if (outputIndex === undefined) throw new TfliteUnsupportedError('model has no output');
  return { input, nodes, output: nameOf(outputIndex) };
}
