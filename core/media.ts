/**
 * Photo bytes by opaque id, for the browser-mode server (`/thumb/<id>`, `/preview/<id>`) and Electron's `thumb:`
 * scheme alike. No path ever comes from a client.
 */

export interface MediaSource {
  /** The cached thumbnail file; null for an unknown photo or one the last scan could not use. */
  thumbnailFile(photoId: number): Promise<string | null>;
  /**
   * A display-size image of the original; null for an unknown photo. Throws MediaError when the photo cannot be shown
   * now (failed at the last scan, changed since, too large, a disk that does not answer, too many at once).
   */
  previewImage(photoId: number): Promise<{ body: Buffer; contentType: string } | null>;
}

/** Why a photo cannot be shown, as an HTTP status and a sentence for the person looking at it. */
export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    readonly status: 404 | 409 | 413 | 422 | 503 | 504,
    message: string,
  ) {
    super(message);
  }
}

export type PreviewAnswer = { status: 200; body: Buffer; contentType: string } | { status: number; text: string };

/** What `/preview/<id>` answers, in browser mode and Electron alike: the image, or a status with the reason in words. */
export async function answerPreview(media: MediaSource, photoId: number): Promise<PreviewAnswer> {
  try {
    const preview = await media.previewImage(photoId);
    return preview ? { status: 200, ...preview } : { status: 404, text: 'No preview: there is no photo with this id' };
  } catch (err) {
    if (err instanceof MediaError) return { status: err.status, text: `Cannot show this photo: ${err.message}` };
    throw err;
  }
}
