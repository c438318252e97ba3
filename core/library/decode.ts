// One decode per photo: sharp reads the file once (shrinking on load where the format allows), applies the EXIF
// orientation and produces a small intermediate from which both the thumbnail and the model input are cut.
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { readExifFacts, type ExifFacts } from './exif.js';
import { MODEL_INPUT_BYTES, MODEL_INPUT_SIZE, THUMBNAIL_MAX_SIDE } from './cache.js';
import type { HeicDecoderPool } from './heic.js';

export const DEFAULT_MAX_PIXELS = 200_000_000;

/** A photo that cannot be decoded; the message is the reason shown to the user. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

export interface DecodeSource {
  /** A string path sharp can open, when the file name is valid UTF-8. */
  path?: string | undefined;
  /** The whole file, for names a string cannot express and for decoders that take bytes. */
  read: () => Promise<Buffer>;
}

export interface DecodedPhoto extends ExifFacts {
  /** Displayed size, i.e. after EXIF orientation. */
  width: number;
  height: number;
  format: string;
  thumbnail: { data: Buffer; width: number; height: number };
  /** 96×96×3 uint8 HWC. */
  modelInput: Buffer;
}

export interface DecodeOptions {
  maxPixels?: number;
  heic: HeicDecoderPool;
}

const FORMAT_NAMES: Record<string, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff' };

function formatName(meta: Metadata): string | undefined {
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'avif' : meta.compression === 'hevc' ? 'heic' : undefined;
  return FORMAT_NAMES[meta.format ?? ''];
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.trim();
}

/** The header could not be parsed: not an image at all, or one too damaged to say what it is. */
function headerReason(err: unknown): string {
  const msg = firstLine(err);
  if (/unsupported image format/i.test(msg)) return 'not an image: the content is not a recognised image format';
  return `cannot read the image header: ${msg}`;
}

/**
 * The header was fine but the pixels were not: a truncated or corrupt file. libvips' own message is kept for
 * detail, but it is not relied on — under concurrency it is sometimes only "Unknown error".
 */
function pixelReason(err: unknown, format: string): string {
  return `truncated or damaged ${format} image data (${firstLine(err)})`;
}

async function readMetadata(source: DecodeSource): Promise<Metadata> {
  try {
    // No pixel limit here: the header tells us the size, and we refuse with our own message below.
    return await sharp(source.path ?? (await source.read()), { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new DecodeError(headerReason(err));
  }
}

/** Size of the shared intermediate: long side ≤ 320 for the thumbnail, short side ≥ 96 for the model input. */
export function intermediateSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, Math.max(THUMBNAIL_MAX_SIDE / Math.max(width, height), MODEL_INPUT_SIZE / Math.min(width, height)));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes a photo once and returns its facts, a WebP thumbnail (long side 320) and the 96×96 RGB model input.
 * Throws DecodeError with a readable reason for anything that is not a decodable image within the pixel limit.
 */
export async function decodePhoto(source: DecodeSource, opts: DecodeOptions): Promise<DecodedPhoto> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const meta = await readMetadata(source);
  const format = formatName(meta);
  if (!format) throw new DecodeError(`unsupported image format: ${meta.format ?? 'unknown'}${meta.compression ? ` (${meta.compression})` : ''}`);
  const { width, height } = meta.autoOrient ?? { width: meta.width, height: meta.height };
  if (!width || !height) throw new DecodeError('image has no dimensions');
  if (width * height > maxPixels) {
    throw new DecodeError(
      `image too large: ${width}×${height} is ${(width * height / 1e6).toFixed(0)} megapixels, above the ${(maxPixels / 1e6).toFixed(0)}-megapixel limit`,
    );
  }
  const exif = await readExifFacts(meta.exif);
  const mid = intermediateSize(width, height);

  let pipeline: Sharp;
  let decoded = { width, height };
  if (format === 'heic') {
    let rgba;
    try {
      rgba = await opts.heic.decode(await source.read());
    } catch (err) {
      throw new DecodeError(pixelReason(err, 'HEIC'));
    }
    // libheif applies the container's rotation; the EXIF tag inside a HEIF is informational and must not be re-applied.
    decoded = { width: rgba.width, height: rgba.height };
    const m = intermediateSize(rgba.width, rgba.height);
    pipeline = sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 } }).resize(m.width, m.height, { fit: 'fill' });
  } else {
    pipeline = sharp(source.path ?? (await source.read()), { failOn: 'truncated', limitInputPixels: maxPixels, autoOrient: true }).resize(mid.width, mid.height, {
      fit: 'fill',
    });
  }

  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new DecodeError(pixelReason(err, format.toUpperCase()));
  }
  const rawInput = { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } } as const;
  const [thumb, input] = await Promise.all([
    sharp(raw.data, rawInput)
      .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80, effort: 2 }) // effort 2: half the encode time of the default 4 for ~1.5% more bytes
      .toBuffer({ resolveWithObject: true }),
    // Transparent areas become white rather than whatever colour the encoder left under them.
    sharp(raw.data, rawInput).flatten({ background: '#ffffff' }).resize(MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, { fit: 'cover' }).raw().toBuffer(),
  ]);
  if (input.length !== MODEL_INPUT_BYTES) throw new DecodeError(`internal error: model input has ${input.length} bytes`);
  return {
    ...exif,
    width: decoded.width,
    height: decoded.height,
    format,
    thumbnail: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
    modelInput: input,
  };
}
