import { describe, expect, it } from 'vitest';
import { NameAllocator, numberedName, sanitizeName, utf8Bytes } from './names.js';

/** What every name we produce must satisfy on Windows, macOS and Linux. */
function assertPortable(name: string): void {
  expect(name.length).toBeGreaterThan(0);
  expect(name).not.toMatch(/[<>:"/\\|?*\u0000-\u001f\u007f]/u);
  expect(name).not.toMatch(/[ .]$/u);
  expect(name).not.toMatch(/^\./u);
  expect(name).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/iu);
  expect(utf8Bytes(name)).toBeLessThanOrEqual(255);
  expect(name.normalize('NFD').length).toBeLessThanOrEqual(255);
  expect(name).toBe(name.normalize('NFC'));
  // No lone surrogate: the name survives a UTF-8 round trip unchanged.
  expect(new TextDecoder().decode(new TextEncoder().encode(name))).toBe(name);
}

describe('sanitizeName', () => {
  const table: Array<[raw: string, kind: 'folder' | 'file', expected: string]> = [
    ['Cats', 'folder', 'Cats'],
    ['a:b', 'folder', 'a_b'],
    ['what?*', 'folder', 'what__'],
    ['<>:"/\\|?*', 'folder', '_________'],
    ['tab\there\nnewline', 'folder', 'tab_here_newline'],
    ['CON', 'folder', 'CON_'],
    ['con', 'folder', 'con_'],
    ['Aux', 'folder', 'Aux_'],
    ['nul.txt', 'file', 'nul_.txt'],
    ['CON .jpg', 'file', 'CON_.jpg'],
    ['com1.tar.gz', 'file', 'com1_.tar.gz'],
    ['LPT9', 'folder', 'LPT9_'],
    ['COM¹', 'folder', 'COM¹_'],
    ['CONSOLE', 'folder', 'CONSOLE'],
    ['.', 'folder', 'Untitled'],
    ['..', 'folder', 'Untitled'],
    ['', 'folder', 'Untitled'],
    ['   ', 'folder', 'Untitled'],
    ['.hidden', 'folder', 'hidden'],
    ['trailing dots...', 'folder', 'trailing dots'],
    ['trailing space ', 'folder', 'trailing space'],
    ['../../etc/passwd', 'folder', '_.._etc_passwd'],
    ['Beach 🏖️ 2023', 'folder', 'Beach 🏖️ 2023'],
    ['שלום עולם', 'folder', 'שלום עולם'],
    ['photo\u202Egpj.exe', 'file', 'photogpj.exe'],
    ['Cafe\u0301', 'folder', 'Café'],
    ['IMG_0001.JPG', 'file', 'IMG_0001.JPG'],
    ['.jpg', 'file', 'jpg'],
  ];
  it.each(table)('%j (%s) → %j', (raw, kind, expected) => {
    const name = sanitizeName(raw, kind);
    expect(name).toBe(expected);
    assertPortable(name);
    expect(sanitizeName(name, kind)).toBe(name);
  });

  it('cuts a 300-byte name to 255 bytes on a whole character', () => {
    const raw = 'é'.repeat(150); // 300 bytes in UTF-8
    const name = sanitizeName(raw, 'folder');
    assertPortable(name);
    expect(name).toBe('é'.repeat(127));
  });

  it('never splits an emoji, even a multi-code-point one, and keeps the extension', () => {
    const family = '👨‍👩‍👧‍👦'; // 25 bytes, one grapheme
    const raw = `${family.repeat(20)}.jpeg`; // 505 bytes
    const name = sanitizeName(raw, 'file');
    assertPortable(name);
    expect(name.endsWith('.jpeg')).toBe(true);
    const stem = name.slice(0, -'.jpeg'.length);
    expect(stem).toBe(family.repeat(10)); // 250 bytes: an 11th would not fit
  });

  it('keeps a long name within HFS+ limits after decomposition', () => {
    // 'ǖ' is 2 bytes in NFC UTF-8 but 3 UTF-16 units in NFD: the byte limit alone would allow 127 of them.
    const name = sanitizeName('ǖ'.repeat(200), 'folder');
    assertPortable(name);
    expect(name).toBe('ǖ'.repeat(85));
  });

  it('numbers names within the limit, shortening the stem rather than the extension', () => {
    expect(numberedName('IMG_0001.jpg', 2, 'file')).toBe('IMG_0001 (2).jpg');
    expect(numberedName('Cats', 3, 'folder')).toBe('Cats (3)');
    expect(numberedName('v1.2 trip', 2, 'folder')).toBe('v1.2 trip (2)');
    const long = sanitizeName(`${'x'.repeat(300)}.png`, 'file');
    const numbered = numberedName(long, 12, 'file');
    assertPortable(numbered);
    expect(numbered).toMatch(/^x+ \(12\)\.png$/u);
    expect(utf8Bytes(numbered)).toBe(255);
  });
});

describe('NameAllocator', () => {
  it('separates names that collide case-insensitively or after sanitising', () => {
    const alloc = new NameAllocator();
    const names = ['Cats', 'cats', 'CATS', 'a:b', 'a?b', 'Cats (2)'].map((n) => alloc.claim(sanitizeName(n, 'folder'), 'folder'));
    expect(names).toEqual(['Cats', 'cats (2)', 'CATS (3)', 'a_b', 'a_b (2)', 'Cats (2) (2)']);
  });

  it('avoids names already on disk and adopts existing folders it may reuse', () => {
    const alloc = new NameAllocator(['img_0001.jpg', 'Dogs'], ['Birds']);
    expect(alloc.claim('IMG_0001.jpg', 'file')).toBe('IMG_0001 (2).jpg');
    expect(alloc.claim('dogs', 'folder')).toBe('dogs (2)');
    expect(alloc.claim('birds', 'folder')).toBe('Birds');
    expect(alloc.claim('Birds', 'folder')).toBe('Birds (2)');
  });

  it('treats composed and decomposed spellings as the same name', () => {
    const alloc = new NameAllocator(['Cafe\u0301']);
    expect(alloc.claim(sanitizeName('Café', 'folder'), 'folder')).toBe('Café (2)');
  });
});
