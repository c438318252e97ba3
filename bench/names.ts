/**
 * `npm run bench -- names [perClass] [--datasets a,b]`: how sensible the suggested group names are. Each labelled
 * class folder (CIFAR-10 test, the clothing photos) is a group; its photos go through the backbone's ImageNet
 * classifier (MobileNet v1 0.75 from ../shared/models) and suggestName. Also a mixed group per class (70 % the class,
 * 30 % the others) to check that a name still follows the majority and is not taken from a few photos.
 * The report lists suggested name vs majority class; "sensible" is judged by the table in SENSIBLE below, and
 * "specific" counts the sensible names narrower than the broadest word a class accepts ("Jeans", not "Clothes"). `folders`:
 * each dataset's classes named together as the app names a library's groups (distinctNames: none repeated, a number
 * added where the word is taken), beside each named on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../core/ml/runtime/backend.js';
import { loadImageClassifier } from '../core/ml/names/classifier.js';
import { distinctNames, nameCandidates, suggestName, type ClassScores } from '../core/ml/names/suggestName.js';
import { sharedDir } from '../core/paths.js';

/** The everyday words a person would accept as a name for each labelled class. */
const SENSIBLE: Record<string, string[]> = {
  airplane: ['Planes', 'Vehicles'],
  automobile: ['Cars', 'Vehicles'],
  bird: ['Birds', 'Animals'],
  cat: ['Cats', 'Animals'],
  deer: ['Deer and antelopes', 'Animals'],
  dog: ['Dogs', 'Animals'],
  frog: ['Frogs', 'Animals'],
  horse: ['Horses', 'Animals'],
  ship: ['Boats and ships', 'Vehicles'],
  truck: ['Trucks', 'Vehicles'],
  dress: ['Dresses and skirts', 'Clothes'],
  hat: ['Hats', 'Clothes'],
  longsleeve: ['Tops and shirts', 'T-shirts', 'Sweatshirts', 'Coats and jackets', 'Cardigans', 'Clothes'],
  outwear: ['Coats and jackets', 'Coats', 'Cardigans', 'Clothes'],
  pants: ['Trousers and shorts', 'Jeans', 'Clothes'],
  shirt: ['Tops and shirts', 'Coats and jackets', 'Clothes'],
  shoes: ['Shoes', 'Sandals', 'Boots', 'Clothes'],
  shorts: ['Trousers and shorts', 'Shorts', 'Clothes'],
  skirt: ['Dresses and skirts', 'Clothes'],
  't-shirt': ['Tops and shirts', 'T-shirts', 'Clothes'],
};

