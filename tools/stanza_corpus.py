#!/usr/bin/env python3
"""Writes the golden stanza corpus, vectors/stanza/NAME.xml + NAME.json.

Every expectation below is written by hand from docs/stanza.md (not produced
by any parser): a case either expects a normalized view (JSON form of
docs/stanza.md §2 and §4) or a refusal category. `interspec vectors verify`
replays the cases through the peer's parser; the stanza suite's corpus
scenarios replay them through the target. After running this, refresh the
manifest: `cargo run -q -- vectors manifest`.

Usage: tools/stanza_corpus.py [OUT_DIR]   (default: vectors/stanza)
"""

import json
import os
import sys

CLIENT = "jabber:client"
EXT = "urn:x-interspec:ext"
XML_NS = "http://www.w3.org/XML/1998/namespace"
OUT = sys.argv[1] if len(sys.argv) > 1 else "vectors/stanza"

CASES = []


def case(name, group, source, description, xml, view=None, refused=None):
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    assert (view is None) != (refused is None), name
    CASES.append((name, group, source, description, xml, view, refused))


def node(name, ns="", attrs=(), text="", children=()):
    n = {"name": name}
    if ns:
        n["ns"] = ns
    if attrs:
        n["attrs"] = [dict(a) for a in sorted(attrs, key=lambda a: (a.get("ns", ""), a["name"], a["value"]))]
    if text:
        n["text"] = text
    if children:
        n["children"] = list(children)
    return n


def a(name, value, ns=""):
    d = {"name": name, "value": value}
    if ns:
        d["ns"] = ns
    return d


def addr(user="", domain="", device=None, resource=None):
    d = {"domain": domain}
    if user:
        d["user"] = user
    if device is not None:
        d["device"] = device
    if resource is not None:
        d["resource"] = resource
    return d


def typed(kind, id="", type=None, frm=None, to=None, t=None, enc=()):
    d = {"kind": kind}
    if id:
        d["id"] = id
    if type is not None:
        d["type"] = type
    if frm is not None:
        d["from"] = frm
    if to is not None:
        d["to"] = to
    if t is not None:
        d["t"] = t
    if enc:
        d["enc"] = list(enc)
    return d


def enc(v, type, payload_hex, mediatype=None):
    d = {"v": v, "type": type, "payload": payload_hex}
    if mediatype is not None:
        d["mediatype"] = mediatype
    return d


# ---- the base message and its view -------------------------------------
# MwohBQ== is the base64 of 33 0a 21 05 (RFC 4648 §4).
BASE_ATTRS = [a("id", "3EB0A1"), a("to", "bob@example.org"), a("from", "alice:2@example.org"),
              a("type", "text"), a("t", "1700000000")]
ENC = node("enc", CLIENT, [a("v", "2"), a("type", "msg")], "MwohBQ==")
BASE_TYPED = typed("message", "3EB0A1", "text", addr("alice", "example.org", 2),
                   addr("bob", "example.org"), 1700000000, [enc(2, "msg", "330a2105")])


def base_view(children=(ENC,), attrs=(), typed_=None):
    return {"root": node("message", CLIENT, BASE_ATTRS + list(attrs), "", list(children)),
            "typed": typed_ or BASE_TYPED}


OPEN = '<message xmlns="jabber:client" id="3EB0A1" to="bob@example.org" from="alice:2@example.org" type="text" t="1700000000">'
BODY = '<enc v="2" type="msg">MwohBQ==</enc>'
BASE = OPEN + BODY + '</message>'


def base_with(content, attrs=""):
    return OPEN[:-1] + attrs + ">" + BODY + content + "</message>"


# ---- valid spellings -----------------------------------------------------
S = "spelling"
case("valid-basic-message", S, "docs/stanza.md §3", "the plainest spelling of a message with one enc", BASE, base_view())
case("valid-attributes-reordered", S, "XML 1.0 §3.1 (attribute order is not significant)",
     "attributes in another order",
     '<message t="1700000000" type="text" from="alice:2@example.org" to="bob@example.org" id="3EB0A1" xmlns="jabber:client"><enc type="msg" v="2">MwohBQ==</enc></message>', base_view())
case("valid-single-quotes", S, "XML 1.0 §3.1 [10]", "single-quoted attribute values",
     BASE.replace('"', "'"), base_view())
case("valid-mixed-quotes-with-quote-chars", S, "XML 1.0 §3.1 [10]", "each quote style holding the other quote character",
     base_with("", " x-a='say \"hi\"' x-b=\"it's\""), base_view(attrs=[a("x-a", 'say "hi"'), a("x-b", "it's")]))
