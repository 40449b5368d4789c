// No input of any shape makes readPcd crash, hang or misread: it returns a consistent cloud or throws PcdParseError.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { PcdParseError, readPcd } from '../src/index.js';
import { everyTypeCloud, FORMS, lidarCloud } from './fixtures/pcd-samples.js';
import { writePcd } from '../src/sim/pcd-writer.js';

const RUNS = { numRuns: 400 };

function readOrParseError(bytes: Uint8Array): void {
  let pcd;
  try {
    pcd = readPcd(bytes);
  } catch (error) {
    if (!(error instanceof PcdParseError)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(bytes.length);
    return;
  }
  expect(pcd.pointCount).toBe(pcd.header.width * pcd.header.height);
  for (const field of pcd.header.fields) {
    if (field.name !== '_') expect(pcd.fields[field.name]!.length).toBe(pcd.pointCount * field.count);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    byte: fc.constantFrom(0x20, 0x0a, 0x30, 0x39, 0x2e, 0x2d, 0xff, 0),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(file: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(file);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'set') bytes[at] = m.byte;
    else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else if (m.kind === 'delete') bytes.splice(at, 1);
    else bytes = bytes.slice(0, at);
  }
  return Uint8Array.from(bytes);
}

// Mutations near the header hit it more often than uniform positions over the whole file would.
const headerBiased = fc.array(
  mutation.map((m) => ({ ...m, at: m.at % 400 })),
  { minLength: 1, maxLength: 4 },
);
const anywhere = fc.array(mutation, { minLength: 1, maxLength: 4 });

describe('fuzzed PCD files', () => {
  for (const form of FORMS) {
    const small = writePcd(everyTypeCloud(9), 9, form);
    const lidar = writePcd(lidarCloud(40), 40, form);
    test.prop([headerBiased], RUNS)(`${form}: mutated headers`, (mutations) => {
      readOrParseError(mutate(small, mutations));
    });
    test.prop([anywhere], RUNS)(`${form}: mutations anywhere`, (mutations) => {
      readOrParseError(mutate(lidar, mutations));
    });
  }

  // The real keywords, a comment, and near misses.
  const keywords = 'VERSION FIELDS SIZE TYPE COUNT WIDTH HEIGHT VIEWPOINT POINTS DATA # data FIELD'.split(' ');
  const keyword = fc.constantFrom(...keywords);
  const token = fc.oneof(
    fc.constantFrom(
      'x',
      'y',
      '_',
      'F',
      'U',
      'I',
      '1',
      '2',
      '4',
      '8',
      '0',
      '3',
      'ascii',
      'binary',
      'binary_compressed',
      '-1',
      '1e3',
      'nan',
    ),
    fc.string({ maxLength: 6 }),
  );
  const line = fc.tuple(keyword, fc.array(token, { maxLength: 4 })).map(([k, values]) => [k, ...values].join(' '));
  test.prop([fc.array(line, { maxLength: 12 }), fc.uint8Array({ maxLength: 64 })], RUNS)(
    'random header lines and data',
    (lines, data) => {
      const head = new TextEncoder().encode(lines.join('\n') + '\n');
      const bytes = new Uint8Array(head.length + data.length);
      bytes.set(head);
      bytes.set(data, head.length);
      readOrParseError(bytes);
    },
  );

  test.prop([fc.uint8Array({ maxLength: 2000 })], RUNS)('random bytes', (bytes) => {
    readOrParseError(bytes);
  });
});

/**
 * A straightforward LZF decoder in JS, independent of the core: undefined where the stream is invalid or does not
 * produce exactly `rawLength` bytes (any length when that is omitted).
 */
function referenceLzf(stream: Uint8Array, rawLength = Number.MAX_SAFE_INTEGER): number[] | undefined {
  const out: number[] = [];
  let i = 0;
  while (i < stream.length) {
    const ctrl = stream[i++]!;
    if (ctrl < 32) {
      if (i + ctrl + 1 > stream.length) return undefined;
      for (let k = 0; k <= ctrl; k++) out.push(stream[i++]!);
    } else {
      let length = ctrl >> 5;
      if (length === 7) {
        if (i >= stream.length) return undefined;
        length += stream[i++]!;
      }
      if (i >= stream.length) return undefined;
      const from = out.length - ((ctrl & 0x1f) << 8) - stream[i++]! - 1;
      if (from < 0) return undefined;
      for (let k = 0; k < length + 2; k++) out.push(out[from + k]!);
    }
    if (out.length > rawLength) return undefined;
  }
  return rawLength === Number.MAX_SAFE_INTEGER || out.length === rawLength ? out : undefined;
}

describe('fuzzed LZF streams', () => {
  // Streams of plausible tokens (a literal first, then literals and short and long back references, mostly near
  // enough to be valid) with occasional raw noise, so that both valid and broken streams are common.
  const literal = fc
    .uint8Array({ minLength: 2, maxLength: 33 })
    .map((bytes) => [bytes.length - 2, ...bytes.subarray(1)]);
  const distanceLow = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 8 }), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
  );
  const tokenBytes = fc.oneof(
    { arbitrary: literal, weight: 15 },
    { arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), distanceLow).map(([l, lo]) => [l << 5, lo]), weight: 15 },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 1 }), distanceLow)
        .map(([len, hi, lo]) => [(7 << 5) | hi, len, lo]),
      weight: 5,
    },
    { arbitrary: fc.uint8Array({ maxLength: 3 }).map((bytes) => Array.from(bytes)), weight: 1 },
  );
  const stream = fc
    .tuple(literal, fc.array(tokenBytes, { maxLength: 16 }))
    .map(([first, tokens]) => Uint8Array.from([...first, ...tokens.flat()]));

  test.prop([stream, fc.nat(3000)], RUNS)(
    'decode exactly like a reference decoder, or fail with an LZF code',
    (bytes, rawGuess) => {
      const expected = referenceLzf(bytes);
      // Half the time, claim the true raw size, so that valid streams are exercised as well as broken ones.
      const raw = expected && rawGuess % 2 === 0 ? expected.length : rawGuess;
      const head = new TextEncoder().encode(
        `FIELDS b\nSIZE 1\nTYPE U\nWIDTH ${raw}\nHEIGHT 1\nDATA binary_compressed\n`,
      );
      const file = new Uint8Array(head.length + 8 + bytes.length);
      file.set(head);
      new DataView(file.buffer).setUint32(head.length, bytes.length, true);
      new DataView(file.buffer).setUint32(head.length + 4, raw, true);
      file.set(bytes, head.length + 8);
      const reference = referenceLzf(bytes, raw);
      try {
        const pcd = readPcd(file);
        expect(reference).toBeDefined();
        expect(Array.from<number | bigint>(pcd.fields.b!)).toEqual(reference);
      } catch (error) {
        if (!(error instanceof PcdParseError)) throw error;
        expect(reference).toBeUndefined();
        expect(error.code).toMatch(/^(LZF_|SIZE_MISMATCH)/);
      }
    },
  );
});