async function classifyFolder(classify: (files: string[]) => Promise<ClassScores[]>, dir: string, perClass: number) {
  const out = new Map<string, ClassScores[]>();
  for (const cls of fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort()) {
    const files = fs.readdirSync(path.join(dir, cls)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().slice(0, perClass);
    out.set(cls, await classify(files.map((f) => path.join(dir, cls, f))));
  }
  return out;
}

export async function run(args: string[]) {
  const perClass = Number(args.find((a) => /^\d+$/.test(a)) ?? 60);
  const datasets = (args[args.indexOf('--datasets') + 1] && args.includes('--datasets') ? args[args.indexOf('--datasets') + 1]!.split(',') : ['cifar10-test', 'clothing-photos']);
  const backend = await initBackend('auto');
  const modelDir = path.join(sharedDir(), 'models', 'mobilenet_v1_0.75_224');
  const labels = (JSON.parse(fs.readFileSync(path.join(modelDir, 'metadata.json'), 'utf8')) as { labels: string[] }).labels;
  const classifier = await loadImageClassifier(modelDir);
  const side = 224;
  const classify = async (files: string[]) => {
    const scores: ClassScores[] = [];
    for (let i = 0; i < files.length; i += 16) {
      const batch = files.slice(i, i + 16);
      const pixels = new Uint8Array(batch.length * side * side * 3);
      await Promise.all(
        batch.map(async (f, j) => {
          const raw = await sharp(f).rotate().resize(side, side, { fit: 'cover' }).removeAlpha().raw().toBuffer();
          pixels.set(raw, j * side * side * 3);
        }),
      );
      scores.push(...(await classifier.classify(pixels, batch.length, side)));
    }
    return scores;
  };
  const rows: Array<{ dataset: string; group: string; majority: string; photos: number; suggested: string | null; support: string; sensible: boolean }> = [];
  // The whole folder named at once, as the app names a library's groups: one name per group, none repeated.
  const folders: Record<string, { separately: Array<string | null>; together: Array<string | null>; sensible: number; specific: number; repeatedSeparately: number }> = {};
  const sensibleName = (cls: string, name: string | null) => name !== null && (SENSIBLE[cls] ?? []).includes(name.replace(/ \d+$/, ''));
  const specificName = (cls: string, name: string | null) => sensibleName(cls, name) && name!.replace(/ \d+$/, '') !== SENSIBLE[cls]!.at(-1);
  const started = Date.now();
  for (const dataset of datasets) {
    const byClass = await classifyFolder(classify, path.join(sharedDir(), 'datasets', dataset), perClass);
    const classes = [...byClass.keys()];
    const candidates = classes.map((cls) => nameCandidates(byClass.get(cls)!, labels));
    const separately = candidates.map((list) => list[0]?.name ?? null);
    const together = distinctNames(candidates).map((n) => n?.name ?? null);
    folders[dataset] = {
      separately,
      together,
      sensible: classes.filter((cls, i) => sensibleName(cls, together[i]!)).length,
      specific: classes.filter((cls, i) => specificName(cls, together[i]!)).length,
      repeatedSeparately: separately.filter((n, i) => n !== null && separately.indexOf(n) !== i).length,
    };
    for (const cls of classes) {
      const own = byClass.get(cls)!;
      // A pure group, and a 70/30 mixed one: the same class's photos plus others' photos in round robin.
      const others = classes.filter((c) => c !== cls).flatMap((c) => byClass.get(c)!.slice(0, Math.ceil((own.length * 3) / 7 / (classes.length - 1))));
      for (const [kind, photos] of [['pure', own], ['70/30 mix', [...own, ...others.slice(0, Math.round((own.length * 3) / 7))]]] as const) {
        const s = suggestName(photos, labels);
        rows.push({ dataset, group: `${cls} (${kind})`, majority: cls, photos: photos.length, suggested: s?.name ?? null, support: s ? `${s.photos}/${s.of}` : '-', sensible: s !== null && (SENSIBLE[cls] ?? []).includes(s.name) });
      }
    }
  }
  classifier.dispose();
  const summary = (filter: (r: (typeof rows)[number]) => boolean) => {
    const rs = rows.filter(filter);
    return { groups: rs.length, named: rs.filter((r) => r.suggested).length, sensible: rs.filter((r) => r.sensible).length, wrong: rs.filter((r) => r.suggested && !r.sensible).length };
  };
  const table = ['| dataset | group | suggested | photos agreeing | sensible |', '|---|---|---|---|---|', ...rows.map((r) => `| ${r.dataset} | ${r.group} | ${r.suggested ?? '(none)'} | ${r.support} | ${r.suggested ? (r.sensible ? 'yes' : 'no') : '-'} |`)].join('\n');
  process.stdout.write(`${table}\n`);
  return {
    backend: backend.name,
    model: 'mobilenet_v1_0.75_224',
    perClass,
    seconds: (Date.now() - started) / 1000,
    folders,
    summary: Object.fromEntries(datasets.map((d) => [d, { pure: summary((r) => r.dataset === d && r.group.endsWith('(pure)')), mixed: summary((r) => r.dataset === d && r.group.endsWith('mix)')) }])),
    rows,
  };
}