case("valid-whitespace-in-tags", S, "XML 1.0 §3.1 [40] [41] [42], §2.3 [25]", "white space around '=' and before '>' and '/>'",
     '<message\n  xmlns = "jabber:client"\tid = "3EB0A1"\n  to="bob@example.org" from="alice:2@example.org"\n  type="text" t="1700000000" ><enc v="2" type="msg" >MwohBQ==</enc ><x-pad /></message\n>',
     base_view(children=[ENC, node("x-pad", CLIENT)]))
case("valid-indented", S, "docs/stanza.md §2 (white-space-only text beside children is dropped)", "indentation between elements",
     OPEN + "\n    " + BODY + "\n  \t\n" + "</message>\n", base_view())
case("valid-xml-declaration", S, "XML 1.0 §2.8 [23]", "an XML declaration with version and encoding",
     '<?xml version="1.0" encoding="UTF-8"?>\n' + BASE, base_view())
case("valid-xml-declaration-standalone", S, "XML 1.0 §2.8 [23] [32], §4.3.3 (encoding names are case-insensitive)",
     "single-quoted declaration, lower-case encoding name, standalone",
     "<?xml version='1.0' encoding='utf-8' standalone='no'?>" + BASE, base_view())
case("valid-utf8-bom", S, "XML 1.0 §4.3.3", "a UTF-8 byte order mark before the declaration",
     b"\xef\xbb\xbf" + ('<?xml version="1.0"?>' + BASE).encode(), base_view())
case("valid-comments", S, "XML 1.0 §2.5; docs/stanza.md §1", "comments before, inside and after the root",
     "<!-- before -->\n" + OPEN + "<!-- inside - with a dash -->" + BODY + "<!---->" + "</message><!-- after -->\n", base_view())
case("valid-expanded-empty-element", S, "XML 1.0 §3.1 [44] (an empty-element tag and a start-end pair are equivalent)",
     "<x-pad></x-pad> for an empty element", base_with("<x-pad></x-pad>"), base_view(children=[ENC, node("x-pad", CLIENT)]))
case("valid-crlf-line-ends", S, "XML 1.0 §2.11", "CR LF and lone CR in text become LF",
     base_with("<note>one\r\ntwo\rthree\n</note>"), base_view(children=[ENC, node("note", CLIENT, text="one\ntwo\nthree\n")]))
case("valid-attribute-value-normalization", S, "XML 1.0 §3.3.3", "literal tab and line feeds become spaces; &#9; and &#10; stay",
     base_with("", ' x-lit="a\tb\nc\r\nd" x-ref="a&#9;b&#10;c&#13;d"'),
     base_view(attrs=[a("x-lit", "a b c d"), a("x-ref", "a\tb\nc\rd")]))
case("valid-predefined-entities", S, "XML 1.0 §4.6", "the five predefined entities in text and attributes",
     base_with("<note>&lt;b&gt; &amp; &apos;q&apos; &quot;d&quot;</note>", ' x-note="a &lt; b &amp;&amp; &quot;c&quot; &apos;"'),
     base_view(children=[ENC, node("note", CLIENT, text="<b> & 'q' \"d\"")], attrs=[a("x-note", "a < b && \"c\" '")]))
case("valid-character-references", S, "XML 1.0 §4.1 [66]", "decimal and hexadecimal character references in an attribute and the payload",
     OPEN.replace('id="3EB0A1"', 'id="&#51;E&#x42;0A1"') + '<enc v="&#50;" type="msg">&#x4D;wohBQ&#61;&#x3d;</enc></message>', base_view())
case("valid-cdata-payload", S, "XML 1.0 §2.7", "the payload inside a CDATA section",
     OPEN + '<enc v="2" type="msg"><![CDATA[MwohBQ==]]></enc></message>', base_view())
case("valid-cdata-markup", S, "XML 1.0 §2.7", "CDATA holding markup characters, joined with plain text",
     base_with("<note>a<![CDATA[<b>&amp;]]>c<![CDATA[]]></note>"), base_view(children=[ENC, node("note", CLIENT, text="a<b>&amp;c")]))
case("valid-comment-splits-text", S, "XML 1.0 §2.5; docs/stanza.md §2", "text on either side of a comment joins",
     base_with("<note>ab<!-- c -->cd</note>"), base_view(children=[ENC, node("note", CLIENT, text="abcd")]))
case("valid-utf8-multibyte", S, "XML 1.0 §2.2; RFC 3629", "two-, three- and four-byte UTF-8 in text and attributes",
     base_with("<note>héllo — 日本語 😀</note>", ' x-name="Zoë 🚀"'),
     base_view(children=[ENC, node("note", CLIENT, text="héllo — 日本語 😀")], attrs=[a("x-name", "Zoë 🚀")]))
