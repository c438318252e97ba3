import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../paths.js';
import { everydayWord, objectRuleWords, unlistedNarrowerClasses } from './everydayWords.js';
import { distinctNames, nameCandidates, photoWord, suggestName, type ClassScores, type NameSuggestion } from './suggestName.js';

// Enough of the ImageNet label list for the classes used here (index → label).
const labels: string[] = [];
labels[281] = 'tabby, tabby cat';
labels[285] = 'Egyptian cat';
labels[207] = 'golden retriever';
labels[817] = 'sports car, sport car';
labels[867] = 'trailer truck, tractor trailer';
labels[770] = 'running shoe';
labels[999] = 'toilet tissue, toilet paper';
labels[610] = 'jersey, T-shirt, tee shirt';
labels[841] = 'sweatshirt';
labels[608] = 'jean, blue jean, denim';
labels[697] = 'pajama, pyjama, pj\'s, jammies';

const photo = (...pairs: Array<[number, number]>): ClassScores => ({ indices: pairs.map((p) => p[0]), probs: pairs.map((p) => p[1]) });

describe('everyday words for ImageNet classes', () => {
  it('follows the WordNet order for animals and label words for objects', () => {
    expect(everydayWord(281, labels[281]!)).toEqual({ word: 'Cats', broader: 'Animals' });
    expect(everydayWord(207, labels[207]!)?.word).toBe('Dogs');
    expect(everydayWord(817, labels[817]!)).toEqual({ word: 'Cars', broader: 'Vehicles' });
    expect(everydayWord(770, labels[770]!)).toEqual({ word: 'Shoes', broader: 'Clothes' });
    expect(everydayWord(999, labels[999]!)).toBeNull();
  });

  it('reads a class by the first name of its label, as the model lists it ("bathing cap, swimming cap")', () => {
    expect(everydayWord(433, 'bathing cap, swimming cap')).toEqual({ word: 'Hats', broader: 'Clothes' });
  });

  it('gives a few classes a narrower word under their everyday word', () => {
    expect(everydayWord(608, labels[608]!)).toEqual({ word: 'Trousers and shorts', broader: 'Clothes', narrow: 'Jeans' });
    expect(everydayWord(697, labels[697]!)).toEqual({ word: 'Trousers and shorts', broader: 'Clothes' });
    expect(unlistedNarrowerClasses()).toEqual([]);
  });

  it('has a word for every object class it names, under that class\'s first name in the model\'s list', () => {
    const modelLabels = (JSON.parse(fs.readFileSync(path.join(sharedDir(), 'models', 'mobilenet_v1_0.75_224', 'metadata.json'), 'utf8')) as { labels: string[] }).labels;
    const heads = new Set(modelLabels.map((l) => l.split(',')[0]!.trim()));
    for (const word of objectRuleWords()) expect(heads.has(word), `"${word}" is not the first name of any class`).toBe(true);
  });
});

describe('suggestName', () => {
  it('names a group its photos agree on, adding up classes of the same everyday word', () => {
    const cats = [photo([281, 0.5], [285, 0.3]), photo([285, 0.6]), photo([281, 0.4], [207, 0.35]), photo([207, 0.9])];
    expect(suggestName(cats, labels)).toEqual({ name: 'Cats', photos: 3, of: 4 });
  });

  it('never names a group after one photo, however sure that photo is', () => {
    const one = [photo([817, 0.99]), photo([999, 0.9]), photo([999, 0.8]), photo([999, 0.7])];
    expect(suggestName(one, labels)).toBeNull();
    expect(suggestName([photo([817, 0.99])], labels)).toBeNull();
  });

  it('falls back to the broader word when the specific ones split, and to nothing when nothing holds', () => {
    const vehicles = [photo([817, 0.8]), photo([817, 0.7]), photo([867, 0.8]), photo([867, 0.6]), photo([770, 0.5])];
    expect(suggestName(vehicles, labels)).toEqual({ name: 'Vehicles', photos: 4, of: 5 });
    const mixed = [photo([817, 0.8]), photo([281, 0.7]), photo([770, 0.8]), photo([207, 0.6]), photo([999, 0.5])];
    expect(suggestName(mixed, labels)).toBeNull();
  });

  it('narrows a word when most of the photos that chose it agree on the narrower one', () => {
    // 8 of 10 photos are trousers; 6 of those 8 jeans (¾): "Jeans", with the photos that say jeans as its evidence.
    const jeans = [...Array(6).fill(photo([608, 0.7])), photo([697, 0.6]), photo([697, 0.5], [608, 0.2]), photo([999, 0.9]), photo([999, 0.8])];
    expect(suggestName(jeans, labels)).toEqual({ name: 'Jeans', photos: 6, of: 10 });
    // 5 T-shirts and 4 sweatshirts: the tops agree, the kinds do not.
    const tops = [...Array(5).fill(photo([610, 0.8])), ...Array(4).fill(photo([841, 0.8]))];
    expect(suggestName(tops, labels)).toEqual({ name: 'Tops and shirts', photos: 9, of: 9 });
    expect(suggestName(tops, labels, { minNarrowShare: 0.5 })).toEqual({ name: 'T-shirts', photos: 5, of: 9 });
  });

  it('narrows a photo only within its word, and only where the narrower word alone is fairly sure', () => {
    // Trousers (0.3 + 0.3) outweigh the T-shirt (0.35): the photo's narrower word is jeans, never T-shirts.
    const mostlyTrousers = photo([610, 0.35], [608, 0.3], [697, 0.3]);
    expect(photoWord(mostlyTrousers, labels, 0.3)).toEqual({ word: 'Trousers and shorts', broader: 'Clothes', narrow: 'Jeans' });
    // Jeans at 0.2 is too weak for a narrower vote, though the trousers together (0.45) are sure enough.
    expect(photoWord(photo([608, 0.2], [697, 0.25]), labels, 0.3)).toEqual({ word: 'Trousers and shorts', broader: 'Clothes' });
  });

  it('lets only fairly sure photos vote: many weak animal guesses do not make "Animals"', () => {
    // Twelve photos, each a weak guess spread over cats, dogs, cars and shoes.
    const blurry = Array.from({ length: 12 }, (_, i) => photo([[281, 207, 817, 770][i % 4]!, 0.2], [999, 0.1]));
    expect(suggestName(blurry, labels)).toBeNull();
    expect(suggestName(blurry, labels, { minProb: 0 })).toEqual({ name: 'Animals', photos: 6, of: 12 });
  });
});

