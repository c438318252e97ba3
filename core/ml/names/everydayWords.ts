/**
 * The 1,000 ImageNet classes gathered into everyday words, WordNet-style: a class ("tabby, tabby cat") goes to the
 * everyday word of its WordNet ancestor ("Cats"), and that word to a broader one ("Animals") for groups that mix
 * several. A few classes that are themselves what a person calls a thing ("jean" → "Jeans") also have a narrower word,
 * for a group whose photos agree on it. The animal classes (indices 0–397) are ordered by the WordNet hierarchy, so
 * ranges follow it; the rest (objects, food, scenes) are ordered by synset id, so they are matched by the words of
 * their labels.
 */

export interface EverydayWord {
  word: string;
  /** The broader word, for a group whose photos share only that. */
  broader: string | null;
  /** The narrower word, for a group whose photos agree on this kind of `word` ("Jeans" of "Trousers and shorts"). */
  narrow?: string;
}

const A = 'Animals';
/** [first index, last index, word, broader] over the animal part of ImageNet-1k, in WordNet order. */
const ANIMAL_RANGES: ReadonlyArray<[number, number, string, string]> = [
  [0, 6, 'Fish', A],
  [7, 24, 'Birds', A],
  [25, 29, 'Salamanders', A],
  [30, 32, 'Frogs', A],
  [33, 37, 'Turtles', A],
  [38, 48, 'Lizards', A],
  [49, 51, 'Crocodiles', A],
  [52, 68, 'Snakes', A],
  [69, 79, 'Spiders and bugs', A],
  [80, 100, 'Birds', A],
  [101, 101, 'Elephants', A],
  [102, 106, 'Wild animals', A],
  [107, 126, 'Sea creatures', A],
  [127, 146, 'Birds', A],
  [147, 150, 'Sea mammals', A],
  [151, 268, 'Dogs', A],
  [269, 280, 'Wolves and foxes', A],
  [281, 285, 'Cats', A],
  [286, 293, 'Big cats', A],
  [294, 297, 'Bears', A],
  [298, 299, 'Wild animals', A],
  [300, 326, 'Insects', A],
  [327, 329, 'Sea creatures', A],
  [330, 332, 'Rabbits', A],
  [333, 338, 'Small animals', A],
  [339, 339, 'Horses', A],
  [340, 340, 'Zebras', A],
  [341, 343, 'Pigs', A],
  [344, 347, 'Cattle', A],
  [348, 353, 'Deer and antelopes', A],
  [354, 355, 'Camels and llamas', A],
  [356, 364, 'Small animals', A],
  [365, 384, 'Monkeys and apes', A],
  [385, 386, 'Elephants', A],
  [387, 388, 'Pandas', A],
  [389, 397, 'Fish', A],
];

const V = 'Vehicles';
const C = 'Clothes';
/**
 * Label words → everyday word, first match wins; each pattern is tested against the class's first synonym. A rule's
 * fourth part gives some of its classes a narrower word.
 */
