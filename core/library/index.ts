// Public API of the library ingestion: what the service, the CLI and the trainer call.
export {
  scanLibrary,
  checkScanRoot,
  DEFAULT_CONCURRENCY,
  ScanRootError,
  ScanBusyError,
  type ScanOptions,
  type ScanProgress,
  type ScanPhase,
  type ScanSummary,
  type ScanError,
} from './scan.js';
export { thumbnailPath, modelInputPath, readModelInput, MODEL_INPUT_SIZE, MODEL_INPUT_BYTES, THUMBNAIL_MAX_SIDE } from './cache.js';
export { decodePhoto, DecodeError, DEFAULT_MAX_PIXELS, type DecodedPhoto } from './decode.js';
export { IMAGE_EXTENSIONS, displayPath, absolutePathBytes, isLosslessUtf8 } from './walk.js';
