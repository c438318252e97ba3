/**
 * Group colours that people with any common colour-vision deficiency can still tell apart: Okabe & Ito's eight, then
 * Paul Tol's "muted" set. Colours go to groups by rank (largest first), so the few groups a library has get the most
 * distinct colours instead of hues that land close together by id.
 */
export const SAFE_PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#D55E00', // vermillion
  '#F0E442', // yellow
  '#332288', // indigo
  '#882255', // wine
  '#44AA99', // teal
  '#999933', // olive
  '#AA4499', // purple
  '#117733', // green
  '#DDCC77', // sand
];
export const NO_GROUP_COLOUR = '#8C8C8C';

/** One colour per group id; beyond the palette colours repeat (the legend and hover still name the group). */
export function paletteFor(clusterIdsByRank: readonly number[]): Map<number, string> {
  return new Map(clusterIdsByRank.map((id, i) => [id, SAFE_PALETTE[i % SAFE_PALETTE.length]!]));
}
