// Thrift's compact protocol, the encoding of Parquet's page headers and footer: what the writer needs of it, written
// from the protocol's specification (thrift/doc/specs/thrift-compact-protocol.md). A struct is a run of fields, each
// a header byte (the id's delta from the previous field and the type) and its value, closed by a stop byte.

/** Compact protocol type ids of the values the writer uses. */
export enum ThriftType {
  True = 1,
  False = 2,
  Byte = 3,
  I32 = 5,
  I64 = 6,
  Binary = 8,
  List = 9,
  Struct = 12,
}

const TEXT = new TextEncoder();

/** Bytes written field by field into a buffer that grows: footers and page headers are a few KB at most. */
export class ThriftWriter {
  #bytes = new Uint8Array(256);
  #length = 0;
  /** The last field id of each open struct: a field header holds the delta from it. */
  readonly #lastIds: number[] = [0];

  get length(): number {
    return this.#length;
  }

  /** The bytes written so far (a view: valid until the next write). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): this {
    this.#length = 0;
    this.#lastIds.length = 1;
    this.#lastIds[0] = 0;
    return this;
  }

  i32(id: number, value: number): this {
    return this.#field(id, ThriftType.I32).#varint(zigzag32(value));
  }

  /** An i64 whose value is a safe integer (file offsets and sizes, counts). */
  i64(id: number, value: number): this {
    this.#field(id, ThriftType.I64);
    return this.#varintOf(zigzag64(value));
  }

  byte(id: number, value: number): this {
    this.#field(id, ThriftType.Byte);
    return this.#raw(value & 0xff);
  }

  bool(id: number, value: boolean): this {
    return this.#field(id, value ? ThriftType.True : ThriftType.False);
  }

  binary(id: number, value: Uint8Array | string): this {
    return this.#field(id, ThriftType.Binary).#binaryValue(value);
  }

  /** A struct field: `body` writes its fields. */
  struct(id: number, body: (writer: this) => void): this {
    this.#field(id, ThriftType.Struct);
    return this.#structValue(body);
  }

  /** A list of structs. */
  structs<T>(id: number, items: readonly T[], body: (writer: this, item: T) => void): this {
    this.#field(id, ThriftType.List).#listHeader(items.length, ThriftType.Struct);
    for (const item of items) this.#structValue((writer) => body(writer, item));
    return this;
  }

  /** A list of i32 (enum values). */
  i32s(id: number, values: readonly number[]): this {
    this.#field(id, ThriftType.List).#listHeader(values.length, ThriftType.I32);
    for (const value of values) this.#varint(zigzag32(value));
    return this;
  }

  /** A list of strings. */
  strings(id: number, values: readonly string[]): this {
    this.#field(id, ThriftType.List).#listHeader(values.length, ThriftType.Binary);
    for (const value of values) this.#binaryValue(value);
    return this;
  }

  /** Closes the outermost struct (a page header or the footer, written without a field of its own). */
  stop(): this {
    return this.#raw(0);
  }

  #structValue(body: (writer: this) => void): this {
    this.#lastIds.push(0);
    body(this);
    this.#lastIds.pop();
    return this.#raw(0);
  }

  #field(id: number, type: ThriftType): this {
    const top = this.#lastIds.length - 1;
    const delta = id - this.#lastIds[top]!;
    this.#lastIds[top] = id;
    if (delta > 0 && delta <= 15) return this.#raw((delta << 4) | type);
    return this.#raw(type).#varint(zigzag32(id));
  }

  #listHeader(size: number, type: ThriftType): this {
    if (size < 15) return this.#raw((size << 4) | type);
    return this.#raw(0xf0 | type).#varint(size);
  }

  #binaryValue(value: Uint8Array | string): this {
    const bytes = typeof value === 'string' ? TEXT.encode(value) : value;
    this.#varint(bytes.length);
    this.#room(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** An unsigned varint of up to 32 bits. */
  #varint(value: number): this {
    let rest = value >>> 0;
    while (rest >= 0x80) {
      this.#raw((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    return this.#raw(rest);
  }

  /** An unsigned varint of up to 64 bits. */
  #varintOf(value: bigint): this {
    let rest = value;
    while (rest >= 0x80n) {
      this.#raw(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    return this.#raw(Number(rest));
  }

  #raw(byte: number): this {
    this.#room(1);
    this.#bytes[this.#length++] = byte;
    return this;
  }

  #room(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + more));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/** ZigZag: small negative and positive numbers to small unsigned ones (0, -1, 1, -2 -> 0, 1, 2, 3). */
export function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

export function zigzag64(value: number): bigint {
  const big = BigInt(value);
  return BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
}
