// The baseline for bench/pcd.bench.mjs: a plain-JS PCD reader written the way the common npm PCD loaders
// (three.js PCDLoader, pcd-format and their copies) do it: header as text, DataView getter per value, a byte-loop LZF
// decoder, and split()/parseFloat() for ascii. It fills one typed array per field, as readPcd does.

// prettier-ignore
const ARRAYS = {
  F4: Float32Array,
  F8: Float64Array,
  U1: Uint8Array,
  U2: Uint16Array,
  U4: Uint32Array,
  I1: Int8Array,
  I2: Int16Array,
  I4: Int32Array,
};
const GETTERS = {
  F4: (view, offset) => view.getFloat32(offset, true),
  F8: (view, offset) => view.getFloat64(offset, true),
  U1: (view, offset) => view.getUint8(offset),
  U2: (view, offset) => view.getUint16(offset, true),
  U4: (view, offset) => view.getUint32(offset, true),
  I1: (view, offset) => view.getInt8(offset),
  I2: (view, offset) => view.getInt16(offset, true),
  I4: (view, offset) => view.getInt32(offset, true),
};

function parseHeader(bytes) {
  let text = '';
  let i = 0;
  for (; i < bytes.length; i++) {
    text += String.fromCharCode(bytes[i]);
    if (bytes[i] === 10 && /(^|\n)DATA\s+\S+\s*\n$/.test(text)) break;
  }
  const header = { headerLen: i + 1 };
  for (const line of text.split('\n')) {
    const [key, ...values] = line.trim().split(/\s+/);
    if (key === 'FIELDS') header.fields = values;
    else if (key === 'SIZE') header.size = values.map(Number);
    else if (key === 'TYPE') header.type = values;
    else if (key === 'COUNT') header.count = values.map(Number);
    else if (key === 'POINTS') header.points = Number(values[0]);
    else if (key === 'DATA') header.data = values[0];
  }
  header.count ??= header.fields.map(() => 1);
  return header;
}

// three.js's decompressLZF.
function decompressLZF(inData, outLength) {
  const inLength = inData.length;
  const outData = new Uint8Array(outLength);
  let inPtr = 0;
  let outPtr = 0;
  let ctrl;
  let len;
  let ref;
  do {
    ctrl = inData[inPtr++];
    if (ctrl < 1 << 5) {
      ctrl++;
      if (outPtr + ctrl > outLength) throw new Error('Output buffer is not large enough');
      if (inPtr + ctrl > inLength) throw new Error('Invalid compressed data');
      do {
        outData[outPtr++] = inData[inPtr++];
      } while (--ctrl);
    } else {
      len = ctrl >> 5;
      ref = outPtr - ((ctrl & 0x1f) << 8) - 1;
      if (inPtr >= inLength) throw new Error('Invalid compressed data');
      if (len === 7) {
        len += inData[inPtr++];
        if (inPtr >= inLength) throw new Error('Invalid compressed data');
      }
      ref -= inData[inPtr++];
      if (outPtr + len + 2 > outLength) throw new Error('Output buffer is not large enough');
      if (ref < 0) throw new Error('Invalid compressed data');
      if (ref >= outPtr) throw new Error('Invalid compressed data');
      do {
        outData[outPtr++] = outData[ref++];
      } while (--len + 2);
    }
  } while (inPtr < inLength);
  return outData;
}

export function readPcdBaseline(bytes) {
  const header = parseHeader(bytes);
  const { points } = header;
  const keys = header.fields.map((_, f) => `${header.type[f]}${header.size[f]}`);
  const fields = {};
  const columns = header.fields.map((name, f) => (fields[name] = new ARRAYS[keys[f]](points * header.count[f])));
  if (header.data === 'ascii') {
    const lines = new TextDecoder().decode(bytes.subarray(header.headerLen)).split('\n');
    for (let i = 0; i < points; i++) {
      const values = lines[i].split(' ');
      let v = 0;
      for (let f = 0; f < columns.length; f++) {
        for (let k = 0; k < header.count[f]; k++) columns[f][i * header.count[f] + k] = parseFloat(values[v++]);
      }
    }
  } else if (header.data === 'binary') {
    const view = new DataView(bytes.buffer, bytes.byteOffset + header.headerLen);
    const rowSize = header.size.reduce((sum, size, f) => sum + size * header.count[f], 0);
    for (let i = 0, row = 0; i < points; i++, row += rowSize) {
      let offset = row;
      for (let f = 0; f < columns.length; f++) {
        const get = GETTERS[keys[f]];
        for (let k = 0; k < header.count[f]; k++, offset += header.size[f]) {
          columns[f][i * header.count[f] + k] = get(view, offset);
        }
      }
    }
  } else {
    const sizes = new DataView(bytes.buffer, bytes.byteOffset + header.headerLen, 8);
    const compressed = bytes.subarray(header.headerLen + 8, header.headerLen + 8 + sizes.getUint32(0, true));
    const view = new DataView(decompressLZF(compressed, sizes.getUint32(4, true)).buffer);
    let offset = 0;
    for (let f = 0; f < columns.length; f++) {
      const get = GETTERS[keys[f]];
      const column = columns[f];
      for (let j = 0; j < column.length; j++, offset += header.size[f]) column[j] = get(view, offset);
    }
  }
  return { pointCount: points, fields };
}
