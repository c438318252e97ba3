import { describe, expect, it } from 'vitest';
import { exifDateToIso, readExifFacts } from './exif.js';

describe('EXIF facts', () => {
  it('turns EXIF dates into ISO 8601, keeping a recorded offset', () => {
    expect(exifDateToIso('2021:06:15 10:20:30')).toBe('2021-06-15T10:20:30');
    expect(exifDateToIso('2021:06:15 10:20:30', '+02:00')).toBe('2021-06-15T10:20:30+02:00');
    expect(exifDateToIso('2021:06:15 10:20:30', 'garbage')).toBe('2021-06-15T10:20:30');
    // Cameras whose clock was never set write zeros; some write blanks.
    expect(exifDateToIso('0000:00:00 00:00:00')).toBeNull();
    expect(exifDateToIso('    :  :     :  :  ')).toBeNull();
    expect(exifDateToIso(undefined)).toBeNull();
  });

  it('never fails a photo over unreadable EXIF', async () => {
    const none = { takenAt: null, cameraMake: null, cameraModel: null };
    expect(await readExifFacts(undefined)).toEqual(none);
    expect(await readExifFacts(Buffer.from('Exif\0\0II*\0garbage-garbage'))).toEqual(none);
  });
});
