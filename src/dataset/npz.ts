// An .npz as numpy.savez_compressed writes one: a ZIP archive holding `<key>.npy` entries, DEFLATE-compressed. One
// entry is all the nuScenes panoptic files need; the archive is small enough (< 4 GiB) never to need ZIP64. The .npy
// is compressed by the WebAssembly core (deflate.ts), in a region of its memory the caller lays out; the CRC-32 is
// zlib's crc32 (a function of the bytes: no context, nothing allocated).
import { crc32 } from 'node:zlib';
import { npyHeader } from '../formats/index.js';
import { DatasetError } from './dataset-error.js';
import { deflateParts, deflateScratchBytes } from './deflate.js';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION_NEEDED = 20; // DEFLATE
const DEFLATE = 8;
const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the earliest date a ZIP can hold: the same bytes every run
const ZIP32_LIMIT = 0xffffffff;

/** The core's scratch bytes uint16Npz() needs for up to `values` values. */
export function npzScratchBytes(values: number): number {
  return deflateScratchBytes(npyHeader(values, '<u2').length + values * 2);
}

/**
 * The .npz holding uint16 values, given as their little-endian bytes, under `key`, as chunks to write one after the
 * other: the compressed bytes are a view of the core's memory at `scratch` (npzScratchBytes of the values, reserved by
 * the caller), valid until the next call with that region.
 */
export function uint16Npz(key: string, littleEndian: Uint8Array, scratch: number): Uint8Array[] {
  const header = npyHeader(littleEndian.length / 2, '<u2');
  const { input, output } = deflateParts([header, littleEndian], scratch);
  return zipOne(`${key}.npy`, input, output);
}

function zipOne(name: string, data: Uint8Array, compressed: Uint8Array): Uint8Array[] {
  if (data.length > ZIP32_LIMIT) throw new DatasetError('TOO_LARGE', `${name} is too large for a ZIP32 archive`);
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30 + fileName.length);
  local.writeUInt32LE(LOCAL_HEADER, 0);
  local.writeUInt16LE(VERSION_NEEDED, 4);
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(DEFLATE, 8);
  local.writeUInt16LE(0, 10); // time
  local.writeUInt16LE(DOS_DATE_1980, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28); // extra field length
  fileName.copy(local, 30);
  const central = Buffer.alloc(46 + fileName.length);
  central.writeUInt32LE(CENTRAL_HEADER, 0);
  central.writeUInt16LE(VERSION_NEEDED, 4); // made by: MS-DOS, 2.0
  central.writeUInt16LE(VERSION_NEEDED, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(DEFLATE, 10);
  central.writeUInt16LE(0, 12);
  central.writeUInt16LE(DOS_DATE_1980, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk number, internal and external attributes: 0; local header at offset 0.
  fileName.copy(central, 46);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(1, 8); // entries on this disk
  end.writeUInt16LE(1, 10); // entries
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length + compressed.length, 16);
  return [local, compressed, central, end];
}