describe('one name per group', () => {
  const c = (name: string, photos: number, of = 10): NameSuggestion => ({ name, photos, of });

  it('lists every word the photos agree on, most photos first, and broader words only when no specific one holds', () => {
    // 5 cars, 4 trucks of 9: both pass the 40 % test; Vehicles is not offered while a specific word holds.
    const both = [...Array(5).fill(photo([817, 0.8])), ...Array(4).fill(photo([867, 0.8]))];
    expect(nameCandidates(both, labels)).toEqual([c('Cars', 5, 9), c('Trucks', 4, 9)]);
    const split = [photo([817, 0.8]), photo([817, 0.7]), photo([867, 0.8]), photo([867, 0.6]), photo([770, 0.5])];
    expect(nameCandidates(split, labels)).toEqual([c('Vehicles', 4, 5)]);
    expect(suggestName(both, labels)).toEqual(c('Cars', 5, 9));
  });

  it('gives a shared word to the group whose photos agree on it most, and the others their next word', () => {
    const out = distinctNames([[c('Cars', 6), c('Trucks', 4)], [c('Cars', 9)], [c('Shoes', 8)]]);
    expect(out).toEqual([c('Trucks', 4), c('Cars', 9), c('Shoes', 8)]);
  });

  it('numbers a word when a group has no other, and never repeats the user\'s names', () => {
    const out = distinctNames([[c('Tops and shirts', 5)], [c('Tops and shirts', 9)], [c('Tops and shirts', 7)], [], [c('Shoes', 8)]], ['shoes', 'Tops and shirts 2']);
    expect(out.map((s) => s?.name ?? null)).toEqual(['Tops and shirts 4', 'Tops and shirts', 'Tops and shirts 3', null, 'Shoes 2']);
    // A numbered name keeps its evidence: the photos that agree on the word.
    expect(out[0]).toEqual(c('Tops and shirts 4', 5));
  });

  it('lets a group keep the name it shows while its photos still agree on it, though another group agrees more', () => {
    // A split: the group that was "Shoes" lost some shoes to a new group that agrees on the word more.
    const lists = [[c('Shoes', 5)], [c('Shoes', 9)]];
    expect(distinctNames(lists).map((s) => s?.name)).toEqual(['Shoes 2', 'Shoes']);
    expect(distinctNames(lists, [], ['Shoes', null]).map((s) => s?.name)).toEqual(['Shoes', 'Shoes 2']);
    // Not where its photos agree on it no more, nor over a name the user gave another group.
    expect(distinctNames([[c('Bags', 5)], [c('Shoes', 9)]], [], ['Shoes']).map((s) => s?.name)).toEqual(['Bags', 'Shoes']);
    expect(distinctNames(lists, ['shoes'], ['Shoes', null]).map((s) => s?.name)).toEqual(['Shoes 3', 'Shoes 2']);
  });

  it('leaves names alone when they differ', () => {
    const lists = [[c('Cats', 7)], [c('Dogs', 6)], [c('Birds', 5), c('Planes', 4)]];
    expect(distinctNames(lists)).toEqual([c('Cats', 7), c('Dogs', 6), c('Birds', 5)]);
  });
});