const OBJECT_RULES: ReadonlyArray<[RegExp, string, string | null, Record<string, string>?]> = [
  [/^(airliner|warplane|airship|wing|space shuttle|balloon)$/, 'Planes', V],
  [/^(sports car|convertible|cab|racer|minivan|limousine|jeep|beach wagon|Model T|car wheel|grille|police van|ambulance|go-kart|golfcart|amphibian)$/, 'Cars', V],
  [/^(trailer truck|tow truck|garbage truck|fire engine|pickup|moving van|tractor|forklift|snowplow|half track|tank|harvester|thresher)$/, 'Trucks', V],
  [/^(container ship|liner|fireboat|lifeboat|speedboat|schooner|yawl|catamaran|trimaran|pirate|aircraft carrier|wreck|submarine|canoe|gondola|paddlewheel|dock|boathouse)$/, 'Boats and ships', V],
  [/^(passenger car|electric locomotive|steam locomotive|freight car|streetcar|bullet train)$/, 'Trains', V],
  [/^(mountain bike|bicycle-built-for-two|tricycle|unicycle|moped|motor scooter|crash helmet)$/, 'Bikes', V],
  [/^(school bus|trolleybus|minibus|recreational vehicle|mobile home|horse cart|oxcart|jinrikisha)$/, 'Buses and carts', V],
  [/^(running shoe|sandal|clog|cowboy boot|Loafer|sock)$/, 'Shoes', C, { sandal: 'Sandals', 'cowboy boot': 'Boots' }],
  [/^(cowboy hat|sombrero|bonnet|shower cap|bathing cap|ski mask|mortarboard|football helmet|pickelhaube|bearskin)$/, 'Hats', C],
  [/^(jersey|sweatshirt|bow tie|Windsor tie|bolo tie)$/, 'Tops and shirts', C, { jersey: 'T-shirts', sweatshirt: 'Sweatshirts' }],
  [/^(cardigan|trench coat|fur coat|lab coat|bulletproof vest|poncho|cloak|military uniform|suit|vestment|stole|feather boa|apron)$/, 'Coats and jackets', C, { cardigan: 'Cardigans', 'trench coat': 'Coats', 'fur coat': 'Coats', suit: 'Suits' }],
  [/^(gown|overskirt|hoopskirt|miniskirt|sarong|abaya|kimono|academic gown|wig)$/, 'Dresses and skirts', C],
  [/^(jean|pajama|swimming trunks)$/, 'Trousers and shorts', C, { jean: 'Jeans', 'swimming trunks': 'Shorts' }],
  [/^(bikini|maillot|brassiere|diaper)$/, 'Swimwear and underwear', C],
  [/^(backpack|purse|mailbag|wallet|plastic bag)$/, 'Bags', C],
  [/^(pizza|cheeseburger|hotdog|bagel|pretzel|burrito|potpie|meat loaf|carbonara|guacamole|consomme|hot pot|trifle|ice cream|ice lolly|French loaf|mashed potato|head cabbage|broccoli|cauliflower|zucchini|spaghetti squash|acorn squash|butternut squash|cucumber|artichoke|bell pepper|cardoon|mushroom|Granny Smith|strawberry|orange|lemon|fig|pineapple|banana|jackfruit|custard apple|pomegranate|chocolate sauce|dough|plate|espresso|cup|eggnog|red wine|beer bottle|wine bottle)$/, 'Food and drink', null],
  [/^(alp|cliff|coral reef|geyser|lakeside|promontory|sandbar|seashore|valley|volcano)$/, 'Landscapes', null],
  [/^(daisy|yellow lady's slipper|rapeseed|corn|acorn|hip|buckeye|pot|vase)$/, 'Flowers and plants', null],
];

/** The everyday word of ImageNet class `index` (label as in the model's label list), or null for odds and ends. */
export function everydayWord(index: number, label: string): EverydayWord | null {
  for (const [from, to, word, broader] of ANIMAL_RANGES) if (index >= from && index <= to) return { word, broader };
  const head = label.split(',')[0]!.trim();
  for (const [pattern, word, broader, narrower] of OBJECT_RULES) {
    if (!pattern.test(head)) continue;
    const narrow = narrower?.[head];
    return narrow ? { word, broader, narrow } : { word, broader };
  }
  return null;
}

const ruleClasses = (pattern: RegExp) => pattern.source.match(/^\^\((.*)\)\$$/)![1]!.split('|');

/** Every class name the object rules list, for checking them against the model's label list. */
export function objectRuleWords(): string[] {
  return OBJECT_RULES.flatMap(([pattern]) => ruleClasses(pattern));
}

/** Classes given a narrower word that their rule does not list (a typo would leave the narrower word unused). */
export function unlistedNarrowerClasses(): string[] {
  return OBJECT_RULES.flatMap(([pattern, , , narrower]) => Object.keys(narrower ?? {}).filter((cls) => !ruleClasses(pattern).includes(cls)));
}
