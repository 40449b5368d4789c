import { describe, expect, it } from 'vitest';
import { decodeMask, MaskParseError } from '../dist/index.js';

describe('decodeMask (smoke)', () => {
  it('decodes a small mask and counts labels', () => {
    const mask = decodeMask(new TextEncoder().encode('[16, 58, 58, 1]'));
    expect(Array.from(mask.labels)).toEqual([16, 58, 58, 1]);
    expect(mask.pointCount).toBe(4);
    expect(mask.histogram.length).toBe(59);
    expect(mask.histogram[58]).toBe(2);
    expect(mask.labels.buffer).toBe(mask.histogram.buffer);
  });

  it('reports the byte offset of a fault', () => {
    try {
      decodeMask('[1, 2,]');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MaskParseError);
      expect((error as MaskParseError).code).toBe('EXPECTED_VALUE');
      expect((error as MaskParseError).offset).toBe(6);
    }
  });
});
