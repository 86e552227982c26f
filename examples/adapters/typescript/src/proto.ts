// The adapter protocol's schema, loaded at run time from the repository's
// proto/ folder by protobufjs (no protoc, no generated code to keep in step).
import path from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/** Where proto/adapter.proto lives: $INTERSPEC_PROTO_DIR, else ../../../../proto from dist/. */
function protoDir(): string {
  const fromEnv = process.env["INTERSPEC_PROTO_DIR"];
  if (fromEnv) return fromEnv;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, "..", "..", "..", "..", "proto");
}

/**
 * How deep messages may nest in a frame. protobufjs stops at 100 (protoc's
 * default); a profile may set stanza.max_depth up to 256 and
 * max_payload_depth up to 64 (docs/stanza.md §7), which nest deeper than that
 * inside a Request. wire.ts checks this bound before protobufjs recurses.
 */
export const MAX_MESSAGE_NESTING = 1024;
protobuf.util.recursionLimit = MAX_MESSAGE_NESTING + 16;
protobuf.Reader.recursionLimit = MAX_MESSAGE_NESTING + 16;

const root = new protobuf.Root();
const dir = protoDir();
// Imports (`import "stanza_payload.proto"`) resolve inside the same folder.
root.resolvePath = (_origin: string, target: string) =>
  path.isAbsolute(target) ? target : path.join(dir, target);
root.loadSync(path.join(dir, "adapter.proto"), { keepCase: true });
root.resolveAll();

const A = "interspec.adapter.v1.";
export const Request = root.lookupType(A + "Request");
export const Response = root.lookupType(A + "Response");
export const PayloadMessage = root.lookupType("interspec.stanza.v1.Message");

/** Values of `interspec.adapter.v1.ErrorCategory` (proto/adapter.proto). */
export const Category = root.lookupEnum(A + "ErrorCategory").values as Record<string, number>;
export const Capability = root.lookupEnum(A + "Capability").values as Record<string, number>;
export const StanzaKind = root.lookupEnum(A + "StanzaKind").values as Record<string, number>;
export const StanzaEncType = root.lookupEnum(A + "StanzaEncType").values as Record<string, number>;

/** The error categories this adapter answers (names of `ErrorCategory`). */
export type CategoryName =
  | "MALFORMED_INPUT"
  | "FORBIDDEN_CONSTRUCT"
  | "LIMIT_EXCEEDED"
  | "SCHEMA_VIOLATION"
  | "INVALID_KEY"
  | "VERSION_MISMATCH"
  | "NOT_FOUND"
  | "UNAUTHENTICATED";

/** A refusal on purpose: becomes `Rejected{category, detail}`. */
export class Refusal extends Error {
  constructor(
    readonly category: CategoryName,
    detail: string,
  ) {
    super(detail);
  }
}

/** An operation this adapter does not implement: becomes `Unsupported{detail}`. */
export class NotImplemented extends Error {}

/** A plain object that protobufjs encodes; field names as in the .proto. */
export type Obj = { [field: string]: unknown };
