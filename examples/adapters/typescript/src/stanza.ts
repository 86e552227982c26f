// The stanza suite's operations (docs/stanza.md §8): parse (xml.ts, then the
// typed fields of §3-§5 here), serialize (serialize.ts) and the payload codec
// (payload.ts).
import { NotImplemented, Obj, Refusal, StanzaEncType, StanzaKind } from "./proto.js";
import { decodePayload, encodePayload } from "./payload.js";
import { serializeTree } from "./serialize.js";
import { isWhiteSpace, parseXml, TreeLimits, XNode } from "./xml.js";

export interface StanzaLimits extends TreeLimits {
  maxPayloadBytes: number;
  maxPayloadDepth: number;
}
/** The default profile's values (docs/stanza.md §7), used until Configure says otherwise. */
export const DEFAULT_STANZA_LIMITS: StanzaLimits = {
  maxStanzaBytes: 65536,
  maxDepth: 16,
  maxAttributes: 32,
  maxAttributeBytes: 1024,
  maxChildren: 256,
  maxPayloadBytes: 65536,
  maxPayloadDepth: 8,
};

const CLIENT_NS = "jabber:client"; // RFC 6120 §4.8.3
/** The six stanzas and their required attributes (docs/stanza.md §3). */
const STANZAS: Record<string, { kind: string; required: string[] }> = {
  message: { kind: "STANZA_KIND_MESSAGE", required: ["id", "to", "type"] },
  receipt: { kind: "STANZA_KIND_RECEIPT", required: ["id"] },
  ack: { kind: "STANZA_KIND_ACK", required: ["id", "class"] },
  iq: { kind: "STANZA_KIND_IQ", required: ["id", "type"] },
  presence: { kind: "STANZA_KIND_PRESENCE", required: [] },
  notification: { kind: "STANZA_KIND_NOTIFICATION", required: ["id", "type"] },
};
const IQ_TYPES = new Set(["get", "set", "result", "error"]); // RFC 6120 §8.2.3
const ENC_TYPES: Record<string, string> = {
  pkmsg: "STANZA_ENC_TYPE_PKMSG",
  msg: "STANZA_ENC_TYPE_MSG",
  skmsg: "STANZA_ENC_TYPE_SKMSG",
};

export function stanzaOperation(op: string, body: Obj, limits: StanzaLimits): Obj {
  switch (op) {
    case "stanza_parse": {
      const root = parseXml((body["xml"] as Uint8Array | undefined) ?? new Uint8Array(), limits);
      return { view: { root, typed: typedFields(root) } };
    }
    case "stanza_serialize": {
      const xml = serializeTree(toTree((body["root"] as Obj | undefined) ?? {}));
      // The output must be a stanza of the profile: parse it back, refusing what a parse refuses.
      typedFields(parseXml(xml, limits));
      return { xml };
    }
    case "stanza_payload_decode":
      return { message: decodePayload((body["payload"] as Uint8Array | undefined) ?? new Uint8Array(), limits) };
    case "stanza_payload_encode":
      return { payload: encodePayload((body["message"] as Obj | undefined) ?? {}, limits) };
    default:
      throw new NotImplemented(`operation ${op} is not implemented`);
  }
}

/** A StanzaNode as decoded from the request, with proto3 defaults filled in. */
function toTree(node: Obj): XNode {
  const attrs = (node["attributes"] as Obj[] | undefined) ?? [];
  const children = (node["children"] as Obj[] | undefined) ?? [];
  return {
    name: String(node["name"] ?? ""),
    namespace: String(node["namespace"] ?? ""),
    attributes: attrs.map((a) => ({
      namespace: String(a["namespace"] ?? ""),
      name: String(a["name"] ?? ""),
      value: String(a["value"] ?? ""),
    })),
    children: children.map(toTree),
    text: String(node["text"] ?? ""),
  };
}

/** Attributes are matched by local name in no namespace (§3). */
function attr(node: XNode, name: string): string | undefined {
  return node.attributes.find((a) => a.namespace === "" && a.name === name)?.value;
}

