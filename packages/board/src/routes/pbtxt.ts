/**
 * Protocol-buffer text format, both ways, driven by small hand-written schemas: decode wire bytes into a generic
 * message and print it exactly as Python's `text_format.MessageToString` (what TensorBoard's `str(proto)` sends from
 * the graphs plugin), and parse text such as `projector_config.pbtxt` the way `text_format.Parse` reads it.
 *
 * Printing rules reproduced (protobuf 4.21, the recording's): fields in field-number order; map entries sorted by
 * key; proto3 scalars printed only when not the default, except oneof members and proto2 fields, which print when
 * set; embedded messages print when set, even empty (`value {\n}`); strings and bytes C-escaped byte by byte
 * (`\n \r \t \" \' \\`, other bytes outside 0x20..0x7e as 3-digit octal); `float` fields as the shortest `%g` that
 * round-trips through float32, then Python's `repr`; `double` as `repr`; enums by name (number when unknown);
 * unknown fields dropped.
 */
import { pythonFloatRepr } from '@tbpipe/eventlog';
import { roundSignificant } from './python-numbers.ts';

/** A scalar field type of the wire format. */
export type ScalarType =
  | 'string'
  | 'bytes'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'sint32'
  | 'sint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed32'
  | 'sfixed64'
  | 'float'
  | 'double';

/** One field of a {@link MessageType}. `type` is a scalar type, an enum name or a message name of the schema. */
export interface FieldType {
  name: string;
  number: number;
  type: string;
  repeated: boolean;
  /** For `map<K, V>` fields: the key and value types (`type` is then unused). */
  map?: { key: ScalarType; value: string };
  /** Name of the oneof this field belongs to. */
  oneof?: string;
}

/** A message type of a {@link Schema}. */
export interface MessageType {
  name: string;
  /** proto2 messages have explicit presence for every singular field. */
  proto2: boolean;
  fields: FieldType[];
  byNumber: Map<number, FieldType>;
  byName: Map<string, FieldType>;
}

/** Message and enum types by name. */
export interface Schema {
  messages: Map<string, MessageType>;
  enums: Map<string, Map<number, string>>;
}

/** A scalar value: numbers for 32-bit and floating types, bigint for 64-bit integers, bytes for string and bytes. */
export type Scalar = number | bigint | boolean | Uint8Array;
/** A field value: a scalar, a message, or (for a map field) entries keyed by their printed key. */
export type FieldValue = Scalar | Message;
/** One map entry. */
export interface MapEntry {
  key: Scalar;
  value: FieldValue;
}

/**
 * A decoded message. Singular fields hold one value, repeated fields an array, map fields a Map; a field is present
 * when it is in `fields` (proto3 defaults are never stored, except oneof members and proto2 fields).
 */
export interface Message {
  type: MessageType;
  fields: Map<number, FieldValue | FieldValue[] | Map<string, MapEntry>>;
}

const SCALARS = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'float', 'double']);

/**
 * Builds a schema from a compact notation: per message, fields separated by `;`, each `name number type`, with a
 * trailing `*` on the type for repeated, `map<K,V>` for maps and `|oneofName` after the type for oneof members.
 * Message names ending in `!` are proto2.
 *
 * @example
 * defineSchema({ 'Shape': 'dim 2 Dim*; unknown_rank 3 bool', 'Dim': 'size 1 int64; name 2 string' }, {})
 */
