// hexColor: the colour spellings annotations use, as #rrggbb; asked again (from its cache) the same answer.
import { describe, expect, it } from 'vitest';
import { hexColor } from '../src/result/color.js';

const CASES: Array<[string, string | undefined]> = [
  ['rgb(71, 153, 193)', '#4799c1'],
  ['  RGBA(0,0,255, 0.5) ', '#0000ff'],
  ['rgb(256, 0, 0)', undefined],
  ['#4799C1', '#4799c1'],
  [' #abcdef ', '#abcdef'],
  ['#abc', undefined],
  ['blue', undefined],
  ['', undefined],
  [`rgb(1, 2, 3${' '.repeat(100)})`, '#010203'],
];

describe('hexColor', () => {
  it.each(CASES)('%j -> %j, the first time and every time after', (color, expected) => {
    for (let i = 0; i < 3; i++) expect(hexColor(color)).toBe(expected);
  });

  it('stays right past its cache size, for spellings seen before and after the cache was emptied', () => {
    const spellings = Array.from({ length: 1000 }, (_, i) => `rgb(${i % 256}, ${(i * 7) % 256}, ${i % 300})`);
    const first = spellings.map((color) => hexColor(color));
    expect(spellings.map((color) => hexColor(color))).toEqual(first);
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    expect(first[10]).toBe(`#${hex(10)}${hex(70)}${hex(10)}`);
    expect(first[299]).toBeUndefined();
  });
});
