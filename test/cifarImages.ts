// Loads CIFAR-10 test images from the shared dataset as one NHWC uint8 batch (32×32 RGB), for backbone tests and benches.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { sharedDir } from '../core/paths.js';

export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR_SIDE = 32;

export function cifarDir(): string {
  return path.join(sharedDir(), 'datasets', 'cifar10-test');
}

/** `perClass` images (files 0000, 0001, …) of each class in `classes`, class-major; labels are indices into `classes`. */
export async function loadCifar(classes: readonly string[], perClass: number, first = 0): Promise<{ pixels: Uint8Array; labels: number[]; n: number; side: number }> {
  const n = classes.length * perClass;
  const frame = CIFAR_SIDE * CIFAR_SIDE * 3;
  const pixels = new Uint8Array(n * frame);
  const labels: number[] = [];
  let i = 0;
  for (const [c, cls] of classes.entries()) {
    for (let k = first; k < first + perClass; k++) {
      const file = path.join(cifarDir(), cls, `${String(k).padStart(4, '0')}.jpg`);
      if (!fs.existsSync(file)) throw new Error(`missing ${file}`);
      const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.width !== CIFAR_SIDE || info.height !== CIFAR_SIDE) throw new Error(`${file} is ${info.width}×${info.height}, expected 32×32`);
      pixels.set(data, i++ * frame);
      labels.push(c);
    }
  }
  return { pixels, labels, n, side: CIFAR_SIDE };
}
