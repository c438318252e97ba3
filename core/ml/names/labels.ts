/**
 * The ImageNet class names, shipped with the app (resources/imagenet-labels.json) rather than downloaded: the v1
 * backbone's published files carry none, and naming must work offline whenever the model itself is present.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string[] | undefined;

/** Found the way the backbone registry finds resources/models.json: from source or from the compiled copy. */
export function imagenetLabels(): string[] {
  if (cached) return cached;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [3, 4, 5].map((up) => path.resolve(here, ...Array<string>(up).fill('..'), 'resources', 'imagenet-labels.json'));
  const file = candidates.find((c) => fs.existsSync(c));
  if (!file) throw new Error(`resources/imagenet-labels.json not found (looked in ${candidates.join(', ')})`);
  const labels = (JSON.parse(fs.readFileSync(file, 'utf8')) as { labels: string[] }).labels;
  if (labels.length !== 1000) throw new Error(`resources/imagenet-labels.json has ${labels.length} labels, expected 1000`);
  return (cached = labels);
}
