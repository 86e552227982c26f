// Parsing one stanza's bytes into the normalized element tree of
// docs/stanza.md §1-§2, with saxes: a non-validating, namespace-aware
// parser that checks well-formedness as it reads and never expands or
// fetches anything (it reports a DOCTYPE; we refuse it at once).
import { SaxesParser, SaxesTagNS } from "saxes";
import { Refusal } from "./proto.js";
import { isNCName } from "./serialize.js";

/** One element of the normalized view (proto StanzaNode). */
export interface XNode {
  name: string;
  namespace: string;
  attributes: XAttr[];
  children: XNode[];
  text: string;
}
export interface XAttr {
  namespace: string;
  name: string;
  value: string;
}

/** The bounds of docs/stanza.md §7 this module enforces. */
export interface TreeLimits {
  maxStanzaBytes: number;
  maxDepth: number;
  maxAttributes: number;
  maxAttributeBytes: number;
  maxChildren: number;
}

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";
// The BOM is kept: saxes skips exactly one at the very start (XML 1.0 §4.3.3), so a second is a character before the root.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** XML `S` (XML 1.0 §2.3 [3]). */
export const isWhiteSpace = (text: string) => /^[ \t\n\r]*$/.test(text);

interface Open {
  node: XNode;
  scope: Scope;
}

/** Prefix ("" for the default) to namespace name, in scope at an element. */
type Scope = ReadonlyMap<string, string>;
const ROOT_SCOPE: Scope = new Map([["xml", XML_NS], ["xmlns", XMLNS_NS], ["", ""]]);

/**
 * The scope inside `tag`. saxes checks namespace well-formedness but trims
 * declaration values; Namespaces §3 makes the namespace name the normalized
 * attribute value, untrimmed, so resolution is done here from the raw values.
 */
function declare(tag: SaxesTagNS, parent: Scope): Scope {
  let scope: Map<string, string> | undefined;
  for (const attr of Object.values(tag.attributes)) {
    const prefix = attr.prefix === "xmlns" ? attr.local : attr.name === "xmlns" ? "" : undefined;
    if (prefix === undefined) continue;
    // Namespaces §3 [3] PrefixedAttName: xmlns:NCName (saxes lets xmlns:2 through).
    if (prefix !== "" && !isNCName(prefix)) {
      throw new Refusal("MALFORMED_INPUT", `"xmlns:${prefix}" is not a qualified name`);
    }
    // Namespaces §3: `xml` only for its own name, `xmlns` never declared, neither
    // reserved name bound otherwise, no prefix bound to the empty name.
    const ns = attr.value;
    const reservedOk =
      prefix === "xml" ? ns === XML_NS : prefix !== "xmlns" && ns !== XML_NS && ns !== XMLNS_NS;
    if (!reservedOk || (prefix !== "" && ns === "")) {
      throw new Refusal("MALFORMED_INPUT", `namespace declaration of ${JSON.stringify(prefix)} as ${JSON.stringify(ns)}`);
    }
    scope ??= new Map(parent);
    scope.set(prefix, ns);
  }
  return scope ?? parent;
}

function resolve(scope: Scope, prefix: string): string {
  const ns = scope.get(prefix);
  if (ns === undefined) throw new Refusal("MALFORMED_INPUT", `unbound prefix ${prefix}`);
  return ns;
}