case("valid-edge-characters", S, "XML 1.0 §2.2 [2]", "U+007F, U+0085, U+FFFD and U+10FFFF are XML characters",
     base_with("<note>\u007f\u0085\ufffd\U0010ffff</note>"), base_view(children=[ENC, node("note", CLIENT, text="\u007f\u0085\ufffd\U0010ffff")]))
case("valid-gt-in-attribute-and-text", S, "XML 1.0 §2.4, §3.1 [10] ('>' needs no escape)", "a literal '>' in an attribute and in text",
     base_with("<note>a>b</note>", ' x-cmp="1>0"'), base_view(children=[ENC, node("note", CLIENT, text="a>b")], attrs=[a("x-cmp", "1>0")]))
case("valid-text-whitespace-kept", S, "docs/stanza.md §2", "white-space-only text in an element without children is kept",
     base_with("<note> \t </note>"), base_view(children=[ENC, node("note", CLIENT, text=" \t ")]))

# ---- namespaces --------------------------------------------------------------
N = "namespaces"
P_OPEN = '<c:message xmlns:c="jabber:client" id="3EB0A1" to="bob@example.org" from="alice:2@example.org" type="text" t="1700000000">'
case("valid-prefixed-namespace", N, "Namespaces in XML 1.0 §6.1", "the stanza namespace bound to a prefix",
     P_OPEN + '<c:enc v="2" type="msg">MwohBQ==</c:enc></c:message>', base_view())
case("valid-prefix-and-default-same-namespace", N, "Namespaces in XML 1.0 §6.1, §6.2", "prefixed root, unprefixed child under an equal default",
     '<c:message xmlns:c="jabber:client" xmlns="jabber:client"' + P_OPEN[len('<c:message xmlns:c="jabber:client"'):] + BODY + "</c:message>", base_view())
case("valid-unprefixed-enc-is-in-no-namespace", N, "Namespaces in XML 1.0 §6.2",
     "with only a prefix declared, an unprefixed enc is in no namespace: not the profile's enc",
     P_OPEN + BODY + "</c:message>",
     {"root": node("message", CLIENT, BASE_ATTRS, "", [node("enc", "", [a("v", "2"), a("type", "msg")], "MwohBQ==")]),
      "typed": {k: v for k, v in BASE_TYPED.items() if k != "enc"}})
case("valid-default-overridden-for-child", N, "Namespaces in XML 1.0 §6.2", "a child redeclaring the default namespace holds a foreign enc",
     OPEN + BODY + '<enc xmlns="urn:x-interspec:ext" v="9" type="bogus">not base64!</enc></message>',
     base_view(children=[ENC, node("enc", EXT, [a("v", "9"), a("type", "bogus")], "not base64!")]))
case("valid-foreign-prefixed-enc-ignored", N, "Namespaces in XML 1.0 §6.1; docs/stanza.md §3 (extensibility)",
     "a prefixed enc in another namespace is an unknown element, not validated",
     base_with('<x:enc xmlns:x="urn:x-interspec:ext" type="bogus"/>'),
     base_view(children=[ENC, node("enc", EXT, [a("type", "bogus")])]))
case("valid-prefixed-attribute-is-distinct", N, "Namespaces in XML 1.0 §6.2, §6.3", "x:id and id are different attributes",
     base_with("", ' xmlns:x="urn:x-interspec:ext" x:id="other" x:to="nobody"'),
     base_view(attrs=[a("id", "other", EXT), a("to", "nobody", EXT)]))
case("valid-default-undeclared", N, "Namespaces in XML 1.0 §6.2", "xmlns=\"\" puts a child in no namespace",
     base_with('<note xmlns="">x</note>'), base_view(children=[ENC, node("note", "", text="x")]))
case("valid-namespace-name-with-reference", N, "XML 1.0 §3.3.3; Namespaces in XML 1.0 §3 (a declaration is an attribute: its value is normalized first)",
     "a namespace name spelled with a character reference",
     base_with("", ' xmlns:x="urn:x&#45;interspec:ext" x:k="1"'), base_view(attrs=[a("k", "1", EXT)]))
case("valid-xml-lang", N, "Namespaces in XML 1.0 §3 (the xml prefix is always bound)", "xml:lang is an attribute in the XML namespace",
     base_with("", ' xml:lang="en"'), base_view(attrs=[a("lang", "en", XML_NS)]))

# ---- typed fields --------------------------------------------------------------
T = "typed"
case("valid-multiple-enc", T, "docs/stanza.md §3, §4", "pkmsg and skmsg with a mediatype, in document order",
     OPEN + '<enc v="2" type="pkmsg">AAEC</enc><enc v="3" type="skmsg" mediatype="image">/w==</enc></message>',
     base_view(children=[node("enc", CLIENT, [a("v", "2"), a("type", "pkmsg")], "AAEC"),
                         node("enc", CLIENT, [a("v", "3"), a("type", "skmsg"), a("mediatype", "image")], "/w==")],
               typed_=dict(BASE_TYPED, enc=[enc(2, "pkmsg", "000102"), enc(3, "skmsg", "ff", "image")])))
