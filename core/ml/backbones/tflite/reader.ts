// Reads a TFLite flatbuffer into plain objects with the `flatbuffers` runtime and the schema's field ids.
// Bounds are checked on every offset so a truncated or hostile file fails with TfliteFormatError, not garbage.
import { ByteBuffer } from 'flatbuffers';
import {
  ActivationFunctionType,
  BuiltinOptions,
  BuiltinOperator,
  F,
  Padding,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  TensorType,
  TFLITE_FILE_IDENTIFIER,
} from './schema.js';

export class TfliteFormatError extends Error {
  override name = 'TfliteFormatError';
}

export interface TfliteQuantization {
  scale: Float32Array;
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TensorType;
  /** Constant data (weights, biases, shapes), or null for activations. A view into the file's bytes. */
  data: Uint8Array | null;
  quantization: TfliteQuantization | null;
}

export type TfliteOptions =
  | { kind: 'none' }
  | {
      kind: 'conv2d' | 'depthwise';
      padding: Padding;
      strideW: number;
      strideH: number;
      dilationW: number;
      dilationH: number;
      depthMultiplier: number;
      activation: ActivationFunctionType;
    }
  | { kind: 'pool2d'; padding: Padding; strideW: number; strideH: number; filterW: number; filterH: number; activation: ActivationFunctionType }
  | { kind: 'add'; activation: ActivationFunctionType }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'fullyConnected'; activation: ActivationFunctionType; keepNumDims: boolean }
  | { kind: 'softmax'; beta: number }
  | { kind: 'reshape'; newShape: number[] };

export interface TfliteOperator {
  opcode: BuiltinOperator | number;
  /** Set when the operator is a custom one (the model then cannot run here). */
  customCode: string | null;
  inputs: number[];
  outputs: number[];
  options: TfliteOptions;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** Table accessor: `pos` is the table's start; fields are looked up through its vtable. */
class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {}