/** The typed fields of §4, refusing what §3 and §5 refuse. */
function typedFields(root: XNode): Obj {
  const spec = root.namespace === CLIENT_NS ? STANZAS[root.name] : undefined;
  if (!spec) throw new Refusal("SCHEMA_VIOLATION", `<${root.name}> in '${root.namespace}' is not a stanza`);
  for (const name of spec.required) {
    if (!attr(root, name)) throw new Refusal("SCHEMA_VIOLATION", `<${root.name}> needs a non-empty ${name}`);
  }
  const type = attr(root, "type");
  if (root.name === "iq" && !IQ_TYPES.has(type ?? "")) throw new Refusal("SCHEMA_VIOLATION", `iq type ${type}`);
  const typed: Obj = { kind: StanzaKind[spec.kind], id: attr(root, "id") ?? "" };
  if (type !== undefined) typed["type"] = type;
  const from = attr(root, "from");
  if (from !== undefined) typed["from"] = address(from);
  const to = attr(root, "to");
  if (to !== undefined) typed["to"] = address(to);
  const t = attr(root, "t");
  if (t !== undefined) typed["t"] = decimal(t, 2n ** 64n - 1n, "t").toString();
  if (root.name === "message") {
    typed["enc"] = root.children.filter((c) => c.name === "enc" && c.namespace === CLIENT_NS).map(enc);
  }
  return typed;
}

/** A canonical decimal (digits, no sign, no leading zero) at most `max`; else MALFORMED_INPUT. */
function decimal(text: string, max: bigint, what: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || BigInt(text) > max) {
    throw new Refusal("MALFORMED_INPUT", `${what} is not a canonical decimal up to ${max}`);
  }
  return BigInt(text);
}

/** `[user[:device]@]domain[/resource]` (docs/stanza.md §5). */
function address(text: string): Obj {
  const bad = () => new Refusal("MALFORMED_INPUT", `bad address ${JSON.stringify(text)}`);
  const slash = text.indexOf("/");
  const bare = slash < 0 ? text : text.slice(0, slash);
  const out: Obj = {};
  if (slash >= 0) {
    const resource = text.slice(slash + 1);
    if (!/^[!-~]{1,256}$/.test(resource)) throw bad();
    out["resource"] = resource;
  }
  const at = bare.indexOf("@");
  const domain = at < 0 ? bare : bare.slice(at + 1);
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/; // RFC 1035 §2.3.1, lower case
  if (domain.length < 1 || domain.length > 253 || !domain.split(".").every((l) => label.test(l))) throw bad();
  out["domain"] = domain;
  out["user"] = "";
  if (at >= 0) {
    const local = bare.slice(0, at);
    const colon = local.indexOf(":");
    const user = colon < 0 ? local : local.slice(0, colon);
    if (!/^[A-Za-z0-9._+-]{1,64}$/.test(user)) throw bad();
    out["user"] = user;
    if (colon >= 0) {
      const device = local.slice(colon + 1);
      if (!/^(0|[1-9][0-9]{0,4})$/.test(device) || Number(device) > 65535) throw bad();
      out["device"] = Number(device);
    }
  }
  return out;
}

/** One <enc> child of a message (§3). */
function enc(node: XNode): Obj {
  const v = attr(node, "v");
  if (!v) throw new Refusal("SCHEMA_VIOLATION", "enc needs v");
  const version = decimal(v, 2n ** 32n - 1n, "enc v");
  const type = ENC_TYPES[attr(node, "type") ?? ""];
  if (!type) throw new Refusal("SCHEMA_VIOLATION", "enc type must be pkmsg, msg or skmsg");
  const content = node.text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
  if (isWhiteSpace(content)) throw new Refusal("SCHEMA_VIOLATION", "enc has no content");
  // RFC 4648 §4, canonical: padded, standard alphabet, zero pad bits (re-encoding gives it back).
  const payload = Buffer.from(content, "base64");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || payload.toString("base64") !== content) {
    throw new Refusal("MALFORMED_INPUT", "enc content is not canonical base64");
  }
  const out: Obj = { v: Number(version), type: StanzaEncType[type], payload };
  const mediatype = attr(node, "mediatype");
  if (mediatype !== undefined) out["mediatype"] = mediatype;
  return out;
}
