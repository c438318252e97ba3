// A small float inference graph for MobileNet-style backbones: convolutions with folded BatchNorm and fused
// activations, residual adds, global mean and a classifier top. Both weight formats (TF.js layers, TFLite) are
// lowered to it, so one TF.js executor and one ONNX exporter serve every backbone.

export type Activation = 'none' | 'relu' | 'relu6';

export interface ConvNode {
  op: 'conv';
  input: string;
  output: string;
  /** `depthwise`: kernel [kh, kw, cin, multiplier] (TF layout); `conv`: kernel [kh, kw, cin, cout] (HWIO). */
  depthwise: boolean;
  kernel: Float32Array;
  kernelShape: [number, number, number, number];
  bias: Float32Array | null;
  strides: [number, number];
  dilations: [number, number];
  padding: 'same' | 'valid';
  activation: Activation;
}

export interface AddNode {
  op: 'add';
  inputs: [string, string];
  output: string;
  activation: Activation;
}

/** Mean over height and width, keeping them as size-1 dims ([n,1,1,c]) like the TFLite MEAN in MobileNets. */
export interface GlobalMeanNode {
  op: 'globalMean';
  input: string;
  output: string;
}

/** [n, ...] → [n, product of the rest]. */
export interface FlattenNode {
  op: 'flatten';
  input: string;
  output: string;
}

export interface SoftmaxNode {
  op: 'softmax';
  input: string;
  output: string;
}

export type GraphNode = ConvNode | AddNode | GlobalMeanNode | FlattenNode | SoftmaxNode;

export interface Graph {
  /** Name of the NHWC float input (already preprocessed). */
  input: string;
  nodes: GraphNode[];
  /** Class probabilities, when the source model had its classifier. */
  output: string;
}

export function nodeInputs(node: GraphNode): string[] {
  return node.op === 'add' ? [...node.inputs] : [node.input];
}

/** Channels of every value for an input with `inputChannels` channels (shapes are static except for H, W). */
export function valueChannels(graph: Graph, inputChannels = 3): Map<string, number> {
  const ch = new Map<string, number>([[graph.input, inputChannels]]);
  for (const node of graph.nodes) {
    const inC = ch.get(nodeInputs(node)[0]!);
    if (inC === undefined) throw new Error(`graph value "${nodeInputs(node)[0]}" used before it is computed`);
    if (node.op === 'conv') ch.set(node.output, node.depthwise ? node.kernelShape[2] * node.kernelShape[3] : node.kernelShape[3]);
    else ch.set(node.output, inC);
  }
  return ch;
}

/** The prefix of the graph needed to compute `outputs` (taps), in execution order. */
export function subgraphFor(graph: Graph, outputs: string[]): GraphNode[] {
  const needed = new Set(outputs);
  const kept: GraphNode[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!needed.has(node.output)) continue;
    kept.push(node);
    for (const inp of nodeInputs(node)) needed.add(inp);
  }
  const known = new Set([graph.input, ...kept.map((n) => n.output)]);
  for (const o of outputs) if (!known.has(o)) throw new Error(`graph has no value named "${o}"`);
  return kept.reverse();
}

/** Spatial output size of a conv along one axis, TF semantics. */
export function convOutSize(inSize: number, kernel: number, stride: number, dilation: number, padding: 'same' | 'valid'): number {
  if (padding === 'same') return Math.ceil(inSize / stride);
  return Math.ceil((inSize - (kernel - 1) * dilation) / stride);
}

/** Height = width of every value for a square input of `side` pixels. */
export function valueSizes(graph: Graph, side: number): Map<string, number> {
  const size = new Map<string, number>([[graph.input, side]]);
  for (const node of graph.nodes) {
    const s = size.get(nodeInputs(node)[0]!)!;
    if (node.op === 'conv') size.set(node.output, convOutSize(s, node.kernelShape[0], node.strides[0], node.dilations[0], node.padding));
    else if (node.op === 'globalMean') size.set(node.output, 1);
    else size.set(node.output, s);
  }
  return size;
}