  private field(id: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * id);
  }
  has(id: number): boolean {
    return this.field(id) !== 0;
  }
  private scalar(id: number, dflt: number, read: (at: number) => number): number {
    const o = this.field(id);
    return o ? read(this.pos + o) : dflt;
  }
  int32(id: number, dflt = 0): number {
    return this.scalar(id, dflt, (at) => this.bb.readInt32(at));
  }
  uint32(id: number, dflt = 0): number {
    return this.scalar(id, dflt, (at) => this.bb.readUint32(at));
  }
  int8(id: number, dflt = 0): number {
    return this.scalar(id, dflt, (at) => this.bb.readInt8(at));
  }
  uint8(id: number, dflt = 0): number {
    return this.scalar(id, dflt, (at) => this.bb.readUint8(at));
  }
  float32(id: number, dflt = 0): number {
    return this.scalar(id, dflt, (at) => this.bb.readFloat32(at));
  }
  string(id: number): string {
    const o = this.field(id);
    if (!o) return '';
    this.checkVector(this.pos + o, 1);
    return this.bb.__string(this.pos + o) as string;
  }
  table(id: number): Table | null {
    const o = this.field(id);
    if (!o) return null;
    const at = this.bb.__indirect(this.pos + o);
    checkRange(this.bb, at, 4);
    return new Table(this.bb, at);
  }
  /** Start (byte offset) and length of a vector field, bounds-checked for `elemSize`-byte elements. */
  vector(id: number, elemSize: number): { start: number; length: number } {
    const o = this.field(id);
    if (!o) return { start: 0, length: 0 };
    return this.checkVector(this.pos + o, elemSize);
  }
  private checkVector(at: number, elemSize: number): { start: number; length: number } {
    checkRange(this.bb, at, 4);
    const vecPos = at + this.bb.readUint32(at);
    checkRange(this.bb, vecPos, 4);
    const length = this.bb.readUint32(vecPos);
    const start = vecPos + 4;
    checkRange(this.bb, start, length * elemSize);
    return { start, length };
  }
  int32s(id: number): number[] {
    const { start, length } = this.vector(id, 4);
    return Array.from({ length }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  float32s(id: number): Float32Array {
    const { start, length } = this.vector(id, 4);
    return Float32Array.from({ length }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  int64s(id: number): number[] {
    const { start, length } = this.vector(id, 8);
    return Array.from({ length }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }
  bytes(id: number): Uint8Array | null {
    const { start, length } = this.vector(id, 1);
    if (!length) return null;
    return this.bb.bytes().subarray(start, start + length);
  }
  tables(id: number): Table[] {
    const { start, length } = this.vector(id, 4);
    return Array.from({ length }, (_, i) => {
      const at = this.bb.__indirect(start + 4 * i);
      checkRange(this.bb, at, 4);
      return new Table(this.bb, at);
    });
  }
}

function checkRange(bb: ByteBuffer, at: number, len: number): void {
  if (!(at >= 0 && len >= 0 && at + len <= bb.capacity())) {
    throw new TfliteFormatError(`offset ${at}+${len} outside the ${bb.capacity()}-byte file: truncated or not a TFLite model`);
  }
}

function readOptions(op: Table): TfliteOptions {
  const type = op.uint8(F.Operator.builtin_options_type);
  const t = type === BuiltinOptions.NONE ? null : op.table(F.Operator.builtin_options);
  if (!t) return { kind: 'none' };
  switch (type) {
    case BuiltinOptions.Conv2DOptions:
    case BuiltinOptions.DepthwiseConv2DOptions: {
      // Same fields, except that depthwise inserts depth_multiplier, shifting the field ids after it.
      const depthwise = type === BuiltinOptions.DepthwiseConv2DOptions;
      const o = depthwise ? F.DepthwiseConv2DOptions : F.Conv2DOptions;
      return {
        kind: depthwise ? 'depthwise' : 'conv2d',
        padding: t.int8(o.padding),
        strideW: t.int32(o.stride_w),
        strideH: t.int32(o.stride_h),
        dilationW: t.int32(o.dilation_w_factor, 1),
        dilationH: t.int32(o.dilation_h_factor, 1),
        depthMultiplier: depthwise ? t.int32(F.DepthwiseConv2DOptions.depth_multiplier, 1) : 1,
        activation: t.int8(o.fused_activation_function),
      };
    }
    case BuiltinOptions.Pool2DOptions: {
      const o = F.Pool2DOptions;
      return {
        kind: 'pool2d',
        padding: t.int8(o.padding),
        strideW: t.int32(o.stride_w),
        strideH: t.int32(o.stride_h),
        filterW: t.int32(o.filter_width),
        filterH: t.int32(o.filter_height),
        activation: t.int8(o.fused_activation_function),
      };
    }
    case BuiltinOptions.AddOptions:
      return { kind: 'add', activation: t.int8(F.AddOptions.fused_activation_function) };
    case BuiltinOptions.ReducerOptions:
      return { kind: 'reducer', keepDims: t.uint8(F.ReducerOptions.keep_dims) !== 0 };
    case BuiltinOptions.FullyConnectedOptions:
      return {
        kind: 'fullyConnected',
        activation: t.int8(F.FullyConnectedOptions.fused_activation_function),
        keepNumDims: t.uint8(F.FullyConnectedOptions.keep_num_dims) !== 0,
      };
    case BuiltinOptions.SoftmaxOptions:
      return { kind: 'softmax', beta: t.float32(F.SoftmaxOptions.beta, 1) };
    case BuiltinOptions.ReshapeOptions:
      return { kind: 'reshape', newShape: t.int32s(F.ReshapeOptions.new_shape) };
    default:
      return { kind: 'none' };
  }
}

/** Parses the first subgraph of a TFLite model (image backbones have one). */
export function readTflite(bytes: Uint8Array): TfliteModel {
  try {
    return readModel(bytes);
  } catch (err) {
    if (err instanceof TfliteFormatError) throw err;
    // Reads past the end of a damaged file surface as RangeError from the byte buffer.
    throw new TfliteFormatError(`damaged TFLite model: ${(err as Error).message}`, { cause: err });
  }
}

function readModel(bytes: Uint8Array): TfliteModel {
  if (bytes.byteLength < 8) throw new TfliteFormatError('file too short to be a TFLite model');
  const bb = new ByteBuffer(bytes);
  if (bb.getBufferIdentifier() !== TFLITE_FILE_IDENTIFIER) {
    throw new TfliteFormatError(`not a TFLite model (file identifier "${bb.getBufferIdentifier()}", expected "${TFLITE_FILE_IDENTIFIER}")`);
  }
  const rootPos = bb.readUint32(0);
  checkRange(bb, rootPos, 4);
  const model = new Table(bb, rootPos);

  const opcodes = model.tables(F.Model.operator_codes).map((c) => {
    const deprecated = c.int8(F.OperatorCode.deprecated_builtin_code);
    const builtin = c.int32(F.OperatorCode.builtin_code);
    const custom = c.string(F.OperatorCode.custom_code);
    return { code: Math.max(deprecated === PLACEHOLDER_FOR_GREATER_OP_CODES ? 0 : deprecated, builtin), custom: custom || null };
  });
  const buffers = model.tables(F.Model.buffers).map((b) => {
    if (b.has(F.Buffer.offset)) throw new TfliteFormatError('models with buffers outside the flatbuffer (>2 GB layout) are not supported');
    return b.bytes(F.Buffer.data);
  });
  const subgraphs = model.tables(F.Model.subgraphs);
  const sg = subgraphs[0];
  if (!sg) throw new TfliteFormatError('model has no subgraph');

  const tensors = sg.tables(F.SubGraph.tensors).map((t, index): TfliteTensor => {
    const bufferIndex = t.uint32(F.Tensor.buffer);
    const q = t.table(F.Tensor.quantization);
    let quantization: TfliteQuantization | null = null;
    if (q) {
      const scale = q.float32s(F.QuantizationParameters.scale);
      if (scale.length) {
        quantization = {
          scale,
          zeroPoint: q.int64s(F.QuantizationParameters.zero_point),
          quantizedDimension: q.int32(F.QuantizationParameters.quantized_dimension),
        };
      }
    }
    if (bufferIndex >= Math.max(buffers.length, 1)) throw new TfliteFormatError(`tensor ${index} refers to missing buffer ${bufferIndex}`);
    return {
      index,
      name: t.string(F.Tensor.name),
      shape: t.int32s(F.Tensor.shape),
      type: t.int8(F.Tensor.type),
      data: buffers[bufferIndex] ?? null,
      quantization,
    };
  });
  const checkTensor = (i: number) => {
    // -1 marks an omitted optional input (e.g. a conv without bias).
    if (i !== -1 && (i < 0 || i >= tensors.length)) throw new TfliteFormatError(`operator refers to missing tensor ${i}`);
    return i;
  };
  const operators = sg.tables(F.SubGraph.operators).map((op): TfliteOperator => {
    const code = opcodes[op.uint32(F.Operator.opcode_index)];
    if (!code) throw new TfliteFormatError(`operator refers to missing opcode ${op.uint32(F.Operator.opcode_index)}`);
    return {
      opcode: code.code,
      customCode: code.custom,
      inputs: op.int32s(F.Operator.inputs).map(checkTensor),
      outputs: op.int32s(F.Operator.outputs).map(checkTensor),
      options: readOptions(op),
    };
  });
  return {
    version: model.uint32(F.Model.version),
    description: model.string(F.Model.description),
    tensors,
    operators,
    inputs: sg.int32s(F.SubGraph.inputs).map(checkTensor),
    outputs: sg.int32s(F.SubGraph.outputs).map(checkTensor),
  };
}