export function defineSchema(messages: Record<string, string>, enums: Record<string, Record<number, string>>): Schema {
  const schema: Schema = { messages: new Map(), enums: new Map() };
  for (const [name, values] of Object.entries(enums)) {
    schema.enums.set(name, new Map(Object.entries(values).map(([k, v]) => [Number(k), v])));
  }
  for (const [rawName, spec] of Object.entries(messages)) {
    const proto2 = rawName.endsWith('!');
    const name = proto2 ? rawName.slice(0, -1) : rawName;
    const fields: FieldType[] = [];
    for (const part of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\w+)\s+(\d+)\s+(map<(\w+),\s*([\w.]+)>|[\w.]+)(\*)?(?:\s*\|(\w+))?$/.exec(part);
      if (!m) throw new Error(`pbtxt schema: bad field "${part}" in ${name}`);
      const field: FieldType = { name: m[1], number: Number(m[2]), type: m[4] ? 'map' : m[3], repeated: Boolean(m[6]) || Boolean(m[4]) };
      if (m[4]) field.map = { key: m[4] as ScalarType, value: m[5] };
      if (m[7]) field.oneof = m[7];
      fields.push(field);
    }
    fields.sort((a, b) => a.number - b.number);
    schema.messages.set(name, { name, proto2, fields, byNumber: new Map(fields.map((f) => [f.number, f])), byName: new Map(fields.map((f) => [f.name, f])) });
  }
  for (const t of schema.messages.values()) {
    for (const f of t.fields) {
      const inner = f.map ? f.map.value : f.type;
      if (!SCALARS.has(inner) && !schema.enums.has(inner) && !schema.messages.has(inner)) {
        throw new Error(`pbtxt schema: ${t.name}.${f.name} has unknown type ${inner}`);
      }
    }
  }
  return schema;
}

/** Looks up a message type; throws for a name the schema does not define. */
export function messageType(schema: Schema, name: string): MessageType {
  const t = schema.messages.get(name);
  if (!t) throw new Error(`pbtxt schema: no message ${name}`);
  return t;
}

/** A new, empty message of `type`. */
export function newMessage(type: MessageType): Message {
  return { type, fields: new Map() };
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format → Message

/** Thrown for bytes that are not a valid encoding of the message (TensorBoard's `FromString` raises DecodeError). */
export class WireError extends Error {}

class Reader {
  pos = 0;
  private dataView: DataView | undefined;
  constructor(readonly buf: Uint8Array) {}
  /** For fixed-width fields only; most messages have none, so it is made on first use. */
  get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  /** A full 64-bit varint; numbers up to 49 bits are gathered without BigInt arithmetic (the common case). */
  varint(): bigint {
    let low = 0;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      low += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return BigInt(low);
    }
    let result = BigInt(low);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return result & 0xffffffffffffffffn;
    }
    throw new WireError('varint longer than 10 bytes');
  }
  /** The low 32 bits of a varint, unsigned (tags, lengths, 32-bit fields: protobuf truncates the same way). */
  varint32(): number {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      if (i < 5) result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return result % 2 ** 32;
    }
    throw new WireError('varint longer than 10 bytes');
  }
  smallVarint(): number {
    return this.varint32();
  }
  /** Advances past `n` bytes and returns where they start (for the DataView reads). */
  at(n: number): number {
    this.take(n);
    return this.pos - n;
  }
  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new WireError('length beyond the end of the message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.take(8);
    else if (wire === 2) this.take(this.smallVarint());
    else if (wire === 5) this.take(4);
    else throw new WireError(`unsupported wire type ${wire}`);
  }
}

const isMessageType = (schema: Schema, type: string) => schema.messages.has(type);

function scalarWireType(type: string): number {
  switch (type) {
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return 1;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return 5;
    case 'string':
    case 'bytes':
      return 2;
    default:
      return 0;
  }
}

function readScalar(r: Reader, type: string): Scalar {
  switch (type) {
    case 'string':
    case 'bytes':
      return r.take(r.smallVarint());
    case 'bool':
      return r.varint() !== 0n; // any set bit of the 64 is true
    case 'int64':
      return BigInt.asIntN(64, r.varint());
    case 'uint64':
      return r.varint();
    case 'sint64': {
      const v = r.varint();
      return (v >> 1n) ^ -(v & 1n);
    }
    case 'int32':
      return r.varint32() | 0;
    case 'uint32':
      return r.varint32();
    case 'sint32': {
      const v = r.smallVarint();
      return (v >>> 1) ^ -(v & 1);
    }
    case 'fixed32':
      return r.view.getUint32(r.at(4), true);
    case 'sfixed32':
      return r.view.getInt32(r.at(4), true);
    case 'fixed64':
      return r.view.getBigUint64(r.at(8), true);
    case 'sfixed64':
      return r.view.getBigInt64(r.at(8), true);
    case 'float':
      return r.view.getFloat32(r.at(4), true);
    case 'double':
      return r.view.getFloat64(r.at(8), true);
    default:
      // enums
      return r.varint32() | 0;
  }
}