case("valid-enc-payload-surrounding-whitespace", T, "docs/stanza.md §3 (white space around the base64 is ignored)",
     "a payload on its own indented line",
     OPEN + '<enc v="2" type="msg">\n    MwohBQ==\n  </enc></message>',
     base_view(children=[node("enc", CLIENT, [a("v", "2"), a("type", "msg")], "\n    MwohBQ==\n  ")]))
case("valid-message-without-enc", T, "docs/stanza.md §3", "a message with no enc child and no optional attributes",
     '<message xmlns="jabber:client" id="m1" to="example.org" type="text"/>',
     {"root": node("message", CLIENT, [a("id", "m1"), a("to", "example.org"), a("type", "text")]),
      "typed": typed("message", "m1", "text", None, addr("", "example.org"))})
case("valid-receipt", T, "docs/stanza.md §3", "a read receipt",
     '<receipt xmlns="jabber:client" id="3EB0A1" from="bob:1@example.org" type="read" t="1700000005"/>',
     {"root": node("receipt", CLIENT, [a("id", "3EB0A1"), a("from", "bob:1@example.org"), a("type", "read"), a("t", "1700000005")]),
      "typed": typed("receipt", "3EB0A1", "read", addr("bob", "example.org", 1), None, 1700000005)})
case("valid-ack", T, "docs/stanza.md §3", "a server acknowledgement",
     "<ack xmlns='jabber:client' id='3EB0A1' class='message' from='example.org'/>",
     {"root": node("ack", CLIENT, [a("id", "3EB0A1"), a("class", "message"), a("from", "example.org")]),
      "typed": typed("ack", "3EB0A1", None, addr("", "example.org"))})
case("valid-iq-get-with-query", T, "RFC 6120 §8.2.3; docs/stanza.md §3", "an iq get with a child in its own namespace",
     '<iq xmlns="jabber:client" id="q1" type="get" to="example.org"><query xmlns="urn:x-interspec:keys"><user jid="bob@example.org"/></query></iq>',
     {"root": node("iq", CLIENT, [a("id", "q1"), a("type", "get"), a("to", "example.org")], "",
                   [node("query", "urn:x-interspec:keys", children=[node("user", "urn:x-interspec:keys", [a("jid", "bob@example.org")])])]),
      "typed": typed("iq", "q1", "get", None, addr("", "example.org"))})
case("valid-presence-minimal", T, "docs/stanza.md §3 (presence has no required attribute)", "an empty presence",
     '<presence xmlns="jabber:client"/>', {"root": node("presence", CLIENT), "typed": typed("presence")})
case("valid-notification", T, "docs/stanza.md §3", "a notification with an unknown child",
     '<notification xmlns="jabber:client" id="n7" type="devices" from="example.org" t="0"><update count="2"/></notification>',
     {"root": node("notification", CLIENT, [a("id", "n7"), a("type", "devices"), a("from", "example.org"), a("t", "0")], "",
                   [node("update", CLIENT, [a("count", "2")])]),
      "typed": typed("notification", "n7", "devices", addr("", "example.org"), None, 0)})
case("valid-address-forms", T, "docs/stanza.md §5", "a largest device, a resource holding '/' and '@', the largest t",
     '<receipt xmlns="jabber:client" id="r" to="bob:65535@s.example.org/phone/2@x" from="a.b_c-d+e@x-1.example" t="18446744073709551615"/>',
     {"root": node("receipt", CLIENT, [a("id", "r"), a("to", "bob:65535@s.example.org/phone/2@x"), a("from", "a.b_c-d+e@x-1.example"), a("t", "18446744073709551615")]),
      "typed": typed("receipt", "r", None, addr("a.b_c-d+e", "x-1.example"), addr("bob", "s.example.org", 65535, "phone/2@x"), 18446744073709551615)})
case("valid-unknown-attributes-and-children", T, "docs/stanza.md §3 (extensibility)", "unknown attributes and nested unknown children are kept and ignored",
     base_with('<meta xmlns="urn:x-interspec:ext" k="v"><deep><deeper>x</deeper></deep></meta>', ' x-priority="high"'),
     base_view(children=[ENC, node("meta", EXT, [a("k", "v")], "", [node("deep", EXT, children=[node("deeper", EXT, text="x")])])],
               attrs=[a("x-priority", "high")]))

# ---- forbidden constructs ---------------------------------------------------------
F = "forbidden"
FC = "FORBIDDEN_CONSTRUCT"
case("doctype", F, "RFC 6120 §11.1", "a document type declaration", "<!DOCTYPE message>" + BASE, refused=FC)
case("doctype-internal-entity", F, "RFC 6120 §11.1; XML 1.0 §4.2", "an internal entity declared and used",
     '<!DOCTYPE message [<!ENTITY x "expanded">]>' + base_with("<note>&x;</note>"), refused=FC)
