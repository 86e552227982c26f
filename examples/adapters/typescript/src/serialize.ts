// Writing a normalized element tree as one stanza (docs/stanza.md §8,
// StanzaSerialize). Namespaces are written as default-namespace declarations
// for elements and generated prefixes for namespaced attributes; text and
// attribute values are escaped so that a parse gives back exactly the tree.
import { Refusal } from "./proto.js";
import type { XNode } from "./xml.js";

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

// XML 1.0 §2.3 [4], [4a] without ':' (Namespaces §3 NCName).
const START = "A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NCNAME = new RegExp(`^[${START}][${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, "u");
/** Characters outside XML 1.0 §2.2 [2] Char. */
const NOT_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function checkChars(text: string, where: string): void {
  if (NOT_CHAR.test(text)) throw new Refusal("MALFORMED_INPUT", `${where} holds a character XML does not allow`);
}

/** Whether `name` is an NCName (Namespaces §3). */
export const isNCName = (name: string): boolean => NCNAME.test(name);

function checkName(name: string): void {
  if (!isNCName(name)) throw new Refusal("MALFORMED_INPUT", `${JSON.stringify(name)} is not an NCName`);
}

const escapeText = (text: string) =>
  text.replace(/[&<>\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" })[c] ?? c);
const escapeAttr = (text: string) =>
  text.replace(/[&<"\t\n\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" })[c] ?? c);

interface Scope {
  defaultNs: string;
  prefixes: Map<string, string>; // namespace -> prefix
}

export function serializeTree(root: XNode): Uint8Array {
  const out: string[] = [];
  let counter = 0;
  const write = (node: XNode, scope: Scope, depth: number) => {
    if (depth > 4096) throw new Refusal("LIMIT_EXCEEDED", "tree too deep to write");
    checkName(node.name);
    checkChars(node.text, "text");
    if (node.namespace === XMLNS_NS) throw new Refusal("MALFORMED_INPUT", "an element cannot be in the xmlns namespace");
    const decls: string[] = [];
    const inner: Scope = { defaultNs: scope.defaultNs, prefixes: new Map(scope.prefixes) };
    let tag = node.name;
    if (node.namespace === XML_NS) {
      tag = `xml:${node.name}`;
    } else if (node.namespace !== scope.defaultNs) {
      checkChars(node.namespace, "namespace");
      decls.push(`xmlns="${escapeAttr(node.namespace)}"`);
      inner.defaultNs = node.namespace;
    }
    const attrs: string[] = [];
    for (const a of node.attributes) {
      checkName(a.name);
      checkChars(a.value, "attribute value");
      let qname = a.name;
      if (a.namespace === XMLNS_NS) throw new Refusal("MALFORMED_INPUT", "namespace declarations are not attributes");
      if (a.namespace === XML_NS) qname = `xml:${a.name}`;
      else if (a.namespace !== "") {
        let prefix = inner.prefixes.get(a.namespace);
        if (!prefix) {
          checkChars(a.namespace, "namespace");
          prefix = `ns${counter++}`;
          inner.prefixes.set(a.namespace, prefix);
          decls.push(`xmlns:${prefix}="${escapeAttr(a.namespace)}"`);
        }
        qname = `${prefix}:${a.name}`;
      }
      attrs.push(`${qname}="${escapeAttr(a.value)}"`);
    }
    out.push(`<${[tag, ...decls, ...attrs].join(" ")}>`, escapeText(node.text));
    for (const child of node.children) write(child, inner, depth + 1);
    out.push(`</${tag}>`);
  };
  write(root, { defaultNs: "", prefixes: new Map() }, 1);
  return Buffer.from(out.join(""), "utf8");
}