function isDefault(v: Scalar): boolean {
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'number') return v === 0 && !Object.is(v, -0);
  if (typeof v === 'bigint') return v === 0n;
  return v === false;
}

/** The printed (and map-dedup) form of a map key. */
function keyId(key: Scalar): string {
  return key instanceof Uint8Array ? Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1') : String(key);
}

function setSingular(msg: Message, field: FieldType, value: FieldValue): void {
  if (field.oneof) {
    for (const other of msg.type.fields) if (other.oneof === field.oneof && other !== field) msg.fields.delete(other.number);
  }
  msg.fields.set(field.number, value);
}

/**
 * Decodes `bytes` as a message of `type`. Embedded singular messages that occur twice are merged, map keys that
 * repeat keep the last value, a oneof keeps its last member (protobuf's parse semantics). Throws {@link WireError}.
 */
export function decodeMessage(schema: Schema, type: MessageType, bytes: Uint8Array): Message {
  const msg = newMessage(type);
  let pendingMessages: Map<number, Uint8Array[]> | undefined;
  const r = new Reader(bytes);
  while (!r.done) {
    const tag = r.smallVarint();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 0) throw new WireError('field number 0');
    const field = type.byNumber.get(number);
    if (!field) {
      r.skip(wire);
      continue;
    }
    if (field.map) {
      if (wire !== 2) {
        r.skip(wire);
        continue;
      }
      const entry = decodeMapEntry(schema, field, r.take(r.smallVarint()));
      let map = msg.fields.get(number) as Map<string, MapEntry> | undefined;
      if (!map) msg.fields.set(number, (map = new Map()));
      map.set(keyId(entry.key), entry);
      continue;
    }
    if (isMessageType(schema, field.type)) {
      if (wire !== 2) {
        r.skip(wire);
        continue;
      }
      const chunk = r.take(r.smallVarint());
      if (field.repeated) {
        let list = msg.fields.get(number) as FieldValue[] | undefined;
        if (!list) msg.fields.set(number, (list = []));
        list.push(decodeMessage(schema, messageType(schema, field.type), chunk));
      } else {
        pendingMessages ??= new Map();
        const chunks = pendingMessages.get(number);
        if (chunks) chunks.push(chunk);
        else pendingMessages.set(number, [chunk]);
        // Mark presence now so a later oneof member clears it in order.
        setSingular(msg, field, newMessage(messageType(schema, field.type)));
      }
      continue;
    }
    const expected = scalarWireType(field.type);
    if (field.repeated && wire === 2 && expected !== 2) {
      const packed = new Reader(r.take(r.smallVarint()));
      let list = msg.fields.get(number) as FieldValue[] | undefined;
      if (!list) msg.fields.set(number, (list = []));
      while (!packed.done) list.push(readScalar(packed, field.type));
      continue;
    }
    if (wire !== expected) {
      r.skip(wire);
      continue;
    }
    const value = readScalar(r, field.type);
    if (field.repeated) {
      let list = msg.fields.get(number) as FieldValue[] | undefined;
      if (!list) msg.fields.set(number, (list = []));
      list.push(value);
    } else if (field.oneof || type.proto2 || !isDefault(value)) {
      setSingular(msg, field, value);
    } else {
      msg.fields.delete(number);
    }
  }
  for (const [number, chunks] of pendingMessages ?? []) {
    if (!msg.fields.has(number)) continue; // cleared by a later oneof member
    const field = type.byNumber.get(number) as FieldType;
    msg.fields.set(number, decodeMessage(schema, messageType(schema, field.type), concat(chunks)));
  }
  return msg;
}

function decodeMapEntry(schema: Schema, field: FieldType, bytes: Uint8Array): MapEntry {
  const { key: keyType, value: valueType } = field.map as { key: ScalarType; value: string };
  let key: Scalar = defaultScalar(keyType);
  let value: FieldValue | undefined;
  const valueChunks: Uint8Array[] = [];
  const r = new Reader(bytes);
  while (!r.done) {
    const tag = r.smallVarint();
    const number = tag >>> 3;
    const wire = tag & 7;
    if (number === 1 && wire === scalarWireType(keyType)) key = readScalar(r, keyType);
    else if (number === 2 && isMessageType(schema, valueType) && wire === 2) valueChunks.push(r.take(r.smallVarint()));
    else if (number === 2 && !isMessageType(schema, valueType) && wire === scalarWireType(valueType)) value = readScalar(r, valueType);
    else r.skip(wire);
  }
  if (isMessageType(schema, valueType)) value = decodeMessage(schema, messageType(schema, valueType), concat(valueChunks));
  return { key, value: value ?? defaultScalar(valueType) };
}

