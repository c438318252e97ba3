/**
 * A short name for a group from the ImageNet classifier outputs of its photos.
 *
 * Each photo votes with its classifier probabilities gathered into everyday words (everydayWords.ts). A word is
 * suggested only when many of the group's photos agree on it — never from one photo's guess: it must be the top word
 * of at least `minPhotos` photos and of at least `minShare` of the photos that have a word. When the specific words
 * are split ("Cars" and "Trucks"), the broader word ("Vehicles") is tried the same way. Otherwise: no suggestion.
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
}

/** The everyday word a photo's top classes add up to most, and its broader word. */
export function photoWord(scores: ClassScores, labels: readonly string[], minProb = 0): EverydayWord | null {
  const byWord = new Map<string, { p: number; broader: string | null }>();
  for (let i = 0; i < scores.indices.length; i++) {
    const index = scores.indices[i]!;
    const w = everydayWord(index, labels[index] ?? '');
    if (!w) continue;
    const cur = byWord.get(w.word) ?? { p: 0, broader: w.broader };
    cur.p += scores.probs[i]!;
    byWord.set(w.word, cur);
  }
  let best: EverydayWord | null = null;
  let bestP = 0;
  for (const [word, { p, broader }] of byWord) if (p > bestP) (bestP = p), (best = { word, broader });
  return bestP >= minProb ? best : null;
}

export function suggestName(photos: readonly ClassScores[], labels: readonly string[], opts: SuggestOptions = {}): NameSuggestion | null {
  const minPhotos = opts.minPhotos ?? 3;
  const minShare = opts.minShare ?? 0.4;
  const minProb = opts.minProb ?? 0.3;
  const words = photos.map((p) => photoWord(p, labels, minProb));
  const pick = (key: (w: EverydayWord) => string | null): NameSuggestion | null => {
    const counts = new Map<string, number>();
    for (const w of words) {
      const k = w ? key(w) : null;
      if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let best: NameSuggestion | null = null;
    for (const [name, n] of counts) if (!best || n > best.photos) best = { name, photos: n, of: photos.length };
    return best && best.photos >= minPhotos && best.photos >= minShare * photos.length ? best : null;
  };
  return pick((w) => w.word) ?? pick((w) => w.broader);
}