/** Parses one stanza; throws Refusal with the category of the first defect met. */
export function parseXml(bytes: Uint8Array, limits: TreeLimits): XNode {
  if (bytes.length > limits.maxStanzaBytes) {
    throw new Refusal("LIMIT_EXCEEDED", `stanza of ${bytes.length} bytes is over ${limits.maxStanzaBytes}`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new Refusal("MALFORMED_INPUT", "not UTF-8");
  }
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: Open[] = [];
  let root: XNode | undefined;

  parser.on("error", (e) => {
    // saxes meets a DOCTYPE in an odd place as a syntax error; it is still a DOCTYPE.
    const doctype = /doctype/i.test(e.message) && text.includes("<!DOCTYPE");
    throw new Refusal(doctype ? "FORBIDDEN_CONSTRUCT" : "MALFORMED_INPUT", e.message);
  });
  parser.on("doctype", () => {
    throw new Refusal("FORBIDDEN_CONSTRUCT", "document type declarations are forbidden (RFC 6120 §11.1)");
  });
  parser.on("processinginstruction", (pi) => {
    // XML 1.0 §2.6: a PI target `xml` in any case is reserved; other PIs are forbidden (RFC 6120 §11.1).
    if (pi.target.toLowerCase() === "xml") throw new Refusal("MALFORMED_INPUT", "misplaced XML declaration");
    throw new Refusal("FORBIDDEN_CONSTRUCT", "processing instructions are forbidden (RFC 6120 §11.1)");
  });
  parser.on("xmldecl", (decl) => {
    // RFC 6120 §11.8 and §11.6: version 1.0, encoding UTF-8.
    if (decl.version !== "1.0") throw new Refusal("FORBIDDEN_CONSTRUCT", `XML version ${decl.version}`);
    if (decl.encoding !== undefined && decl.encoding.toUpperCase() !== "UTF-8") {
      throw new Refusal("FORBIDDEN_CONSTRUCT", `encoding ${decl.encoding}`);
    }
  });
  parser.on("opentag", (tag) => {
    const parent = stack[stack.length - 1];
    if (stack.length + 1 > limits.maxDepth) throw new Refusal("LIMIT_EXCEEDED", `deeper than ${limits.maxDepth}`);
    const scope = declare(tag as SaxesTagNS, parent?.scope ?? ROOT_SCOPE);
    const node = element(tag as SaxesTagNS, scope, limits);
    if (parent) {
      parent.node.children.push(node);
      if (parent.node.children.length > limits.maxChildren) {
        throw new Refusal("LIMIT_EXCEEDED", `more than ${limits.maxChildren} children`);
      }
    } else {
      root = node;
    }
    stack.push({ node, scope });
  });
  const addText = (data: string) => {
    const top = stack[stack.length - 1];
    if (top) top.node.text += data;
  };
  parser.on("text", addText);
  parser.on("cdata", addText);
  parser.on("closetag", () => {
    const done = stack.pop();
    // Indentation is not content: white-space-only text beside children is dropped (§2).
    if (done && done.node.children.length > 0 && isWhiteSpace(done.node.text)) done.node.text = "";
  });

  parser.write(text).close();
  if (!root) throw new Refusal("MALFORMED_INPUT", "no root element");
  return root;
}

function element(tag: SaxesTagNS, scope: Scope, limits: TreeLimits): XNode {
  const all = Object.values(tag.attributes);
  // Namespace declarations count against the attribute limit (§7), but are not attributes of the view.
  if (all.length > limits.maxAttributes) throw new Refusal("LIMIT_EXCEEDED", `more than ${limits.maxAttributes} attributes`);
  const attributes: XAttr[] = [];
  for (const attr of all) {
    if (Buffer.byteLength(attr.value, "utf8") > limits.maxAttributeBytes) {
      throw new Refusal("LIMIT_EXCEEDED", `attribute ${attr.name} over ${limits.maxAttributeBytes} bytes`);
    }
    if (attr.prefix === "xmlns" || attr.name === "xmlns") continue;
    // An unprefixed attribute is in no namespace (Namespaces §6.2).
    const namespace = attr.prefix === "" ? "" : resolve(scope, attr.prefix);
    attributes.push({ namespace, name: attr.local, value: attr.value });
  }
  attributes.sort(compareAttributes);
  return { name: tag.local, namespace: resolve(scope, tag.prefix), attributes, children: [], text: "" };
}

/** By namespace, then name, then value, in byte (UTF-8) order; code-point order is the same. */
export function compareAttributes(a: XAttr, b: XAttr): number {
  return cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.value, b.value);
}
function cmp(a: string, b: string): number {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return Buffer.compare(x, y);
}
