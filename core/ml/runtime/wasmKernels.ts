import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Kernels the wasm backend lacks or runs slowly in the DCCM training graph (measured by profiling a training step).
 *
 * Convolution gradients, expressed as forward convolutions so they run on XNNPACK:
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter at all, and its Conv2DBackpropInput is a scalar loop that is
 * several times slower than the forward convolution it mirrors. Both gradients are themselves convolutions:
 *  - filter gradient: correlate the (channels-first) padded input with dy used as a filter, dilated by the stride;
 *  - input gradient: correlate the zero-dilated, padded dy with the spatially flipped, in/out-swapped filter.
 */

type Info = TensorInfo;
/** The parts of tfjs-backend-wasm's BackendWasm a JavaScript kernel needs to work on tensors in the wasm heap. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}
type Args = { inputs: tf.NamedTensorInfoMap; backend: KernelBackend; attrs: NamedAttrMap };

interface Ctx {
  backend: KernelBackend;
  temps: Info[];
}

/** The wasm package's own kernels, captured before this module replaces some of them. */
const builtin = new Map<string, KernelFunc>();

function kernelFor(kernelName: string): KernelFunc {
  const own = builtin.get(kernelName) ?? tf.getKernel(kernelName, 'wasm')?.kernelFunc;
  if (!own) throw new Error(`wasm backend has no ${kernelName} kernel`);
  return own;
}

function call(ctx: Ctx, kernelName: string, inputs: Record<string, Info>, attrs: NamedAttrMap = {}): Info {
  const out = kernelFor(kernelName)({ inputs, backend: ctx.backend, attrs }) as Info;
  ctx.temps.push(out);
  return out;
}

/** Runs `body`, then frees every intermediate it made except the result. */
function withTemps(backend: KernelBackend, body: (ctx: Ctx) => Info): Info {
  const ctx: Ctx = { backend, temps: [] };
  try {
    const result = body(ctx);
    for (const t of ctx.temps) if (t !== result) backend.disposeData(t.dataId);
    return result;
  } catch (err) {
    for (const t of ctx.temps) backend.disposeData(t.dataId);
    throw err;
  }
}

/** Pads (positive amounts) or crops (negative amounts) each axis. */
function padOrCrop(ctx: Ctx, x: Info, amounts: Array<[number, number]>): Info {
  let cur = x;
  if (amounts.some(([a, b]) => a < 0 || b < 0)) {
    const begin = amounts.map(([a]) => Math.max(0, -a));
    const size = cur.shape.map((d, i) => d - begin[i]! - Math.max(0, -amounts[i]![1]));
    cur = call(ctx, tf.Slice, { x: cur }, { begin, size });
  }
  if (amounts.some(([a, b]) => a > 0 || b > 0)) {
    const paddings = amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
    cur = call(ctx, tf.PadV2, { x: cur }, { paddings, constantValue: 0 });
  }
  return cur;
}

function convInfoOf(xShape: number[], filterShape: number[], attrs: NamedAttrMap): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') throw new Error(`wasm conv gradients support NHWC only, got ${dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
}

function conv2DBackpropFilter(args: Args): Info {
  const { x, dy } = args.inputs as unknown as { x: Info; dy: Info };
  const { filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfoOf(x.shape, filterShape, args.attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo } = info;
  return withTemps(args.backend, (ctx) => {
    // Rows/cols of the padded input that the forward conv actually read; the rest would change the output size.
    const needH = kh + (oh - 1) * sh;
    const needW = kw + (ow - 1) * sw;
    const xp = padOrCrop(ctx, x, [
      [0, 0],
      [padInfo.top, needH - x.shape[1]! - padInfo.top],
      [padInfo.left, needW - x.shape[2]! - padInfo.left],
      [0, 0],
    ]);
    const xT = call(ctx, tf.Transpose, { x: xp }, { perm: [3, 1, 2, 0] }); // [Ci, H, W, N]
    const dyT = call(ctx, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Co]
    const g = call(ctx, tf.Conv2D, { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode: undefined as unknown as string,
    }); // [Ci, KH, KW, Co]
    return call(ctx, tf.Transpose, { x: g }, { perm: [1, 2, 0, 3] });
  });
}

function conv2DBackpropInput(args: Args): Info {
  const { dy, filter } = args.inputs as unknown as { dy: Info; filter: Info };
  const { inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfoOf(inputShape, filter.shape, args.attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, padInfo } = info;
  const [n, h, w] = inputShape as [number, number, number, number];
  const co = filter.shape[3]!;
  return withTemps(args.backend, (ctx) => {
    let d = dy;
    if (sh > 1 || sw > 1) {
      // Insert stride-1 zeros between dy's pixels: [N,OH,1,OW,1,C] padded to [N,OH,sh,OW,sw,C].
      const six = call(ctx, tf.Reshape, { x: d }, { shape: [n, oh, 1, ow, 1, co] });
      const spread = call(ctx, tf.PadV2, { x: six }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
        constantValue: 0,
      });
      d = call(ctx, tf.Reshape, { x: spread }, { shape: [n, oh * sh, ow * sw, co] });
    }
    // Dilated dy is (oh-1)*sh+1 tall; the reshape above left sh-1 extra zero rows at the bottom.
    const dilatedH = (oh - 1) * sh + 1;
    const dilatedW = (ow - 1) * sw + 1;
    const top = kh - 1 - padInfo.top;
    const left = kw - 1 - padInfo.left;
    const bottom = h + kh - 1 - dilatedH - top;
    const right = w + kw - 1 - dilatedW - left;
    const dp = padOrCrop(ctx, d, [
      [0, 0],
      [top, bottom - (d.shape[1]! - dilatedH)],
      [left, right - (d.shape[2]! - dilatedW)],
      [0, 0],
    ]);
    const flipped = call(ctx, tf.Reverse, { x: filter }, { dims: [0, 1] });
    const swapped = call(ctx, tf.Transpose, { x: flipped }, { perm: [0, 1, 3, 2] }); // [KH, KW, Co, Ci]
    return call(ctx, tf.Conv2D, { x: dp, filter: swapped }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined as unknown as string,
    });
  });
}

