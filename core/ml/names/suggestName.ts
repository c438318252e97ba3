/**
 * A short name for a group from the ImageNet classifier outputs of its photos.
 *
 * Each photo votes with its classifier probabilities gathered into everyday words (everydayWords.ts). A word is
 * suggested only when many of the group's photos agree on it — never from one photo's guess: it must be the top word
 * of at least `minPhotos` photos and of at least `minShare` of the photos that have a word. When the specific words
 * are split ("Cars" and "Trucks"), the broader word ("Vehicles") is tried the same way. Otherwise: no suggestion. An
 * agreed word gives way to a narrower one ("Trousers and shorts" to "Jeans") only when most of the photos that chose it
 * (`minNarrowShare`) agree on that too: a group of T-shirts and sweatshirts stays "Tops and shirts".
 * A photo votes only when the classifier is fairly sure of its word (`minProb`): many weak guesses spread over, say,
 * dog and bird classes would otherwise add up to "Animals" for a group of small blurry aeroplanes.
 */
import { everydayWord, type EverydayWord } from './everydayWords.js';

export interface ClassScores {
  /** Class indices, best first (a photo's top few). */
  indices: ArrayLike<number>;
  /** Their probabilities. */
  probs: ArrayLike<number>;
}

export interface NameSuggestion {
  name: string;
  /** Photos whose top everyday word this is. */
  photos: number;
  /** Of the group's photos. */
  of: number;
}

export interface SuggestOptions {
  minPhotos?: number;
  minShare?: number;
  minProb?: number;
  minNarrowShare?: number;
}

/**
 * The everyday word a photo's top classes add up to most, its broader word, and the narrower word its classes of that
 * word add up to most (when that alone reaches `minProb`).
 */
export function photoWord(scores: ClassScores, labels: readonly string[], minProb = 0): EverydayWord | null {
  const classes = Array.from(scores.indices, (index, i) => ({ w: everydayWord(index, labels[index] ?? ''), p: scores.probs[i]! }));
  const best = <K>(key: (w: EverydayWord) => K | undefined): { key: K; p: number } | null => {
    const sums = new Map<K, number>();
    for (const { w, p } of classes) {
      const k = w ? key(w) : undefined;
      if (k !== undefined) sums.set(k, (sums.get(k) ?? 0) + p);
    }
    let top: { key: K; p: number } | null = null;
    for (const [k, p] of sums) if (!top || p > top.p) top = { key: k, p };
    return top && top.p >= minProb ? top : null;
  };
  const word = best((w) => w.word);
  if (!word) return null;
  const broader = classes.find((c) => c.w?.word === word.key)!.w!.broader;
  const narrow = best((w) => (w.word === word.key ? w.narrow : undefined));
  return narrow ? { word: word.key, broader, narrow: narrow.key } : { word: word.key, broader };
}

/**
 * Every name the photos support, best first: the specific words that pass the agreement test (each narrowed where
 * the photos agree on a narrower word), most photos first, or — only when none does — the broader words that pass it.
 */
export function nameCandidates(photos: readonly ClassScores[], labels: readonly string[], opts: SuggestOptions = {}): NameSuggestion[] {
  const minPhotos = opts.minPhotos ?? 3;
  const minShare = opts.minShare ?? 0.4;
  const minProb = opts.minProb ?? 0.3;
  const minNarrowShare = opts.minNarrowShare ?? 2 / 3;
  const words = photos.map((p) => photoWord(p, labels, minProb));
  const agreed = (key: (w: EverydayWord) => string | null | undefined): NameSuggestion[] => {
    const counts = new Map<string, number>();
    for (const w of words) {
      const k = w ? key(w) : null;
      if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts]
      .filter(([, n]) => n >= minPhotos && n >= minShare * photos.length)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => ({ name, photos: n, of: photos.length }));
  };
  const narrowed = (c: NameSuggestion): NameSuggestion => {
    const [top] = agreed((w) => (w.word === c.name ? w.narrow : null));
    return top && top.photos >= minNarrowShare * c.photos ? top : c;
  };
  const specific = agreed((w) => w.word).map(narrowed).sort((a, b) => b.photos - a.photos);
  return specific.length ? specific : agreed((w) => w.broader);
}

export function suggestName(photos: readonly ClassScores[], labels: readonly string[], opts: SuggestOptions = {}): NameSuggestion | null {
  return nameCandidates(photos, labels, opts)[0] ?? null;
}

/**
 * One name per group, no two alike and none a name in `taken` (the user's own group names): the words are coarse, so a
 * folder sorted well often has two groups of "Tops and shirts". Each group gets the best of its candidates no surer
 * group has taken — first choices before second ones, the groups whose photos agree most first — and a group whose
 * every word is taken gets its first word numbered ("Tops and shirts 2"; surer groups get the lower numbers), which
 * says as much and stays unique. Before all that, a group keeps its `shown` name (the one it shows now) where its
 * photos still agree on it: named again after an edit (a split takes photos from it), it is still the group the user
 * knew by that name, and the new group beside it is the one that gets another word or a number.
 */
export function distinctNames(
  candidates: ReadonlyArray<readonly NameSuggestion[]>,
  taken: Iterable<string> = [],
  shown: ReadonlyArray<string | null | undefined> = [],
): Array<NameSuggestion | null> {
  const key = (name: string) => name.trim().toLocaleLowerCase();
  const used = new Set([...taken].map(key));
  const out: Array<NameSuggestion | null> = candidates.map(() => null);
  candidates.forEach((list, group) => {
    const was = shown[group];
    const same = was ? list.find((c) => key(c.name) === key(was)) : undefined;
    if (!same || used.has(key(same.name))) return;
    out[group] = same;
    used.add(key(same.name));
  });
  const share = (c: NameSuggestion) => c.photos / c.of;
  const choices = candidates
    .flatMap((list, group) => list.map((c, rank) => ({ group, rank, c })))
    .sort((a, b) => a.rank - b.rank || share(b.c) - share(a.c) || a.group - b.group);
  for (const { group, c } of choices) {
    if (out[group] || used.has(key(c.name))) continue;
    out[group] = c;
    used.add(key(c.name));
  }
  const left = candidates.flatMap((list, group) => (!out[group] && list[0] ? [{ group, first: list[0] }] : []));
  left.sort((a, b) => share(b.first) - share(a.first) || a.group - b.group);
  for (const { group, first } of left) {
    let n = 2;
    while (used.has(key(`${first.name} ${n}`))) n++;
    out[group] = { ...first, name: `${first.name} ${n}` };
    used.add(key(`${first.name} ${n}`));
  }
  return out;
}