lol = '<!ENTITY lol0 "lol">' + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1)) * 10) for i in range(1, 10))
case("doctype-billion-laughs", F, "RFC 6120 §11.1; XML 1.0 §4.2", "the billion-laughs shape (10^9 expansions if expanded)",
     "<!DOCTYPE message [" + lol + "]>" + base_with("<note>&lol9;</note>"), refused=FC)
case("doctype-external-entity", F, "RFC 6120 §11.1; XML 1.0 §4.2.2", "an external entity pointing at a closed loopback port",
     '<!DOCTYPE message [<!ENTITY ext SYSTEM "http://127.0.0.1:9/xxe">]>' + base_with("<note>&ext;</note>"), refused=FC)
case("doctype-external-file-entity", F, "RFC 6120 §11.1; XML 1.0 §4.2.2", "an external entity naming a local file",
     '<!DOCTYPE message [<!ENTITY ext SYSTEM "file:///etc/passwd">]>' + base_with("<note>&ext;</note>"), refused=FC)
case("doctype-external-parameter-entity", F, "RFC 6120 §11.1; XML 1.0 §4.4.8", "an external parameter entity referenced in the subset",
     '<!DOCTYPE message [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/dtd"> %ext;]>' + BASE, refused=FC)
case("doctype-external-subset", F, "RFC 6120 §11.1; XML 1.0 §2.8 [28]", "an external DTD subset",
     '<!DOCTYPE message SYSTEM "http://127.0.0.1:9/message.dtd">' + BASE, refused=FC)
case("doctype-inside-root", F, "RFC 6120 §11.1", "a DOCTYPE inside the root element",
     base_with("<!DOCTYPE note>"), refused=FC)
case("pi-in-prolog", F, "RFC 6120 §11.1; XML 1.0 §2.6", "a stylesheet processing instruction before the root",
     '<?xml-stylesheet href="style.css"?>' + BASE, refused=FC)
case("pi-in-content", F, "RFC 6120 §11.1; XML 1.0 §2.6", "a processing instruction inside the root",
     base_with("<?render fast?>"), refused=FC)
case("encoding-latin1", F, "RFC 6120 §11.6", "an ISO-8859-1 declaration (the body is ASCII)",
     '<?xml version="1.0" encoding="ISO-8859-1"?>' + BASE, refused=FC)
case("encoding-utf16-declared", F, "RFC 6120 §11.6", "a UTF-16 declaration on UTF-8 bytes",
     '<?xml version="1.0" encoding="UTF-16"?>' + BASE, refused=FC)
case("xml-version-1.1", F, "RFC 6120 §11.8; docs/stanza.md §1 (XML 1.0 only)", "an XML 1.1 declaration",
     '<?xml version="1.1"?>' + BASE, refused=FC)

# ---- malformed XML ---------------------------------------------------------------
M = "malformed"
MI = "MALFORMED_INPUT"
case("invalid-utf8-byte", M, "RFC 3629 §3; RFC 6120 §11.6", "a lone 0xE9 (Latin-1 é) in text",
     (OPEN + BODY + "<note>caf").encode() + b"\xe9</note></message>", refused=MI)
case("invalid-utf8-overlong", M, "RFC 3629 §3", "an overlong encoding of '<' (C0 BC)",
     (OPEN + BODY + "<note>").encode() + b"\xc0\xbc</note></message>", refused=MI)
case("invalid-utf8-truncated", M, "RFC 3629 §3", "input ending inside a multi-byte sequence",
     BASE.encode() + b"\xe2\x82", refused=MI)
case("utf16-bom", M, "RFC 6120 §11.6", "a UTF-16 byte order mark and UTF-16 text",
     b"\xff\xfe" + BASE.encode("utf-16-le"), refused=MI)
case("char-nul", M, "XML 1.0 §2.2 [2]", "a raw NUL in text", base_with("<note>a\x00b</note>"), refused=MI)
case("char-control", M, "XML 1.0 §2.2 [2]", "a raw U+0001 in an attribute", base_with("", ' x-c="a\x01b"'), refused=MI)
case("char-fffe", M, "XML 1.0 §2.2 [2]", "a raw U+FFFE in text", base_with("<note>\ufffe</note>"), refused=MI)
case("charref-nul", M, "XML 1.0 §4.1 WFC Legal Character", "&#0; in text", base_with("<note>&#0;</note>"), refused=MI)
case("charref-control", M, "XML 1.0 §4.1 WFC Legal Character", "&#x1B; in an attribute", base_with("", ' x-c="&#x1B;"'), refused=MI)
case("charref-surrogate", M, "XML 1.0 §4.1 WFC Legal Character", "&#xD800; (a surrogate)", base_with("<note>&#xD800;</note>"), refused=MI)
case("charref-ffff", M, "XML 1.0 §4.1 WFC Legal Character", "&#65535;", base_with("<note>&#65535;</note>"), refused=MI)
case("charref-uppercase-x", M, "XML 1.0 §4.1 [66]", "&#X41; (the x must be lower case)", base_with("<note>&#X41;</note>"), refused=MI)
case("duplicate-attribute", M, "XML 1.0 §3.1 WFC Unique Att Spec", "id given twice",
     OPEN[:-1] + ' id="other">' + BODY + "</message>", refused=MI)
