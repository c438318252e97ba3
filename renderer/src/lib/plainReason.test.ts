import { describe, expect, it } from 'vitest';
import { plainReason } from './plainReason.js';

describe('plainReason', () => {
  it('translates the core\'s decode reasons into plain words', () => {
    expect(plainReason('truncated or damaged jpeg image data (VipsJpeg: premature end of JPEG image)')).toBe('The file is cut off — it may not have finished copying.');
    expect(plainReason('empty file (0 bytes)')).toBe('The file is empty.');
    expect(plainReason('not an image: the content is not a recognised image format')).toBe('This file is not a picture PhotoCluster can read.');
    expect(plainReason('image too large: 20000×20000 is 400 megapixels, above the 200-megapixel limit')).toMatch(/too big/);
    expect(plainReason('broken symbolic link: its target /x does not exist')).toMatch(/shortcut/);
    expect(plainReason('something nobody expected')).toBe('The file could not be opened as a photo.');
  });
});
