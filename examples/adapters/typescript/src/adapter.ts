// An interspec adapter (docs/adapter.md, protocol 1.1) in TypeScript for Node:
// length-prefixed protobuf frames on stdin/stdout, logs on stderr. It covers
// the adapter suite, the enlistment suite (enlistment.ts) and the stanza
// suite (stanza.ts, payload.ts).
import { Capability, Category, MAX_MESSAGE_NESTING, NotImplemented, Obj, Refusal, Request, Response } from "./proto.js";
import { checkWire } from "./wire.js";
import { Enlistment, EnlistmentProfile, MAX_CALL_TOKEN_BYTES } from "./enlistment.js";
import { DEFAULT_STANZA_LIMITS, StanzaLimits, stanzaOperation } from "./stanza.js";

/** The largest request body we read (docs/adapter.md §Frames: 1 MiB + 64 to 1 GiB). */
const MAX_FRAME = 16 * 1024 * 1024;
const log = (line: string) => process.stderr.write(`[ts-adapter] ${line}\n`);

/** Everything the profile tells us (Configure); kept across Reset. */
interface Profile {
  stanza: StanzaLimits;
  enlistment: EnlistmentProfile | undefined;
}
const profile: Profile = { stanza: { ...DEFAULT_STANZA_LIMITS }, enlistment: undefined };
let remembered = new Map<string, Uint8Array>();
const enlistment = new Enlistment(log);

/** One operation: the reply's field name and message, or a thrown Refusal. */
type Reply = [field: string, message: Obj];

async function dispatch(op: string | undefined, body: Obj): Promise<Reply> {
  switch (op) {
    case "hello":
      if (body["protocol_major"] !== 1) {
        throw new Refusal("VERSION_MISMATCH", `this adapter speaks protocol 1, not ${String(body["protocol_major"])}`);
      }
      return [
        "hello",
        {
          protocol_major: 1,
          protocol_minor: 1,
          implementation_name: "interspec-example-typescript",
          implementation_version: "0.1.0",
          capabilities: [Capability["ENLISTMENT"], Capability["STANZA"], Capability["ENLISTMENT_CLOCK"]],
          profiles: ["default"],
          max_frame_size: MAX_FRAME,
        },
      ];
    case "configure":
      configure(body);
      return ["configure", {}];
    case "reset":
      remembered = new Map();
      await enlistment.reset();
      return ["reset", {}];
    case "ping":
      return ["ping", { payload: body["payload"] ?? new Uint8Array() }];
    case "remember":
      remembered.set(String(body["key"] ?? ""), (body["value"] as Uint8Array | undefined) ?? new Uint8Array());
      return ["remember", {}];
    case "recall": {
      const value = remembered.get(String(body["key"] ?? ""));
      return ["recall", value === undefined ? { found: false } : { found: true, value }];
    }
    default:
      if (op?.startsWith("en_")) return [op, await enlistment.operation(op, body, profile.enlistment)];
      if (op?.startsWith("stanza_")) return [op, stanzaOperation(op, body, profile.stanza)];
      throw new NotImplemented(op ? `operation ${op} is not implemented` : "unknown operation");
  }
}

function num(value: unknown): number {
  // uint64 fields arrive as decimal strings (toObject with longs: String); limits fit in 2^53.
  return typeof value === "number" ? value : Number(value ?? 0);
}

/**
 * Keeps the profile's values, or refuses the ones this adapter cannot honour
 * (docs/adapter.md §Configure): stanzas and payloads must fit in our frames,
 * trees in our message nesting, call tokens in our HTTP header bound.
 */
function configure(body: Obj): void {
  const next: Profile = { ...profile };
  const stanza = body["stanza"] as Obj | undefined;
  if (stanza) {
    next.stanza = {
      maxStanzaBytes: num(stanza["max_stanza_bytes"]),
      maxDepth: num(stanza["max_depth"]),
      maxAttributes: num(stanza["max_attributes"]),
      maxAttributeBytes: num(stanza["max_attribute_bytes"]),
      maxChildren: num(stanza["max_children"]),
      maxPayloadBytes: num(stanza["max_payload_bytes"]),
      maxPayloadDepth: num(stanza["max_payload_depth"]),
    };
    const s = next.stanza;
    const room = MAX_FRAME - 1024;
    if (s.maxStanzaBytes > room || s.maxPayloadBytes > room) {
      throw new Refusal("LIMIT_EXCEEDED", `stanza.max_stanza_bytes and max_payload_bytes must be at most ${room}`);
    }
    if (s.maxDepth > MAX_MESSAGE_NESTING - 16 || 2 * s.maxPayloadDepth > MAX_MESSAGE_NESTING - 16) {
      throw new Refusal("LIMIT_EXCEEDED", "stanza.max_depth or max_payload_depth nests deeper than this adapter's frames");
    }
  }
  const en = body["enlistment"] as Obj | undefined;
  if (en) {
    if (num(en["max_token_bytes"]) > MAX_CALL_TOKEN_BYTES) {
      throw new Refusal("LIMIT_EXCEEDED", `enlistment.max_token_bytes must be at most ${MAX_CALL_TOKEN_BYTES}`);
    }
    next.enlistment = {
      proofAudience: String(en["proof_audience"] ?? ""),
      maxProofLifetimeSeconds: num(en["max_proof_lifetime_seconds"]),
      clockSkewSeconds: num(en["clock_skew_seconds"]),
    };
  }
  Object.assign(profile, next);
}