case("duplicate-attribute-after-resolution", M, "Namespaces in XML 1.0 §6.3", "two prefixes for one namespace, same local name",
     base_with("", ' xmlns:p="urn:x-interspec:ext" xmlns:q="urn:x-interspec:ext" p:k="1" q:k="2"'), refused=MI)
case("unclosed-root", M, "XML 1.0 §2.1 [1]", "the root's end tag is missing", OPEN + BODY, refused=MI)
case("mismatched-end-tag", M, "XML 1.0 §3 WFC Element Type Match", "</enc> closed as </encx>",
     OPEN + '<enc v="2" type="msg">MwohBQ==</encx></message>', refused=MI)
case("two-roots", M, "XML 1.0 §2.1 [1]", "two stanzas in one document", BASE + BASE, refused=MI)
case("trailing-text", M, "XML 1.0 §2.1 [1], §2.8 [27]", "text after the root", BASE + "junk", refused=MI)
case("text-before-root", M, "XML 1.0 §2.1 [1]", "text before the root", "hello" + BASE, refused=MI)
case("empty-document", M, "XML 1.0 §2.1 [1]", "no bytes at all", "", refused=MI)
case("undeclared-entity", M, "XML 1.0 §4.1 WFC Entity Declared", "&nbsp; without a DTD", base_with("<note>&nbsp;</note>"), refused=MI)
case("bare-ampersand", M, "XML 1.0 §2.4", "an '&' that starts no reference", base_with("<note>fish & chips</note>"), refused=MI)
case("lt-in-attribute", M, "XML 1.0 §3.1 [10]", "a literal '<' in an attribute value", base_with("", ' x-cmp="a<b"'), refused=MI)
case("unquoted-attribute", M, "XML 1.0 §3.1 [10]", "an attribute value without quotes", base_with("", " x-n=1"), refused=MI)
case("attributes-not-separated", M, "XML 1.0 §3.1 [40]", "no white space between two attributes",
     OPEN.replace('" to=', '"to='), refused=MI)
case("attributes-not-separated-after-quote", M, "XML 1.0 §3.1 [40]", "no white space after a single-quoted value holding a double quote",
     base_with("", " x-q='\"'x-r=\"1\""), refused=MI)
case("decl-pseudo-attributes-not-separated", M, "XML 1.0 §2.8 [23] [80]", "no white space between version and encoding",
     '<?xml version="1.0"encoding="UTF-8"?>' + BASE, refused=MI)
case("lowercase-doctype-keyword", M, "XML 1.0 §2.8 [28] (the keyword is case-sensitive)", "<!doctype message> is not a DOCTYPE: not well-formed",
     "<!doctype message>" + BASE, refused=MI)
case("double-bom", M, "XML 1.0 §2.1 [1], §4.3.3", "a second byte order mark is a character before the root",
     b"\xef\xbb\xbf\xef\xbb\xbf" + BASE.encode(), refused=MI)
case("unbound-prefix", M, "Namespaces in XML 1.0 §5 (Namespace Constraint: Prefix Declared)", "an element with an undeclared prefix",
     base_with("<u:note>x</u:note>"), refused=MI)
case("unbound-attribute-prefix", M, "Namespaces in XML 1.0 §5", "an attribute with an undeclared prefix",
     base_with("", ' u:k="1"'), refused=MI)
case("undeclare-prefix", M, "Namespaces in XML 1.0 §3 (Namespace Constraint: No Prefix Undeclaring)", "xmlns:p=\"\"",
     base_with("", ' xmlns:p=""'), refused=MI)
case("rebind-xml-prefix", M, "Namespaces in XML 1.0 §3 (Reserved Prefixes)", "the xml prefix bound to another namespace",
     base_with("", ' xmlns:xml="urn:x-interspec:ext"'), refused=MI)