function defaultScalar(type: string): Scalar {
  if (type === 'string' || type === 'bytes') return new Uint8Array(0);
  if (type === 'bool') return false;
  if (type === 'int64' || type === 'uint64' || type === 'sint64' || type === 'fixed64' || type === 'sfixed64') return 0n;
  return 0;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  return new Uint8Array(Buffer.concat(chunks));
}

// ---------------------------------------------------------------------------------------------------------------
// Message → text (Python's text_format.MessageToString)

const ESCAPES: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r', 34: '\\"', 39: "\\'", 92: '\\\\' };
const BYTE_TEXT: string[] = Array.from({ length: 256 }, (_, b) =>
  ESCAPES[b] ?? (b >= 32 && b < 127 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`),
);

/** protobuf's `text_encoding.CEscape(bytes, as_utf8=False)`. */
export function cEscape(bytes: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < bytes.length && plain; i++) {
    const b = bytes[i];
    plain = b >= 32 && b < 127 && b !== 34 && b !== 39 && b !== 92;
  }
  if (plain) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  let out = '';
  for (const b of bytes) out += BYTE_TEXT[b];
  return out;
}

/**
 * protobuf's `type_checkers.ToShortestFloat`: the fewest significant digits (from 6 up) whose `%g` form reads back
 * as the same float32, printed with Python's `repr`. `%g` rounds half to even on the exact binary value.
 */
export function shortestFloat32Repr(value: number): string {
  if (!Number.isFinite(value)) return pythonFloatRepr(value);
  for (let precision = 6; precision <= 17; precision++) {
    // toPrecision rounds ties up, %g to even; they differ only on an exact tie, which shows as a final 5 one digit
    // further (an expansion ending there is exact, so toPrecision(p + 1) prints it unrounded). Then the slow way.
    const further = value.toPrecision(precision + 1);
    const mantissa = further.includes('e') ? further.slice(0, further.indexOf('e')) : further;
    const rounded = mantissa.endsWith('5') ? roundSignificant(value, precision) : Number(value.toPrecision(precision));
    if (Math.fround(rounded) === value) return pythonFloatRepr(rounded);
  }
  return pythonFloatRepr(value);
}

function formatScalar(schema: Schema, type: string, value: Scalar): string {
  if (value instanceof Uint8Array) return `"${cEscape(value)}"`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (type === 'float') return Number.isNaN(value) ? 'nan' : shortestFloat32Repr(value);
  if (type === 'double') return pythonFloatRepr(value);
  const names = schema.enums.get(type);
  if (names) return names.get(value) ?? String(value);
  return String(value);
}

function compareKeys(a: MapEntry, b: MapEntry): number {
  const x = a.key;
  const y = b.key;
  if (x instanceof Uint8Array && y instanceof Uint8Array) return Buffer.compare(x, y); // UTF-8 order = code point order
  if (typeof x === 'bigint' || typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  return Number(x) - Number(y);
}

/** Python's `text_format.MessageToString(message)` (what `str(message)` gives TensorBoard's graphs plugin). */
export function printMessage(schema: Schema, msg: Message): string {
  const out: string[] = [];
  printFields(schema, msg, 0, out);
  return out.join('');
}

const PADS: string[] = [];
const padOf = (indent: number) => (PADS[indent] ??= ' '.repeat(indent));

function printFields(schema: Schema, msg: Message, indent: number, out: string[]): void {
  for (const field of msg.type.fields) {
    const value = msg.fields.get(field.number);
    if (value === undefined) continue;
    if (field.map) {
      const entries = [...(value as Map<string, MapEntry>).values()].sort(compareKeys);
      for (const entry of entries) {
        out.push(`${padOf(indent)}${field.name} {\n`);
        // An entry is printed as Entry(key=..., value=...): in proto3 defaults are then not printed (a message value
        // is), in proto2 both fields are set and printed.
        const explicit = msg.type.proto2;
        if (explicit || !isDefault(entry.key)) printValue(schema, 'key', field.map.key, entry.key, indent + 2, out);
        const valueType = field.map.value;
        if (explicit || isMessageType(schema, valueType) || !isDefault(entry.value as Scalar)) printValue(schema, 'value', valueType, entry.value, indent + 2, out);
        out.push(`${padOf(indent)}}\n`);
      }
    } else if (field.repeated) {
      for (const item of value as FieldValue[]) printValue(schema, field.name, field.type, item, indent, out);
    } else {
      printValue(schema, field.name, field.type, value as FieldValue, indent, out);
    }
  }
}

function printValue(schema: Schema, name: string, type: string, value: FieldValue, indent: number, out: string[]): void {
  const pad = padOf(indent);
  if (isMessageType(schema, type)) {
    out.push(`${pad}${name} {\n`);
    printFields(schema, value as Message, indent + 2, out);
    out.push(`${pad}}\n`);
  } else {
    out.push(`${pad}${name}: ${formatScalar(schema, type, value as Scalar)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Message sizes (protobuf's ByteSize, for TensorBoard's large-attribute filter)

function varintSize(v: number | bigint): number {
  if (typeof v === 'number') {
    if (v < 0) return 10; // negative int32/enum values are sign-extended to 64 bits
    let n = 1;
    while (v >= 128) {
      v = Math.floor(v / 128);
      n++;
    }
    return n;
  }
  let n = 1;
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    x >>= 7n;
    n++;
  }
  return n;
}

function scalarSize(type: string, value: Scalar): number {
  switch (type) {
    case 'string':
    case 'bytes': {
      const len = (value as Uint8Array).length;
      return varintSize(len) + len;
    }
    case 'bool':
      return 1;
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return 4;
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return 8;
    case 'sint32':
    case 'sint64': {
      const v = BigInt(value as number | bigint);
      return varintSize(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
    }
    default:
      // int32/int64/uint*/enums: negative values take 10 bytes, as in C++.
      return varintSize(value as number | bigint);
  }
}

/** The size of one field value without its tag (an embedded message with its length prefix). */
function valueSize(schema: Schema, type: string, v: FieldValue): number {
  if (!isMessageType(schema, type)) return scalarSize(type, v as Scalar);
  const n = byteSize(schema, v as Message);
  return varintSize(n) + n;
}

/** The serialized size of `msg` as protobuf's `ByteSize()` computes it (proto3 repeated scalars packed). */
export function byteSize(schema: Schema, msg: Message): number {
  let size = 0;
  for (const field of msg.type.fields) {
    const value = msg.fields.get(field.number);
    if (value === undefined) continue;
    const tagSize = varintSize(field.number * 8);
    if (field.map) {
      for (const entry of (value as Map<string, MapEntry>).values()) {
        let n = 0;
        if (msg.type.proto2 || !isDefault(entry.key)) n += 1 + scalarSize(field.map.key, entry.key);
        if (msg.type.proto2 || isMessageType(schema, field.map.value) || !isDefault(entry.value as Scalar)) n += 1 + valueSize(schema, field.map.value, entry.value);
        size += tagSize + varintSize(n) + n;
      }
    } else if (field.repeated) {
      const items = value as FieldValue[];
      if (items.length === 0) continue;
      const packable = !isMessageType(schema, field.type) && field.type !== 'string' && field.type !== 'bytes' && !msg.type.proto2;
      if (packable) {
        let n = 0;
        for (const v of items) n += scalarSize(field.type, v as Scalar);
        size += tagSize + varintSize(n) + n;
      } else {
        for (const v of items) size += tagSize + valueSize(schema, field.type, v);
      }
    } else {
      size += tagSize + valueSize(schema, field.type, value as FieldValue);
    }
  }
  return size;
}

// ---------------------------------------------------------------------------------------------------------------
// Text → Message (text_format.Parse, for projector_config.pbtxt)

/** Thrown for text that is not a valid text-format message of the expected type (`text_format.ParseError`). */
export class TextFormatError extends Error {}

const TOKEN = /\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[{}<>:;,[\]]|[-+]?[\w.+-]+/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m || m.index !== at) throw new TextFormatError(`unexpected character ${JSON.stringify(text[at])} at offset ${at}`);
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith('#')) continue;
    tokens.push(t);
  }
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, '\\': 92, a: 7, b: 8, f: 12, v: 11, '?': 63 };