/** Shape each tensor buffer was last multiplied with as the right-hand operand (see `batchMatMul`). */
const rhsShapes = new WeakMap<object, string>();

/**
 * Two fixes around the builtin BatchMatMul:
 *  - it takes a scalar loop whenever an operand is transposed (~7× slower than its XNNPACK path for the weight
 *    gradients of dense layers), so the transpose is materialised and the fast path taken instead;
 *  - its XNNPACK path caches the packed right-hand operand by buffer id alone, so the same buffer seen again
 *    through a reshape of another shape would be multiplied with stale weights; such an operand is copied first.
 */
function batchMatMul(args: Args): Info {
  const { a, b } = args.inputs as unknown as { a: Info; b: Info };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  return withTemps(args.backend, (ctx) => {
    const swapLast = (t: Info): Info => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
      return call(ctx, tf.Transpose, { x: t }, { perm });
    };
    const aa = transposeA ? swapLast(a) : a;
    let bb = transposeB ? swapLast(b) : b;
    const key = bb.shape.join('x');
    const seen = rhsShapes.get(bb.dataId);
    if (seen !== undefined && seen !== key) {
      bb = call(ctx, tf.PadV2, { x: bb }, { paddings: bb.shape.map(() => [0, 0]), constantValue: 0 });
    }
    rhsShapes.set(bb.dataId, key);
    return call(ctx, tf.BatchMatMul, { a: aa, b: bb }, { ...args.attrs, transposeA: false, transposeB: false });
  });
}

/** Axes to reduce when they are exactly the leading ones (e.g. all but channels), else null. */
function leadingAxes(x: Info, axis: number | number[]): number | null {
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  if (x.dtype !== 'float32' || axes.length === 0 || axes.length >= x.shape.length) return null;
  return axes.every((a, i) => a === i) ? axes.length : null;
}

/**
 * Sum/Mean over leading axes (BatchNorm statistics, gradients of broadcasts) in one JavaScript pass over the wasm
 * heap; the builtin kernels first transpose the whole tensor so that the reduced axes become innermost.
 */
function reduceLeading(args: Args, mean: boolean): Info {
  const { x } = args.inputs as unknown as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const lead = leadingAxes(x, axis);
  if (lead === null) return kernelFor(mean ? tf.Mean : tf.Sum)(args) as Info;
  const rows = x.shape.slice(0, lead).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(lead);
  const cols = inner.reduce((p, q) => p * q, 1);
  const heap = args.backend as unknown as WasmHeap;
  const out = heap.makeOutput(keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...inner] : inner, 'float32');
  const xv = heap.typedArrayFromHeap(x);
  const ov = heap.typedArrayFromHeap(out);
  const acc = new Float64Array(cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) acc[c] = acc[c]! + xv[o + c]!;
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < cols; c++) ov[c] = acc[c]! * scale;
  return out;
}

/**
 * MaxPool gradient in one JavaScript pass over the heap (~2× the builtin): route each dy to the first maximum of
 * its window, TF's tie rule.
 */
function maxPoolGrad(args: Args): Info {
  const { dy, input } = args.inputs as unknown as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const heap = args.backend as unknown as WasmHeap;
  const out = heap.makeOutput(input.shape, 'float32');
  // Views only after the last allocation: growing the wasm heap detaches earlier ones.
  const xv = heap.typedArrayFromHeap(input);
  const dyv = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const best = new Float32Array(ch);
  const bestAt = new Int32Array(ch);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight - padInfo.top + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth - padInfo.left + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const base = ((n * inHeight + ih) * inWidth + iw) * ch;
            for (let c = 0; c < ch; c++) {
              const v = xv[base + c]!;
              if (v > best[c]! || bestAt[c] === -1) {
                best[c] = v;
                bestAt[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * ch;
        for (let c = 0; c < ch; c++) {
          const at = bestAt[c]!;
          if (at >= 0) dx[at] = dx[at]! + dyv[dyBase + c]!;
        }
      }
    }
  }
  return out;
}

/** Registers (or replaces) the wasm kernels above. Idempotent. */
export function registerWasmKernels(): void {
  const kernels: Array<[string, (args: Args) => Info]> = [
    [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
    [tf.Conv2DBackpropInput, conv2DBackpropInput],
    [tf.BatchMatMul, batchMatMul],
    [tf.Sum, (args) => reduceLeading(args, false)],
    [tf.Mean, (args) => reduceLeading(args, true)],
    [tf.MaxPoolGrad, maxPoolGrad],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing) {
      if (!builtin.has(kernelName) && kernelName !== tf.Conv2DBackpropFilter && kernelName !== tf.Conv2DBackpropInput) {
        builtin.set(kernelName, existing.kernelFunc);
      }
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc });
  }
}