case("cdata-end-in-text", M, "XML 1.0 §2.4", "']]>' in text", base_with("<note>a]]>b</note>"), refused=MI)
case("unterminated-cdata", M, "XML 1.0 §2.7", "a CDATA section that never ends", OPEN + "<note><![CDATA[abc</note></message>", refused=MI)
case("comment-double-dash", M, "XML 1.0 §2.5 [15]", "'--' inside a comment", base_with("<!-- a -- b -->"), refused=MI)
case("misplaced-xml-declaration", M, "XML 1.0 §2.8 [22], §2.6", "an XML declaration after white space",
     '\n<?xml version="1.0"?>' + BASE, refused=MI)
case("bad-element-name", M, "XML 1.0 §2.3 [5]", "an element name starting with a digit", base_with("<1note/>"), refused=MI)

def nested_p(levels):
    inner = node("p", CLIENT)
    for _ in range(levels - 1):
        inner = node("p", CLIENT, children=[inner])
    return inner


# ---- limits (default profile values) ----------------------------------------------------------
L = "limits"
LE = "LIMIT_EXCEEDED"
case("limit-depth-at-max", L, "docs/stanza.md §7 (max_depth = 16)", "nesting of exactly 16 elements",
     base_with("<p>" * 15 + "</p>" * 15),
     base_view(children=[ENC, nested_p(15)]))
case("limit-depth-over", L, "docs/stanza.md §7 (max_depth = 16)", "nesting of 17 elements",
     base_with("<p>" * 16 + "</p>" * 16), refused=LE)
case("limit-attributes-over", L, "docs/stanza.md §7 (max_attributes = 32)", "33 attributes on the root (6 written + 27 extra)",
     base_with("", "".join(' x%d="%d"' % (i, i) for i in range(27))), refused=LE)
case("limit-attribute-length-over", L, "docs/stanza.md §7 (max_attribute_bytes = 1024)", "an attribute value of 1025 bytes",
     base_with("", ' x-pad="' + "a" * 1025 + '"'), refused=LE)
case("limit-children-over", L, "docs/stanza.md §7 (max_children = 256)", "257 element children",
     base_with("<p/>" * 256), refused=LE)
pad_frame = base_with("<note></note>")
case("limit-size-over", L, "docs/stanza.md §7 (max_stanza_bytes = 65536)", "a stanza of 65537 bytes",
     base_with("<note>" + "a" * (65537 - len(pad_frame)) + "</note>"), refused=LE)

# ---- schema ------------------------------------------------------------------------------------
SC = "schema"
SV = "SCHEMA_VIOLATION"
case("missing-to", SC, "docs/stanza.md §3", "a message without to", OPEN.replace(' to="bob@example.org"', "") + BODY + "</message>", refused=SV)
case("missing-id", SC, "docs/stanza.md §3", "a message without id", OPEN.replace(' id="3EB0A1"', "") + BODY + "</message>", refused=SV)
case("empty-type", SC, "docs/stanza.md §3 (an empty required attribute is missing)", "a message with type=\"\"",
     OPEN.replace('type="text"', 'type=""') + BODY + "</message>", refused=SV)
case("prefixed-id-is-not-id", SC, "Namespaces in XML 1.0 §6.2; docs/stanza.md §3", "only x:id, which is not the required id",
     OPEN.replace(' id="3EB0A1"', ' xmlns:x="urn:x-interspec:ext" x:id="3EB0A1"') + BODY + "</message>", refused=SV)
case("ack-missing-class", SC, "docs/stanza.md §3", "an ack without class", "<ack xmlns='jabber:client' id='1'/>", refused=SV)
case("enc-missing-v", SC, "docs/stanza.md §3", "an enc without v", OPEN + '<enc type="msg">MwohBQ==</enc></message>', refused=SV)
case("enc-unknown-type", SC, "docs/stanza.md §3", "an enc of type frank", OPEN + '<enc v="2" type="frank">MwohBQ==</enc></message>', refused=SV)
case("enc-empty", SC, "docs/stanza.md §3", "an enc with no payload", OPEN + '<enc v="2" type="msg">  </enc></message>', refused=SV)
case("iq-bad-type", SC, "RFC 6120 §8.2.3", "an iq of type fetch", '<iq xmlns="jabber:client" id="q" type="fetch"/>', refused=SV)
case("unknown-root", SC, "docs/stanza.md §3", "a root that is no stanza", '<chat xmlns="jabber:client" id="1"/>', refused=SV)
case("root-in-no-namespace", SC, "RFC 6120 §4.8.3; docs/stanza.md §3", "a message with no namespace",
     OPEN.replace(' xmlns="jabber:client"', "").replace("<message", "<message") + BODY.replace("<enc", "<enc") + "</message>", refused=SV)
case("root-in-other-namespace", SC, "RFC 6120 §4.8.3; docs/stanza.md §3", "a message in the server namespace",
     OPEN.replace("jabber:client", "jabber:server") + BODY + "</message>", refused=SV)

