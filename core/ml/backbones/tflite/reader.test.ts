import * as tf from '@tensorflow/tfjs-core';
import { Builder } from 'flatbuffers';
import { beforeAll, describe, expect, it } from 'vitest';
import { TfGraphRunner } from '../tfGraph.js';
import { initBackend } from '../../runtime/backend.js';
import { readTflite, TfliteFormatError } from './reader.js';
import { ActivationFunctionType, BuiltinOperator, BuiltinOptions, F, Padding, TensorType } from './schema.js';
import { dequantize, tfliteToGraph, TfliteUnsupportedError } from './toGraph.js';

// A writer for tiny TFLite models, built with the same field ids the reader uses but through the flatbuffers
// Builder, so reader bugs in offsets/vtables show up as wrong values.
interface TensorDef {
  shape: number[];
  type: TensorType;
  name: string;
  data?: Uint8Array;
  quant?: { scale: number[]; zeroPoint: number[]; dim: number };
}
interface OpDef {
  op: BuiltinOperator;
  inputs: number[];
  outputs: number[];
  options?: { type: BuiltinOptions; fields: [slot: number, kind: 'i8' | 'i32', value: number][] };
  custom?: string;
}

function buildModel(tensors: TensorDef[], ops: OpDef[], io: { inputs: number[]; outputs: number[] }, identifier = 'TFL3'): Uint8Array {
  const b = new Builder(1024);
  const ints = (v: number[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]!);
    return b.endVector();
  };
  const offs = (v: number[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]!);
    return b.endVector();
  };
  // Buffers: 0 is the conventional empty buffer; each constant tensor gets its own.
  const bufferTables: number[] = [];
  const emptyBuf = (() => {
    b.startObject(3);
    return b.endObject();
  })();
  bufferTables.push(emptyBuf);
  const tensorBuffer: number[] = [];
  for (const t of tensors) {
    if (!t.data) {
      tensorBuffer.push(0);
      continue;
    }
    b.startVector(1, t.data.length, 16);
    for (let i = t.data.length - 1; i >= 0; i--) b.addInt8(t.data[i]!);
    const vec = b.endVector();
    b.startObject(3);
    b.addFieldOffset(F.Buffer.data, vec, 0);
    tensorBuffer.push(bufferTables.length);
    bufferTables.push(b.endObject());
  }
  const tensorTables = tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = ints(t.shape);
    let quant = 0;
    if (t.quant) {
      b.startVector(4, t.quant.scale.length, 4);
      for (let k = t.quant.scale.length - 1; k >= 0; k--) b.addFloat32(t.quant.scale[k]!);
      const scale = b.endVector();
      b.startVector(8, t.quant.zeroPoint.length, 8);
      for (let k = t.quant.zeroPoint.length - 1; k >= 0; k--) b.addInt64(BigInt(t.quant.zeroPoint[k]!));
      const zp = b.endVector();
      b.startObject(7);
      b.addFieldOffset(F.QuantizationParameters.scale, scale, 0);
      b.addFieldOffset(F.QuantizationParameters.zero_point, zp, 0);
      b.addFieldInt32(F.QuantizationParameters.quantized_dimension, t.quant.dim, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(F.Tensor.shape, shape, 0);
    b.addFieldInt8(F.Tensor.type, t.type, 0);
    b.addFieldInt32(F.Tensor.buffer, tensorBuffer[i]!, 0);
    b.addFieldOffset(F.Tensor.name, name, 0);
    if (quant) b.addFieldOffset(F.Tensor.quantization, quant, 0);
    return b.endObject();
  });
  const codes = [...new Set(ops.map((o) => `${o.op}|${o.custom ?? ''}`))];
  const codeTables = codes.map((c) => {
    const [op, custom] = c.split('|') as [string, string];
    const customOff = custom ? b.createString(custom) : 0;
    b.startObject(4);
    b.addFieldInt8(F.OperatorCode.deprecated_builtin_code, Math.min(Number(op), 127), 0);
    if (customOff) b.addFieldOffset(F.OperatorCode.custom_code, customOff, 0);
    b.addFieldInt32(F.OperatorCode.builtin_code, Number(op), 0);
    return b.endObject();
  });
  const opTables = ops.map((o) => {
    const inputs = ints(o.inputs);
    const outputs = ints(o.outputs);
    let options = 0;
    if (o.options) {
      b.startObject(8);
      for (const [slot, kind, value] of o.options.fields) {
        if (kind === 'i8') b.addFieldInt8(slot, value, 0);
        else b.addFieldInt32(slot, value, 0);
      }
      options = b.endObject();
    }
    b.startObject(5);
    b.addFieldInt32(F.Operator.opcode_index, codes.indexOf(`${o.op}|${o.custom ?? ''}`), 0);
    b.addFieldOffset(F.Operator.inputs, inputs, 0);
    b.addFieldOffset(F.Operator.outputs, outputs, 0);
    if (o.options) {
      b.addFieldInt8(F.Operator.builtin_options_type, o.options.type, 0);
      b.addFieldOffset(F.Operator.builtin_options, options, 0);
    }
    return b.endObject();
  });
  const sgName = b.createString('main');
  const tensorsVec = offs(tensorTables);
  const inVec = ints(io.inputs);
  const outVec = ints(io.outputs);
  const opsVec = offs(opTables);
  b.startObject(5);
  b.addFieldOffset(F.SubGraph.tensors, tensorsVec, 0);
  b.addFieldOffset(F.SubGraph.inputs, inVec, 0);
  b.addFieldOffset(F.SubGraph.outputs, outVec, 0);
  b.addFieldOffset(F.SubGraph.operators, opsVec, 0);
  b.addFieldOffset(F.SubGraph.name, sgName, 0);
  const sg = b.endObject();
  const desc = b.createString('crafted');
  const codesVec = offs(codeTables);
  const sgVec = offs([sg]);
  const bufVec = offs(bufferTables);
  b.startObject(5);
  b.addFieldInt32(F.Model.version, 3, 0);
  b.addFieldOffset(F.Model.operator_codes, codesVec, 0);
  b.addFieldOffset(F.Model.subgraphs, sgVec, 0);
  b.addFieldOffset(F.Model.description, desc, 0);
  b.addFieldOffset(F.Model.buffers, bufVec, 0);
  b.finish(b.endObject(), identifier);
  return b.asUint8Array().slice();
}

