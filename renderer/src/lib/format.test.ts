import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatEta, formatPercent, plural, progressFraction } from './format.js';

describe('formatting', () => {
  it('formats time left', () => {
    expect(formatEta(null)).toBe('estimating time left…');
    expect(formatEta(-1)).toBe('estimating time left…');
    expect(formatEta(3)).toBe('a few seconds left');
    expect(formatEta(44)).toBe('about 40 s left');
    expect(formatEta(150)).toBe('about 3 min left');
    expect(formatEta(3600)).toBe('about 1 h left');
    expect(formatEta(3900)).toBe('about 1 h 5 min left');
  });

  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 KB');
    expect(formatBytes(12_340_000)).toBe('12.3 MB');
    expect(formatBytes(250e9)).toBe('250 GB');
    expect(formatBytes(null)).toBe('—');
  });

  it('formats shares, counts and durations', () => {
    expect(formatPercent(0.874)).toBe('87%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
    expect(plural(1, 'photo')).toBe('1 photo');
    expect(plural(20000, 'photo')).toBe('20,000 photos');
    expect(progressFraction(5, 0)).toBeNull();
    expect(progressFraction(5, 10)).toBe(0.5);
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(7260)).toBe('2 h 1 min');
  });
});
