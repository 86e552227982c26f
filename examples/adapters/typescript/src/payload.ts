// The stanza payload codec (docs/stanza.md §6): `interspec.stanza.v1.Message`
// decoded and encoded by protobufjs, after the strict wire check of wire.ts.
import { Obj, PayloadMessage, Refusal } from "./proto.js";
import { checkWire, WireError } from "./wire.js";

export interface PayloadLimits {
  maxPayloadBytes: number;
  maxPayloadDepth: number;
}

/** Throws the refusal a decoder owes for these bytes, if any. */
function check(bytes: Uint8Array, limits: PayloadLimits): void {
  if (bytes.length > limits.maxPayloadBytes) {
    throw new Refusal("LIMIT_EXCEEDED", `payload of ${bytes.length} bytes is over ${limits.maxPayloadBytes}`);
  }
  try {
    // The depth bound is met while walking, before protobufjs recurses.
    checkWire(bytes, PayloadMessage, {
      counted: PayloadMessage,
      maxCountedDepth: limits.maxPayloadDepth,
      maxDepth: 4 * limits.maxPayloadDepth + 8,
    });
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    throw new Refusal(e.kind === "too-deep" ? "LIMIT_EXCEEDED" : "MALFORMED_INPUT", e.message);
  }
}

export function decodePayload(bytes: Uint8Array, limits: PayloadLimits): Obj {
  check(bytes, limits);
  return PayloadMessage.toObject(PayloadMessage.decode(bytes), { longs: String }) as Obj;
}

export function encodePayload(message: Obj, limits: PayloadLimits): Uint8Array {
  const bytes = PayloadMessage.encode(PayloadMessage.fromObject(message)).finish();
  // What we write must be what our decoder reads: the same bounds apply.
  check(bytes, limits);
  return bytes;
}
