// Field ids and enum values of the public TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs).
// Only the parts a float re-implementation of image backbones needs; the numbers are the schema's, not ours.
// A union field occupies two field ids in its table: `<name>_type` (ubyte) then the value (offset).

export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** Field ids (declaration order) of each table we read. */
export const F = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, quantized_dimension: 6 },
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Conv2DOptions: { padding: 0, stride_w: 1, stride_h: 2, fused_activation_function: 3, dilation_w_factor: 4, dilation_h_factor: 5 },
  DepthwiseConv2DOptions: {
    padding: 0,
    stride_w: 1,
    stride_h: 2,
    depth_multiplier: 3,
    fused_activation_function: 4,
    dilation_w_factor: 5,
    dilation_h_factor: 6,
  },
  Pool2DOptions: { padding: 0, stride_w: 1, stride_h: 2, filter_width: 3, filter_height: 4, fused_activation_function: 5 },
  AddOptions: { fused_activation_function: 0 },
  ReducerOptions: { keep_dims: 0 },
  FullyConnectedOptions: { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2 },
  SoftmaxOptions: { beta: 0 },
  ReshapeOptions: { new_shape: 0 },
} as const;

export enum TensorType {
  FLOAT32 = 0,
  FLOAT16 = 1,
  INT32 = 2,
  UINT8 = 3,
  INT64 = 4,
  STRING = 5,
  BOOL = 6,
  INT16 = 7,
  COMPLEX64 = 8,
  INT8 = 9,
  FLOAT64 = 10,
}

export enum BuiltinOperator {
  ADD = 0,
  AVERAGE_POOL_2D = 1,
  CONCATENATION = 2,
  CONV_2D = 3,
  DEPTHWISE_CONV_2D = 4,
  DEQUANTIZE = 6,
  FULLY_CONNECTED = 9,
  MAX_POOL_2D = 17,
  MUL = 18,
  RELU = 19,
  RELU6 = 21,
  RESHAPE = 22,
  SOFTMAX = 25,
  PAD = 34,
  MEAN = 40,
  SQUEEZE = 43,
  QUANTIZE = 114,
}

/** Index of each options table in the `BuiltinOptions` union. */
export enum BuiltinOptions {
  NONE = 0,
  Conv2DOptions = 1,
  DepthwiseConv2DOptions = 2,
  Pool2DOptions = 5,
  FullyConnectedOptions = 8,
  SoftmaxOptions = 9,
  AddOptions = 11,
  ReshapeOptions = 17,
  ReducerOptions = 27,
}

export enum Padding {
  SAME = 0,
  VALID = 1,
}

export enum ActivationFunctionType {
  NONE = 0,
  RELU = 1,
  RELU_N1_TO_1 = 2,
  RELU6 = 3,
  TANH = 4,
  SIGN_BIT = 5,
}

/** Operators added after the int8 `deprecated_builtin_code` ran out store 127 there and the real code in `builtin_code`. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;