/** Unescapes a quoted text-format string (C escapes: simple, octal, `\x` hex, `\u`/`\U`) into bytes. */
function unquote(token: string): Uint8Array {
  const body = token.slice(1, -1);
  const out: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      out.push(...utf8.encode(String.fromCodePoint(cp)));
      continue;
    }
    const e = body[++i];
    if (e in SIMPLE_ESCAPES) out.push(SIMPLE_ESCAPES[e]);
    else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      out.push(parseInt(m[0], 8) & 0xff);
      i += m[0].length - 1;
    } else if (e === 'x' || e === 'X') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
      if (!m) throw new TextFormatError(`bad \\x escape in ${token}`);
      out.push(parseInt(m[0], 16));
      i += m[0].length;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new TextFormatError(`bad \\${e} escape in ${token}`);
      out.push(...utf8.encode(String.fromCodePoint(parseInt(hex, 16))));
      i += len;
    } else throw new TextFormatError(`bad escape \\${e} in ${token}`);
  }
  return new Uint8Array(out);
}

function parseScalarToken(schema: Schema, type: string, token: string): Scalar {
  if (type === 'string' || type === 'bytes') throw new TextFormatError(`expected a string, got ${token}`);
  if (type === 'bool') {
    if (['true', 't', '1', 'True'].includes(token)) return true;
    if (['false', 'f', '0', 'False'].includes(token)) return false;
    throw new TextFormatError(`expected a bool, got ${token}`);
  }
  if (type === 'float' || type === 'double') {
    const lower = token.toLowerCase().replace(/f$/, '');
    const v = /^-?inf(inity)?$/.test(lower) ? (lower.startsWith('-') ? -Infinity : Infinity) : /^-?nan$/.test(lower) ? NaN : Number(lower);
    if (Number.isNaN(v) && !/nan$/.test(lower)) throw new TextFormatError(`expected a number, got ${token}`);
    return type === 'float' ? Math.fround(v) : v;
  }
  const names = schema.enums.get(type);
  if (names && /^[A-Za-z_]/.test(token)) {
    for (const [n, name] of names) if (name === token) return n;
    throw new TextFormatError(`unknown enum value ${token} for ${type}`);
  }
  let big: bigint;
  try {
    big = /^-?0[xX]/.test(token) ? (token.startsWith('-') ? -BigInt(token.slice(1)) : BigInt(token)) : /^-?0[0-7]+$/.test(token) ? BigInt(`${token.startsWith('-') ? '-' : ''}0o${token.replace(/^-?0/, '')}`) : BigInt(token);
  } catch {
    throw new TextFormatError(`expected an integer, got ${token}`);
  }
  const unsigned = type.startsWith('uint') || type === 'fixed32' || type === 'fixed64';
  const bits = type.endsWith('64') ? 64 : 32;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  if (!names && (big < min || big > max)) throw new TextFormatError(`integer ${token} out of range for ${type}`);
  return bits === 64 ? big : Number(big);
}

