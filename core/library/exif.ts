import exifr from 'exifr';

export interface ExifFacts {
  /** ISO 8601; local time of the camera unless EXIF recorded an offset. */
  takenAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
}

const NONE: ExifFacts = { takenAt: null, cameraMake: null, cameraModel: null };

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

function cleanText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/\u0000+$/g, '').trim();
  return s || null;
}

/** `2021:06:15 10:20:30` (+ optional `+02:00`) → `2021-06-15T10:20:30+02:00`; anything else → null. */
export function exifDateToIso(value: unknown, offset?: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = value.trim().match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  if (y === '0000' || mo === '00' || d === '00') return null; // cameras write zeros when the clock was never set
  const off = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${off}`;
}

/**
 * Capture date and camera from the EXIF block sharp hands back (a TIFF structure, for JPEG prefixed by "Exif\0\0").
 * Unparseable EXIF is common in the wild and never fails the photo: the facts are then unknown.
 */
export async function readExifFacts(exif: Buffer | undefined): Promise<ExifFacts> {
  if (!exif || exif.length < 8) return NONE;
  const tiff = exif.subarray(0, 6).equals(EXIF_HEADER) ? exif.subarray(6) : exif;
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(tiff, {
      pick: ['Make', 'Model', 'DateTimeOriginal', 'CreateDate', 'ModifyDate', 'OffsetTimeOriginal', 'OffsetTime'],
      reviveValues: false,
    });
  } catch {
    return NONE;
  }
  if (!tags) return NONE;
  return {
    takenAt:
      exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ?? exifDateToIso(tags.CreateDate, tags.OffsetTimeOriginal) ?? exifDateToIso(tags.ModifyDate, tags.OffsetTime),
    cameraMake: cleanText(tags.Make),
    cameraModel: cleanText(tags.Model),
  };
}