const bytesOf = (a: Int8Array | Int32Array | Float32Array) => new Uint8Array(a.buffer.slice(0));

// conv (int8 per-channel, VALID, RELU6) → depthwise (float, SAME, stride 2) → add (with the depthwise input? no:
// shapes differ) → MEAN keep_dims.
const convW = new Int8Array([2, -4, 10, 3, -1, 1]); // [3 out, 1, 1, 2 in]
const convScale = [0.5, 0.25, 1];
const convBias = new Int32Array([4, -8, 0]); // scale 0.25 each
const dwW = Float32Array.from({ length: 27 }, (_, i) => ((i % 7) - 3) / 4); // [1, 3, 3, 3]
const axes = new Int32Array([1, 2]);

function craftedTensors(): TensorDef[] {
  return [
    { name: 'input', shape: [1, 4, 4, 2], type: TensorType.FLOAT32 },
    { name: 'conv/w', shape: [3, 1, 1, 2], type: TensorType.INT8, data: bytesOf(convW), quant: { scale: convScale, zeroPoint: [0, 0, 0], dim: 0 } },
    { name: 'conv/b', shape: [3], type: TensorType.INT32, data: bytesOf(convBias), quant: { scale: [0.25, 0.25, 0.25], zeroPoint: [0, 0, 0], dim: 0 } },
    { name: 'conv/out;fused/alias', shape: [1, 4, 4, 3], type: TensorType.FLOAT32 },
    { name: 'dw/w', shape: [1, 3, 3, 3], type: TensorType.FLOAT32, data: bytesOf(dwW) },
    { name: 'dw/out', shape: [1, 2, 2, 3], type: TensorType.FLOAT32 },
    { name: 'axes', shape: [2], type: TensorType.INT32, data: bytesOf(axes) },
    { name: 'mean', shape: [1, 1, 1, 3], type: TensorType.FLOAT32 },
  ];
}
function craftedOps(): OpDef[] {
  const C = F.Conv2DOptions;
  const D = F.DepthwiseConv2DOptions;
  return [
    {
      op: BuiltinOperator.CONV_2D,
      inputs: [0, 1, 2],
      outputs: [3],
      options: {
        type: BuiltinOptions.Conv2DOptions,
        fields: [
          [C.padding, 'i8', Padding.VALID],
          [C.stride_w, 'i32', 1],
          [C.stride_h, 'i32', 1],
          [C.fused_activation_function, 'i8', ActivationFunctionType.RELU6],
        ],
      },
    },
    {
      op: BuiltinOperator.DEPTHWISE_CONV_2D,
      inputs: [3, 4, -1],
      outputs: [5],
      options: {
        type: BuiltinOptions.DepthwiseConv2DOptions,
        fields: [
          [D.padding, 'i8', Padding.SAME],
          [D.stride_w, 'i32', 2],
          [D.stride_h, 'i32', 2],
          [D.depth_multiplier, 'i32', 1],
        ],
      },
    },
    { op: BuiltinOperator.MEAN, inputs: [5, 6], outputs: [7], options: { type: BuiltinOptions.ReducerOptions, fields: [[F.ReducerOptions.keep_dims, 'i8', 1]] } },
  ];
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('readTflite on crafted flatbuffers', () => {
  const bytes = buildModel(craftedTensors(), craftedOps(), { inputs: [0], outputs: [7] });

  it('reads tables, vectors, strings, unions and quantization', () => {
    const m = readTflite(bytes);
    expect(m.version).toBe(3);
    expect(m.description).toBe('crafted');
    expect(m.inputs).toEqual([0]);
    expect(m.outputs).toEqual([7]);
    expect(m.tensors.map((t) => t.name)).toEqual(craftedTensors().map((t) => t.name));
    expect(m.tensors[1]!.shape).toEqual([3, 1, 1, 2]);
    expect(m.tensors[1]!.type).toBe(TensorType.INT8);
    expect(Array.from(new Int8Array(m.tensors[1]!.data!.slice().buffer))).toEqual(Array.from(convW));
    expect(Array.from(m.tensors[1]!.quantization!.scale)).toEqual(convScale);
    expect(m.tensors[1]!.quantization!.zeroPoint).toEqual([0, 0, 0]);
    expect(m.tensors[0]!.data).toBeNull();
    expect(m.operators.map((o) => o.opcode)).toEqual([BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.MEAN]);
    expect(m.operators[0]!.options).toEqual({
      kind: 'conv2d',
      padding: Padding.VALID,
      strideW: 1,
      strideH: 1,
      dilationW: 1,
      dilationH: 1,
      depthMultiplier: 1,
      activation: ActivationFunctionType.RELU6,
    });
    expect(m.operators[1]!.options).toMatchObject({ kind: 'depthwise', padding: Padding.SAME, strideW: 2, depthMultiplier: 1, activation: 0 });
    expect(m.operators[1]!.inputs).toEqual([3, 4, -1]);
    expect(m.operators[2]!.options).toEqual({ kind: 'reducer', keepDims: true });
  });

  it('dequantizes per channel along the quantized dimension', () => {
    const m = readTflite(bytes);
    expect(Array.from(dequantize(m.tensors[1]!))).toEqual([1, -2, 2.5, 0.75, -1, 1]);
    expect(Array.from(dequantize(m.tensors[2]!))).toEqual([1, -2, 0]);
    const asym = { ...m.tensors[1]!, quantization: { scale: new Float32Array([0.5]), zeroPoint: [2], quantizedDimension: 0 } };
    expect(Array.from(dequantize(asym))).toEqual([0, -3, 4, 0.5, -1.5, -0.5]);
  });

  it('runs as a float graph equal to the same ops written by hand', async () => {
    const graph = tfliteToGraph(readTflite(bytes));
    expect(graph.nodes.map((n) => n.op)).toEqual(['conv', 'conv', 'globalMean']);
    expect(graph.input).toBe('input');
    expect(graph.nodes[0]!.output).toBe('conv/out'); // first of the fused names
    const runner = new TfGraphRunner(graph, [graph.output]);
    const x = tf.tensor4d(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i) * 3), [1, 4, 4, 2]);
    const [got] = runner.run(x);
    const want = tf.tidy(() => {
      // Hand-dequantized conv kernel in HWIO: k[i][o] = w[o][i] * scale[o].
      const k = tf.tensor4d([1, 2.5, -1, -2, 0.75, 1], [1, 1, 2, 3]);
      const c = tf.clipByValue(tf.add(tf.conv2d(x, k, 1, 'valid'), tf.tensor1d([1, -2, 0])), 0, 6) as tf.Tensor4D;
      const d = tf.depthwiseConv2d(c, tf.tensor4d(dwW, [3, 3, 3, 1]), 2, 'same');
      return tf.mean(d, [1, 2], true);
    });
    expect(got!.shape).toEqual([1, 1, 1, 3]);
    const [g, w] = [await got!.data(), await want.data()];
    for (let i = 0; i < 3; i++) expect(g[i]).toBeCloseTo(w[i]!, 5);
    runner.dispose();
  });

  it('rejects files that are not TFLite models', () => {
    expect(() => readTflite(new Uint8Array([1, 2, 3]))).toThrow(TfliteFormatError);
    const other = buildModel(craftedTensors(), craftedOps(), { inputs: [0], outputs: [7] }, 'ABCD');
    expect(() => readTflite(other)).toThrow(/file identifier "ABCD"/);
  });

  it('fails cleanly on a truncated file', () => {
    for (const cut of [16, bytes.length >> 2, bytes.length >> 1, bytes.length - 40]) {
      let err: unknown;
      try {
        tfliteToGraph(readTflite(bytes.slice(0, cut)));
      } catch (e) {
        err = e;
      }
      expect(err, `cut at ${cut}`).toBeInstanceOf(Error);
      expect((err as Error).name, `cut at ${cut}`).toMatch(/Tflite(Format|Unsupported)Error/);
    }
  });

  it('names operators it cannot run', () => {
    const ops = craftedOps();
    ops[2] = { op: BuiltinOperator.MUL, inputs: [5, 5], outputs: [7] };
    expect(() => tfliteToGraph(readTflite(buildModel(craftedTensors(), ops, { inputs: [0], outputs: [7] })))).toThrow(/operator MUL is not supported/);
    ops[2] = { op: 32 as BuiltinOperator, custom: 'TFLite_Detection_PostProcess', inputs: [5], outputs: [7] };
    expect(() => tfliteToGraph(readTflite(buildModel(craftedTensors(), ops, { inputs: [0], outputs: [7] })))).toThrow(TfliteUnsupportedError);
  });
});
