// The user's placements become the guide a fine-tune run learns from.
import { describe, expect, it } from 'vitest';
import { runGuide, type PhotoPlacement } from './runGuide.js';

const user = (hash: string, cluster_id: number): PhotoPlacement => ({ hash, cluster_id, source: 'user' });
const model = (hash: string, cluster_id: number): PhotoPlacement => ({ hash, cluster_id, source: 'model' });

describe('runGuide', () => {
  it('is undefined when the user has placed nothing', () => {
    expect(runGuide([])).toBeUndefined();
    expect(runGuide([model('a', 1), model('b', 2), { hash: 'c', cluster_id: null, source: null }])).toBeUndefined();
  });

  it('takes only photos the user placed, one entry per content, one slot per group', () => {
    const guide = runGuide([user('c', 7), model('x', 7), user('a', 3), user('b', 7), model('y', 3)]);
    expect(guide).toEqual({ hashes: ['a', 'b', 'c'], slots: [0, 1, 1] });
  });

  it('numbers the groups by id whatever order the photos come in', () => {
    const placements = [user('p', 42), user('q', 5), user('r', 17), user('s', 5)];
    const expected = { hashes: ['p', 'q', 'r', 's'], slots: [2, 0, 1, 0] };
    expect(runGuide(placements)).toEqual(expected);
    expect(runGuide([...placements].reverse())).toEqual(expected);
  });

  it('counts copies of one photo once, and leaves out a photo pinned to two groups', () => {
    // 'd' is in group 1 and (a copy) in group 2: contradictory. 'e' twice in group 1 is one entry.
    // Group 2 keeps a slot through 'f'; a copy the model placed elsewhere does not contradict a pin.
    const guide = runGuide([user('d', 1), user('d', 2), user('e', 1), user('e', 1), user('f', 2), model('f', 1)]);
    expect(guide).toEqual({ hashes: ['e', 'f'], slots: [0, 1] });
  });

  it('drops a group whose only pinned photo was contradictory, keeping the slots dense', () => {
    expect(runGuide([user('d', 1), user('d', 9), user('g', 4), user('h', 9)])).toEqual({ hashes: ['g', 'h'], slots: [0, 1] });
    expect(runGuide([user('d', 1), user('d', 2)])).toBeUndefined();
  });
});
