// The one place the rest of core/ml gets TF.js from. tfjs-core's Node bundle ships no gradient definitions (the
// umbrella @tensorflow/tfjs package normally adds them); tfjs-layers' Node bundle registers all of them into the
// shared global registry when loaded, so training works with only the packages this app depends on.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Scalar, Variable, Rank, NamedTensorMap } from '@tensorflow/tfjs-core';