# ---- values: base64, addresses, numbers --------------------------------------------------------
V = "values"
case("base64-missing-padding", V, "RFC 4648 §3.2", "MwohBQ without '=='", OPEN + '<enc v="2" type="msg">MwohBQ</enc></message>', refused=MI)
case("base64-nonzero-pad-bits", V, "RFC 4648 §3.5", "MwohBR== (pad bits set)", OPEN + '<enc v="2" type="msg">MwohBR==</enc></message>', refused=MI)
case("base64-inner-whitespace", V, "RFC 4648 §3.3; docs/stanza.md §3", "a space inside the payload", OPEN + '<enc v="2" type="msg">Mwoh BQ==</enc></message>', refused=MI)
case("base64-url-alphabet", V, "RFC 4648 §4 (not the §5 alphabet)", "'-' and '_' from the URL-safe alphabet", OPEN + '<enc v="2" type="msg">-_8=</enc></message>', refused=MI)
case("base64-extra-padding", V, "RFC 4648 §3.2", "three '=' at the end", OPEN + '<enc v="2" type="msg">MwohBQ===</enc></message>', refused=MI)
case("base64-padding-inside", V, "RFC 4648 §3.2", "'=' before the last quantum", OPEN + '<enc v="2" type="msg">Mw==BQ==</enc></message>', refused=MI)
case("address-double-at", V, "docs/stanza.md §5", "to=\"bob@@example.org\"", OPEN.replace("bob@example.org", "bob@@example.org") + BODY + "</message>", refused=MI)
case("address-uppercase-domain", V, "docs/stanza.md §5", "a domain in upper case", OPEN.replace("bob@example.org", "bob@Example.org") + BODY + "</message>", refused=MI)
case("address-device-leading-zero", V, "docs/stanza.md §5", "device 02", OPEN.replace("alice:2@", "alice:02@") + BODY + "</message>", refused=MI)
case("address-device-too-large", V, "docs/stanza.md §5", "device 65536", OPEN.replace("alice:2@", "alice:65536@") + BODY + "</message>", refused=MI)
case("address-empty-resource", V, "docs/stanza.md §5", "a '/' with nothing after it", OPEN.replace("bob@example.org", "bob@example.org/") + BODY + "</message>", refused=MI)
case("address-empty-user", V, "docs/stanza.md §5", "'@' with no user", OPEN.replace("bob@example.org", "@example.org") + BODY + "</message>", refused=MI)
case("t-not-decimal", V, "docs/stanza.md §3", "t=\"1.7e9\"", OPEN.replace('t="1700000000"', 't="1.7e9"') + BODY + "</message>", refused=MI)
case("t-leading-zero", V, "docs/stanza.md §3", "t with a leading zero", OPEN.replace('t="1700000000"', 't="01700000000"') + BODY + "</message>", refused=MI)
case("t-overflow", V, "docs/stanza.md §3", "t = 2^64", OPEN.replace('t="1700000000"', 't="18446744073709551616"') + BODY + "</message>", refused=MI)
case("enc-v-not-decimal", V, "docs/stanza.md §3", "v=\"two\"", OPEN + '<enc v="two" type="msg">MwohBQ==</enc></message>', refused=MI)


INDEX = "src/suites/stanza/corpus_files.rs"


def write_index(names):
    """The corpus embedded in the binary, so scenarios need no files at run time."""
    lines = [
        "// Generated by tools/stanza_corpus.py: the golden stanza corpus, embedded.",
        "// A test checks it lists exactly the files in vectors/stanza/.",
        "",
        "/// (name, input bytes, expectation JSON) of every corpus case.",
        "pub const FILES: &[(&str, &[u8], &str)] = &[",
    ]
    for name in sorted(names):
        lines.append("    (")
        lines.append('        "%s",' % name)
        lines.append('        include_bytes!("../../../vectors/stanza/%s.xml"),' % name)
        lines.append('        include_str!("../../../vectors/stanza/%s.json"),' % name)
        lines.append("    ),")
    lines.append("];")
    os.makedirs(os.path.dirname(INDEX), exist_ok=True)
    with open(INDEX, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".xml") or old.endswith(".json"):
            os.remove(os.path.join(OUT, old))
    names = set()
    for name, group, source, description, xml, view, refused in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(OUT, name + ".xml"), "wb") as f:
            f.write(xml)
        expect = {"group": group, "description": description, "source": source}
        if view is not None:
            expect["view"] = view
        else:
            expect["refused"] = refused
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(expect, f, ensure_ascii=False, indent=1)
            f.write("\n")
    if OUT == "vectors/stanza":
        write_index(names)
    print("%d cases (%d accepted, %d refused) written to %s" % (
        len(CASES), sum(1 for c in CASES if c[5] is not None), sum(1 for c in CASES if c[6] is not None), OUT))


main()
