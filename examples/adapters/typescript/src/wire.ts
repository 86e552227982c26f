// A strict pass over protobuf wire data before protobufjs decodes it.
// protobufjs is lenient on purpose (it reads a known field whatever its wire
// type, and decodes invalid UTF-8 with replacement characters); the protobuf
// encoding guide ("Message Structure") and docs/stanza.md §6 ask for more.
// This walk checks, against the schema protobufjs loaded: varints of at most
// 10 bytes, no field number 0, no group wire types (3, 4) or 6/7, lengths
// inside the input, the wire type of every known field, valid UTF-8 in
// strings, and a bound on how deep a chosen message type nests.
import protobuf from "protobufjs";

/** Why wire data was refused: malformed, or nested too deep. */
export class WireError extends Error {
  constructor(
    readonly kind: "malformed" | "too-deep",
    detail: string,
  ) {
    super(detail);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const VARINT_TYPES = new Set(["int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool"]);
const FIXED64_TYPES = new Set(["fixed64", "sfixed64", "double"]);
const FIXED32_TYPES = new Set(["fixed32", "sfixed32", "float"]);

export interface WireLimits {
  /** The message type whose nesting is counted (the outer message is depth 1). */
  counted?: protobuf.Type;
  maxCountedDepth?: number;
  /** A bound on the nesting of any message, against stack exhaustion. */
  maxDepth: number;
}

/** Throws WireError unless `bytes` is valid wire data for `type`. */
export function checkWire(bytes: Uint8Array, type: protobuf.Type, limits: WireLimits): void {
  walk(bytes, 0, bytes.length, type, limits, 1, type === limits.counted ? 1 : 0);
}

function readVarint(bytes: Uint8Array, pos: number, end: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError("malformed", "varint runs past the end");
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, pos];
  }
  throw new WireError("malformed", "varint longer than 10 bytes");
}

function expectedWireType(field: protobuf.Field): number {
  if (field.resolvedType instanceof protobuf.Enum || VARINT_TYPES.has(field.type)) return 0;
  if (FIXED64_TYPES.has(field.type)) return 1;
  if (FIXED32_TYPES.has(field.type)) return 5;
  return 2;
}

function walk(
  bytes: Uint8Array,
  start: number,
  end: number,
  type: protobuf.Type,
  limits: WireLimits,
  depth: number,
  counted: number,
): void {
  if (depth > limits.maxDepth) throw new WireError("too-deep", `messages nested deeper than ${limits.maxDepth}`);
  let pos = start;
  while (pos < end) {
    let key: number;
    [key, pos] = readVarint(bytes, pos, end);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new WireError("malformed", "field number 0");
    if (number > 536870911) throw new WireError("malformed", "field number out of range");
    const field = type.fieldsById[number];
    let length = 0;
    switch (wireType) {
      case 0:
        [, pos] = readVarint(bytes, pos, end);
        break;
      case 1:
      case 5:
        length = wireType === 1 ? 8 : 4;
        if (pos + length > end) throw new WireError("malformed", "fixed-size value runs past the end");
        pos += length;
        break;
      case 2:
        [length, pos] = readVarint(bytes, pos, end);
        if (length > end - pos) throw new WireError("malformed", "length runs past the end");
        pos += length;
        break;
      default:
        throw new WireError("malformed", `wire type ${wireType} (groups are not proto3)`);
    }
    if (!field) continue; // unknown fields of a valid wire type are skipped
    const expected = expectedWireType(field);
    const packed = field.repeated && expected !== 2 && wireType === 2;
    if (wireType !== expected && !packed) {
      throw new WireError("malformed", `field ${type.name}.${field.name} has wire type ${wireType}, not ${expected}`);
    }
    if (wireType !== 2) continue;
    const body = bytes.subarray(pos - length, pos);
    if (packed) checkPacked(body, expected);
    else if (field.type === "string") {
      try {
        utf8.decode(body);
      } catch {
        throw new WireError("malformed", `field ${type.name}.${field.name} is not valid UTF-8`);
      }
    } else if (field.resolvedType instanceof protobuf.Type) {
      const inner = field.resolvedType;
      const innerCounted = inner === limits.counted ? counted + 1 : counted;
      if (limits.maxCountedDepth !== undefined && innerCounted > limits.maxCountedDepth) {
        throw new WireError("too-deep", `${inner.name} nested deeper than ${limits.maxCountedDepth}`);
      }
      walk(bytes, pos - length, pos, inner, limits, depth + 1, innerCounted);
    }
  }
}

function checkPacked(body: Uint8Array, wireType: number): void {
  if (wireType === 0) {
    let pos = 0;
    while (pos < body.length) [, pos] = readVarint(body, pos, body.length);
  } else if (body.length % (wireType === 1 ? 8 : 4) !== 0) {
    throw new WireError("malformed", "packed fixed-size values do not fill the field");
  }
}