/**
 * Parses text format into a message of `type` as `text_format.Parse` does (what TensorBoard 2.20 reads
 * `projector_config.pbtxt` with): unknown fields, a singular field given twice once set, two members of a oneof and
 * out-of-range integers are errors. Throws {@link TextFormatError}.
 */
export function parseText(schema: Schema, type: MessageType, text: string): Message {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    if (i >= tokens.length) throw new TextFormatError('unexpected end of text');
    return tokens[i++];
  };
  const readString = (): Uint8Array => {
    const parts: Uint8Array[] = [];
    while (i < tokens.length && /^["']/.test(peek())) parts.push(unquote(next()));
    if (parts.length === 0) throw new TextFormatError(`expected a string, got ${peek() ?? 'end of text'}`);
    return concat(parts);
  };
  const readScalar = (t: string): Scalar => (t === 'string' || t === 'bytes' ? readString() : parseScalarToken(schema, t, next()));

  const parseBody = (msg: Message, close: string | undefined): void => {
    while (true) {
      const t = peek();
      if (t === undefined) {
        if (close) throw new TextFormatError(`expected "${close}"`);
        return;
      }
      if (t === close) {
        i++;
        return;
      }
      const name = next();
      const field = msg.type.byName.get(name);
      if (!field) throw new TextFormatError(`${msg.type.name} has no field named "${name}"`);
      const valueIsMessage = Boolean(field.map) || isMessageType(schema, field.type);
      if (peek() === ':') i++;
      else if (!valueIsMessage) throw new TextFormatError(`expected ":" after ${name}`);
      const readOne = (): FieldValue => {
        if (field.map) {
          const open = next();
          if (open !== '{' && open !== '<') throw new TextFormatError(`expected "{" after ${name}`);
          const entryType: MessageType = {
            name: `${msg.type.name}.${name}Entry`,
            proto2: false,
            fields: [],
            byNumber: new Map(),
            byName: new Map(),
          };
          const keyField: FieldType = { name: 'key', number: 1, type: field.map.key, repeated: false };
          const valueField: FieldType = { name: 'value', number: 2, type: field.map.value, repeated: false };
          entryType.fields.push(keyField, valueField);
          for (const f of entryType.fields) {
            entryType.byNumber.set(f.number, f);
            entryType.byName.set(f.name, f);
          }
          const entry = newMessage(entryType);
          parseBody(entry, open === '{' ? '}' : '>');
          return entry;
        }
        if (isMessageType(schema, field.type)) {
          const open = next();
          if (open !== '{' && open !== '<') throw new TextFormatError(`expected "{" after ${name}`);
          const sub = newMessage(messageType(schema, field.type));
          parseBody(sub, open === '{' ? '}' : '>');
          return sub;
        }
        return readScalar(field.type);
      };
      const values: FieldValue[] = [];
      if (peek() === '[' && field.repeated) {
        i++;
        if (peek() !== ']') {
          values.push(readOne());
          while (peek() === ',') {
            i++;
            values.push(readOne());
          }
        }
        if (next() !== ']') throw new TextFormatError(`expected "]" after ${name}`);
      } else {
        values.push(readOne());
      }
      // text_format.Parse: a singular field given twice is an error once it is set (a proto3 default is not "set"),
      // and so is a second member of a oneof.
      if (!field.repeated && msg.fields.has(field.number)) {
        throw new TextFormatError(`Message type "${msg.type.name}" should not have multiple "${name}" fields`);
      }
      const rival = field.oneof ? msg.type.fields.find((f) => f !== field && f.oneof === field.oneof && msg.fields.has(f.number)) : undefined;
      if (rival) throw new TextFormatError(`Field "${name}" is specified along with field "${rival.name}", another member of oneof "${field.oneof}"`);
      for (const value of values) addParsed(schema, msg, field, value);
      if (peek() === ',' || peek() === ';') i++;
    }
  };
  const msg = newMessage(type);
  parseBody(msg, undefined);
  return msg;
}

function addParsed(schema: Schema, msg: Message, field: FieldType, value: FieldValue): void {
  if (field.map) {
    const entry = value as Message;
    const key = (entry.fields.get(1) as Scalar | undefined) ?? defaultScalar(field.map.key);
    const v = (entry.fields.get(2) as FieldValue | undefined) ?? (isMessageType(schema, field.map.value) ? newMessage(messageType(schema, field.map.value)) : defaultScalar(field.map.value));
    let map = msg.fields.get(field.number) as Map<string, MapEntry> | undefined;
    if (!map) msg.fields.set(field.number, (map = new Map()));
    map.set(keyId(key), { key, value: v });
  } else if (field.repeated) {
    let list = msg.fields.get(field.number) as FieldValue[] | undefined;
    if (!list) msg.fields.set(field.number, (list = []));
    list.push(value);
  } else if (isMessageType(schema, field.type) || field.oneof || msg.type.proto2 || !isDefault(value as Scalar)) {
    setSingular(msg, field, value);
  } else {
    msg.fields.delete(field.number);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Field access helpers

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** A singular string field as text ('' when absent). */
export function getString(msg: Message, name: string): string {
  const v = msg.fields.get(fieldOf(msg, name).number);
  return v instanceof Uint8Array ? utf8Decoder.decode(v) : '';
}

/** Sets a singular string or bytes field (proto3: '' clears it unless it is a oneof member). */
export function setString(msg: Message, name: string, value: string): void {
  const field = fieldOf(msg, name);
  const bytes = utf8Encoder.encode(value);
  if (bytes.length === 0 && !field.oneof && !msg.type.proto2) msg.fields.delete(field.number);
  else setSingular(msg, field, bytes);
}

/** A singular numeric field as a number (0 when absent). */
export function getNumber(msg: Message, name: string): number {
  const v = msg.fields.get(fieldOf(msg, name).number);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : 0;
}

/** A repeated field's items ([] when absent). */
export function getRepeated<T extends FieldValue = FieldValue>(msg: Message, name: string): T[] {
  return (msg.fields.get(fieldOf(msg, name).number) as T[] | undefined) ?? [];
}

/** A singular message field, or undefined when not set. */
export function getMessage(msg: Message, name: string): Message | undefined {
  return msg.fields.get(fieldOf(msg, name).number) as Message | undefined;
}

/** A map field's entries (an empty Map when absent). */
export function getMap(msg: Message, name: string): Map<string, MapEntry> {
  return (msg.fields.get(fieldOf(msg, name).number) as Map<string, MapEntry> | undefined) ?? new Map();
}

/** Whether the field is present (set, or a non-empty repeated/map). */
export function hasField(msg: Message, name: string): boolean {
  return msg.fields.has(fieldOf(msg, name).number);
}

/** The field definition `name` of the message's type; throws for a name the type does not have. */
export function fieldOf(msg: Message, name: string): FieldType {
  const field = msg.type.byName.get(name);
  if (!field) throw new Error(`pbtxt: ${msg.type.name} has no field ${name}`);
  return field;
}

/** A deep copy of a message (values are immutable scalars or copied messages). */
export function cloneMessage(msg: Message): Message {
  const copy = newMessage(msg.type);
  const cloneValue = (v: FieldValue): FieldValue => (isMessage(v) ? cloneMessage(v) : v);
  for (const [n, v] of msg.fields) {
    if (v instanceof Map) copy.fields.set(n, new Map([...v].map(([k, e]) => [k, { key: e.key, value: cloneValue(e.value) }])));
    else if (Array.isArray(v)) copy.fields.set(n, v.map(cloneValue));
    else copy.fields.set(n, cloneValue(v));
  }
  return copy;
}

/** True when `v` is a decoded {@link Message}. */
export function isMessage(v: unknown): v is Message {
  return typeof v === 'object' && v !== null && 'type' in v && 'fields' in v;
}

// ---------------------------------------------------------------------------------------------------------------
// Message → JSON value (json_format.MessageToJson without default values)

const camel = (name: string) => name.replace(/_([a-z\d])/g, (_, c: string) => c.toUpperCase());

function scalarToJson(schema: Schema, type: string, value: Scalar): unknown {
  if (value instanceof Uint8Array) return type === 'bytes' ? Buffer.from(value).toString('base64') : utf8Decoder.decode(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value;
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (type === 'float') return Number(shortestFloat32Repr(value));
  const names = schema.enums.get(type);
  if (names) return names.get(value) ?? value;
  return value;
}

/**
 * The JSON value protobuf's `json_format.MessageToJson(message)` writes (default values omitted, lowerCamelCase
 * names, 64-bit integers as strings, bytes as base64, enums by name, map keys as strings).
 */
export function messageToJson(schema: Schema, msg: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const valueToJson = (type: string, v: FieldValue) => (isMessage(v) ? messageToJson(schema, v) : scalarToJson(schema, type, v));
  for (const field of msg.type.fields) {
    const value = msg.fields.get(field.number);
    if (value === undefined) continue;
    if (field.map) {
      const obj: Record<string, unknown> = {};
      for (const entry of (value as Map<string, MapEntry>).values()) {
        obj[String(scalarToJson(schema, field.map.key, entry.key))] = valueToJson(field.map.value, entry.value);
      }
      out[camel(field.name)] = obj;
    } else if (field.repeated) {
      const items = value as FieldValue[];
      if (items.length) out[camel(field.name)] = items.map((v) => valueToJson(field.type, v));
    } else {
      out[camel(field.name)] = valueToJson(field.type, value as FieldValue);
    }
  }
  return out;
}