function encodeFrame(id: unknown, field: string, message: Obj): Buffer {
  const body = Response.encode(Response.fromObject({ id, [field]: message })).finish();
  return Buffer.concat([varint(body.length), body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

async function answer(frame: Buffer): Promise<Buffer> {
  let request: Obj;
  try {
    checkWire(frame, Request, { maxDepth: MAX_MESSAGE_NESTING });
    request = Request.toObject(Request.decode(frame), { longs: String, defaults: false }) as Obj;
  } catch (e) {
    log(`undecodable frame: ${(e as Error).message}`);
    return encodeFrame(0, "rejected", { category: Category["MALFORMED_INPUT"], detail: "frame is not a Request" });
  }
  const id = request["id"] ?? 0;
  const op = Object.keys(request).find((k) => k !== "id");
  try {
    const [field, message] = await dispatch(op, op ? ((request[op] as Obj) ?? {}) : {});
    return encodeFrame(id, field, message);
  } catch (e) {
    if (e instanceof Refusal) {
      return encodeFrame(id, "rejected", { category: Category[e.category], detail: e.message });
    }
    if (e instanceof NotImplemented) return encodeFrame(id, "unsupported", { detail: e.message });
    log(`internal error in ${op}: ${(e as Error).stack ?? String(e)}`);
    return encodeFrame(id, "internal_error", { detail: String((e as Error).message ?? e) });
  }
}

// ---- the frame loop: read varint-prefixed frames, answer in order ----------

let pending: Buffer[] = [];
let pendingBytes = 0;
let queue: Promise<void> = Promise.resolve();
let closing = false;

function take(n: number): Buffer {
  const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
  const head = all.subarray(0, n);
  const rest = all.subarray(n);
  pending = rest.length > 0 ? [rest] : [];
  pendingBytes = rest.length;
  return head;
}

/** The next frame's length and the prefix's size, or undefined when incomplete. */
function peekLength(): { length: number; prefix: number } | undefined {
  let length = 0;
  let scale = 1;
  let index = 0;
  for (const chunk of pending) {
    for (const byte of chunk) {
      index += 1;
      length += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return { length, prefix: index };
      // A prefix of 10 bytes or more is past any limit (and past 2^64).
      if (index >= 10) return { length: Number.MAX_SAFE_INTEGER, prefix: index };
    }
  }
  return undefined;
}

function pump(): void {
  while (!closing) {
    const next = peekLength();
    if (!next) return;
    if (next.length > MAX_FRAME) {
      // docs/adapter.md §Frames: refuse at once, without reading the body.
      closing = true;
      const refusal = encodeFrame(0, "rejected", {
        category: Category["LIMIT_EXCEEDED"],
        detail: `frame of ${next.length} bytes is over ${MAX_FRAME}`,
      });
      queue = queue.then(() => {
        process.stdout.write(refusal, () => process.exit(0));
      });
      return;
    }
    if (pendingBytes < next.prefix + next.length) return;
    take(next.prefix);
    const frame = Buffer.from(take(next.length));
    queue = queue
      .then(async () => {
        const reply = await answer(frame);
        if (!process.stdout.write(reply)) await new Promise((r) => process.stdout.once("drain", r));
      })
      .catch((e: unknown) => {
        // Nothing can be answered in order any more: end, and let interspec restart us.
        log(`cannot answer: ${(e as Error).message}`);
        process.exit(1);
      });
  }
}

process.stdin.on("data", (chunk: Buffer) => {
  pending.push(chunk);
  pendingBytes += chunk.length;
  pump();
});
process.stdin.on("end", () => {
  queue = queue.then(() => enlistment.reset()).then(() => process.exit(0));
});
log(`started, pid ${process.pid}`);
