/**
 * Why a file could not be used, in words for someone who is not a programmer. The core's reason (which may quote the
 * image decoder) stays available behind "Details" for reporting a problem.
 */
const RULES: ReadonlyArray<[RegExp, string]> = [
  [/truncated|premature end|cut off|unexpected end/i, 'The file is cut off — it may not have finished copying.'],
  [/empty file|0 bytes/i, 'The file is empty.'],
  [/too large|megapixel/i, 'The picture is too big to open (more than 200 megapixels).'],
  [/not an image|unsupported image format|not a recognised image/i, 'This file is not a picture PhotoCluster can read.'],
  [/broken symbolic link|link loop|symbolic link/i, 'This is a shortcut to a file that is not there.'],
  [/not a regular file/i, 'This is not an ordinary file.'],
  [/permission|EACCES|EPERM|not allowed/i, 'PhotoCluster is not allowed to read this file.'],
  [/vanish|ENOENT|no such file/i, 'The file disappeared while it was being read.'],
  [/damaged|corrupt|invalid/i, 'The file is damaged and cannot be opened.'],
];

export function plainReason(reason: string): string {
  for (const [pattern, text] of RULES) if (pattern.test(reason)) return text;
  return 'The file could not be opened as a photo.';
}
