"""The stanza suite (docs/stanza.md) over expat and the protobuf runtime.

XML is parsed by the standard library's expat, hardened as defusedxml
hardens it (every DTD, entity declaration and external reference refused
before expat acts on it), building the normalized view as it reads and
checking the profile's limits on the way; the view is then checked against
the known stanzas and their typed values. Payloads are validated on the
wire against the `Message` descriptor, then decoded by protobuf itself.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from errors import Refused, Reply
from protos import payload_pb, pb

CLIENT_NS = "jabber:client"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_SPACE = " \t\r\n"  # XML 1.0 §2.3 [3] S
# See StanzaCodec.configure: what nests within upb's depth limit of 100.
MAX_TREE_DEPTH, MAX_PAYLOAD_DEPTH = 90, 45


@dataclass
class Limits:
    """docs/stanza.md §7; the default profile's values until Configure."""

    max_stanza_bytes: int = 65536
    max_depth: int = 16
    max_attributes: int = 32
    max_attribute_bytes: int = 1024
    max_children: int = 256
    max_payload_bytes: int = 65536
    max_payload_depth: int = 8


# XML 1.0 (Fifth Edition) §2.3 [4] NameStartChar and [4a] NameChar, without
# ':' (an NCName, Namespaces in XML 1.0 §3 [4]).
_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf"
    "\ufdf0-\ufffd\U00010000-\U000effff"
)
NCNAME = re.compile(f"[{_START}][{_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
# XML 1.0 §2.8 [23] XMLDecl, [24]-[26] VersionInfo, [80]-[81] EncodingDecl,
# [32] SDDecl; only a well-formed declaration is judged here, expat refuses
# the rest.
XML_DECL = re.compile(
    rb"<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(['\"])([^'\"<>]*)\1"
    rb"(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(['\"])([A-Za-z][A-Za-z0-9._-]*)\3)?"
    rb"(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(['\"])(?:yes|no)\5)?[ \t\r\n]*\?>"
)
DECIMAL = re.compile(r"0|[1-9][0-9]*")
USER = re.compile(r"[A-Za-z0-9._+-]{1,64}")
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
RESOURCE = re.compile(r"[!-~]{1,256}")

KINDS = {
    "message": (pb.STANZA_KIND_MESSAGE, ("id", "to", "type")),
    "receipt": (pb.STANZA_KIND_RECEIPT, ("id",)),
    "ack": (pb.STANZA_KIND_ACK, ("id", "class")),
    "iq": (pb.STANZA_KIND_IQ, ("id", "type")),
    "presence": (pb.STANZA_KIND_PRESENCE, ()),
    "notification": (pb.STANZA_KIND_NOTIFICATION, ("id", "type")),
}
IQ_TYPES = {"get", "set", "result", "error"}  # RFC 6120 §8.2.3
ENC_TYPES = {
    "pkmsg": pb.STANZA_ENC_TYPE_PKMSG,
    "msg": pb.STANZA_ENC_TYPE_MSG,
    "skmsg": pb.STANZA_ENC_TYPE_SKMSG,
}


def decimal(value: str, bits: int, what: str) -> int:
    """Canonical decimal (no sign, no leading zero) below 2**bits."""
    if not DECIMAL.fullmatch(value) or int(value) >= 1 << bits:
        raise Refused(pb.MALFORMED_INPUT, f"{what} {value!r} is not a canonical u{bits}")
    return int(value)


def parse_address(value: str, what: str) -> pb.StanzaAddress:
    """docs/stanza.md §5: [user[:device]@]domain[/resource]."""
    bad = Refused(pb.MALFORMED_INPUT, f"{what} {value!r} is not an address")
    addr = pb.StanzaAddress()
    head, slash, resource = value.partition("/")
    if slash:
        if not RESOURCE.fullmatch(resource):
            raise bad
        addr.resource = resource
    local, at, domain = head.rpartition("@")
    if at:
        user, colon, device = local.partition(":")
        if not USER.fullmatch(user):
            raise bad
        addr.user = user
        if colon:
            if not DECIMAL.fullmatch(device) or int(device) > 65535:
                raise bad
            addr.device = int(device)
    if not 1 <= len(domain) <= 253 or not all(LABEL.fullmatch(x) for x in domain.split(".")):
        raise bad
    addr.domain = domain
    return addr


def decode_base64(text: str) -> bytes:
    """RFC 4648 §4, canonical; white space only around it."""
    data = text.strip(XML_SPACE)
    if not data:
        raise Refused(pb.SCHEMA_VIOLATION, "enc has no payload")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise Refused(pb.MALFORMED_INPUT, "enc payload is not base64") from None
    if base64.b64encode(raw).decode() != data:  # padding, pad bits (§3.2, §3.5)
        raise Refused(pb.MALFORMED_INPUT, "enc payload is not canonical base64")
    return raw


# Expat reports a resolved name as namespace, separator, local name, and
# refuses a namespace name holding the separator (since the fix of
# CVE-2022-25236). U+0001 is no XML 1.0 Char (§2.2), not even by reference,
# so no well-formed namespace name holds it.
NS_SEPARATOR = "\x01"


def split_name(name: str) -> tuple[str, str]:
    """Expat's resolved name as (namespace, local name)."""
    ns, _, local = name.rpartition(NS_SEPARATOR)
    return ns, local


def forbidden(what: str) -> Callable[..., NoReturn]:
    def refuse(*_args: object) -> NoReturn:
        raise Refused(pb.FORBIDDEN_CONSTRUCT, f"{what} (RFC 6120 §11.1)")

    return refuse


class ViewBuilder:
    """Builds the normalized view (§2) from expat's events.

    Limits (§7) are enforced as the parser reports each start tag, so an
    input over one is refused without building the rest.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.root = pb.StanzaNode()
        # Per open element: its node, its text pieces, its element children.
        self.stack: list[tuple[pb.StanzaNode, list[str], list[int]]] = []
        self.declarations = 0  # namespace declarations of the next start tag

    def start_ns(self, prefix: str | None, uri: str | None) -> None:
        self.declarations += 1  # expat gives None for xmlns="" and for no prefix
        if len((uri or "").encode()) > self.limits.max_attribute_bytes:
            raise Refused(pb.LIMIT_EXCEEDED, f"namespace declaration of {prefix!r} too long")

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        lim = self.limits
        if len(self.stack) + 1 > lim.max_depth:  # the root is depth 1
            raise Refused(pb.LIMIT_EXCEEDED, f"depth over {lim.max_depth}")
        count, self.declarations = len(attrib) + self.declarations, 0
        if count > lim.max_attributes:  # namespace declarations included
            raise Refused(pb.LIMIT_EXCEEDED, f"{count} attributes")
        if self.stack:
            parent, _, children = self.stack[-1]
            children[0] += 1
            if children[0] > lim.max_children:
                raise Refused(pb.LIMIT_EXCEEDED, f"over {lim.max_children} children")
            node = parent.children.add()
        else:
            node = self.root
        node.namespace, node.name = split_name(tag)
        check_ncname(node.name)
        attrs = []
        for key, value in attrib.items():
            if len(value.encode()) > lim.max_attribute_bytes:
                raise Refused(pb.LIMIT_EXCEEDED, f"attribute {key} too long")
            ns, name = split_name(key)
            check_ncname(name)
            attrs.append((ns, name, value))
        for ns, name, value in sorted(attrs):
            node.attributes.add(namespace=ns, name=name, value=value)
        self.stack.append((node, [], [0]))

    def data(self, text: str) -> None:
        if self.stack:  # outside the root expat only lets white space through
            self.stack[-1][1].append(text)

    def end(self, tag: str) -> None:
        node, text, children = self.stack.pop()
        joined = "".join(text)
        node.text = "" if children[0] and not joined.strip(XML_SPACE) else joined

    def comment(self, text: str) -> None:
        pass  # allowed and discarded (§1)

    def pi(self, target: str, data: str) -> None:
        if target.lower() == "xml":  # XML 1.0 §2.6
            raise Refused(pb.MALFORMED_INPUT, "misplaced XML declaration")
        raise Refused(pb.FORBIDDEN_CONSTRUCT, "processing instruction")  # RFC 6120 §11.1

    def parser(self) -> expat.XMLParserType:
        """An expat parser feeding this builder, hardened as defusedxml does:
        the first DTD, entity declaration or external reference is refused
        before expat acts on it, so nothing is ever expanded or fetched."""
        p = expat.ParserCreate("utf-8", NS_SEPARATOR)  # UTF-8 whatever it says
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = forbidden("DOCTYPE")
        p.EntityDeclHandler = forbidden("entity declaration")
        p.UnparsedEntityDeclHandler = forbidden("unparsed entity declaration")
        p.ExternalEntityRefHandler = forbidden("external entity reference")
        p.buffer_text = True
        p.StartNamespaceDeclHandler = self.start_ns
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.data
        p.CommentHandler = self.comment
        p.ProcessingInstructionHandler = self.pi
        return p


def check_ncname(name: str) -> None:
    # Namespaces in XML 1.0 §3 [4]: after resolution every local name is an
    # NCName (expat would take "a:b:c" as prefix "a", local name "b:c").
    if not NCNAME.fullmatch(name):
        raise Refused(pb.MALFORMED_INPUT, f"{name!r} is not a QName")


class StanzaCodec:
    def __init__(self) -> None:
        self.limits = Limits()

    def configure(self, table: pb.StanzaLimits) -> None:
        # The Python protobuf runtime (upb) refuses messages nested more than
        # about 100 levels deep, and an adapter frame holds a tree or a quoted
        # payload one level past the limit: deeper limits cannot be honoured,
        # so they are refused (docs/adapter.md §Configure).
        if table.max_depth > MAX_TREE_DEPTH or table.max_payload_depth > MAX_PAYLOAD_DEPTH:
            raise Refused(
                pb.LIMIT_EXCEEDED,
                f"max_depth above {MAX_TREE_DEPTH} or max_payload_depth above "
                f"{MAX_PAYLOAD_DEPTH}: deeper than protobuf's Python runtime decodes",
            )
        self.limits = Limits(
            table.max_stanza_bytes,
            table.max_depth,
            table.max_attributes,
            table.max_attribute_bytes,
            table.max_children,
            table.max_payload_bytes,
            table.max_payload_depth,
        )

    # --- parsing -------------------------------------------------------

    def parse(self, xml: bytes) -> pb.StanzaView:
        lim = self.limits
        if len(xml) > lim.max_stanza_bytes:
            raise Refused(pb.LIMIT_EXCEEDED, f"{len(xml)} bytes")
        try:
            xml.decode("utf-8")  # RFC 6120 §11.6; a BOM decodes too
        except UnicodeDecodeError as e:
            raise Refused(pb.MALFORMED_INPUT, f"not UTF-8: {e}") from None
        body = xml[3:] if xml.startswith(b"\xef\xbb\xbf") else xml
        decl = XML_DECL.match(body)
        if decl:
            if decl.group(2) != b"1.0":  # RFC 6120 §11.8 (expat takes any)
                raise Refused(pb.FORBIDDEN_CONSTRUCT, "XML version other than 1.0")
            if decl.group(4) is not None and decl.group(4).lower() != b"utf-8":
                raise Refused(pb.FORBIDDEN_CONSTRUCT, "encoding other than UTF-8")
        builder = ViewBuilder(lim)
        try:
            builder.parser().Parse(xml, True)
        except ExpatError as e:
            if b"<!DOCTYPE" in xml:  # a DOCTYPE where expat expects none
                raise Refused(pb.FORBIDDEN_CONSTRUCT, f"DOCTYPE: {e}") from None
            raise Refused(pb.MALFORMED_INPUT, f"not well-formed: {e}") from None
        view = pb.StanzaView()
        view.root.CopyFrom(builder.root)
        view.typed.CopyFrom(self._typed(view.root))
        return view

    def _typed(self, root: pb.StanzaNode) -> pb.StanzaTyped:
        if root.namespace != CLIENT_NS or root.name not in KINDS:
            raise Refused(pb.SCHEMA_VIOLATION, f"{{{root.namespace}}}{root.name} is no stanza")
        kind, required = KINDS[root.name]
        attrs = {a.name: a.value for a in root.attributes if not a.namespace}
        for name in required:
            if not attrs.get(name):
                raise Refused(pb.SCHEMA_VIOLATION, f"{root.name} without {name}")
        typed = pb.StanzaTyped(kind=kind, id=attrs.get("id", ""))
        if "type" in attrs:
            if root.name == "iq" and attrs["type"] not in IQ_TYPES:
                raise Refused(pb.SCHEMA_VIOLATION, f"iq type {attrs['type']!r}")
            typed.type = attrs["type"]
        for name in ("from", "to"):
            if name in attrs:
                getattr(typed, name).CopyFrom(parse_address(attrs[name], name))
        if "t" in attrs:
            typed.t = decimal(attrs["t"], 64, "t")
        if root.name == "message":
            for child in root.children:
                if child.name == "enc" and child.namespace == CLIENT_NS:
                    typed.enc.append(self._enc(child))
        return typed

    @staticmethod
    def _enc(node: pb.StanzaNode) -> pb.StanzaEnc:
        attrs = {a.name: a.value for a in node.attributes if not a.namespace}
        for name in ("v", "type"):
            if not attrs.get(name):
                raise Refused(pb.SCHEMA_VIOLATION, f"enc without {name}")
        if attrs["type"] not in ENC_TYPES:
            raise Refused(pb.SCHEMA_VIOLATION, f"enc type {attrs['type']!r}")
        enc = pb.StanzaEnc(v=decimal(attrs["v"], 32, "enc v"), type=ENC_TYPES[attrs["type"]])
        if "mediatype" in attrs:
            enc.mediatype = attrs["mediatype"]
        enc.payload = decode_base64(node.text)
        return enc

    # --- serializing ---------------------------------------------------

    def serialize(self, root: pb.StanzaNode) -> bytes:
        out: list[str] = []
        self._write(root, "", out, 1)
        xml = "".join(out).encode()
        view = self.parse(xml)  # refused exactly as its parse would be
        expected = pb.StanzaNode()
        normalized(root, expected)
        if view.root != expected:
            raise Refused(pb.MALFORMED_INPUT, "the tree cannot be written as given")
        return xml

    def _write(self, node: pb.StanzaNode, default_ns: str, out: list[str], depth: int) -> None:
        if depth > self.limits.max_depth:
            raise Refused(pb.LIMIT_EXCEEDED, f"depth over {self.limits.max_depth}")
        for name in [node.name] + [a.name for a in node.attributes]:
            if not NCNAME.fullmatch(name):
                raise Refused(pb.MALFORMED_INPUT, f"{name!r} is not an NCName")
        out.append(f"<{node.name}")
        if node.namespace != default_ns:
            out.append(f' xmlns="{escape(node.namespace, True)}"')
        prefixes: dict[str, str] = {XML_NS: "xml"}
        for a in node.attributes:
            if a.namespace and a.namespace not in prefixes:
                prefixes[a.namespace] = p = f"ns{len(prefixes)}"
                out.append(f' xmlns:{p}="{escape(a.namespace, True)}"')
        for a in node.attributes:
            name = f"{prefixes[a.namespace]}:{a.name}" if a.namespace else a.name
            out.append(f' {name}="{escape(a.value, True)}"')
        out.append(">")
        out.append(escape(node.text, False))
        for child in node.children:
            self._write(child, node.namespace, out, depth + 1)
        out.append(f"</{node.name}>")

    # --- payloads (§6) -------------------------------------------------

    def decode(self, data: bytes) -> payload_pb.Message:
        if len(data) > self.limits.max_payload_bytes:
            raise Refused(pb.LIMIT_EXCEEDED, f"payload of {len(data)} bytes")
        check_wire(data, payload_pb.Message.DESCRIPTOR, 0, self.limits.max_payload_depth)
        msg = payload_pb.Message()
        try:
            msg.ParseFromString(data)
        except Exception as e:  # protobuf's DecodeError
            raise Refused(pb.MALFORMED_INPUT, f"payload: {e}") from None
        msg.DiscardUnknownFields()
        return msg

    def encode(self, msg: payload_pb.Message) -> bytes:
        depth, m = 1, msg
        while m.HasField("context_info") and m.context_info.HasField("quoted_message"):
            depth, m = depth + 1, m.context_info.quoted_message
            if depth > self.limits.max_payload_depth:
                raise Refused(pb.LIMIT_EXCEEDED, "payload nested too deep")
        data = msg.SerializeToString()
        if len(data) > self.limits.max_payload_bytes:
            raise Refused(pb.LIMIT_EXCEEDED, f"payload of {len(data)} bytes")
        return data

    # --- adapter operations (field numbers 300-303) --------------------

    def parse_op(self, req: pb.StanzaParse) -> Reply:
        return "stanza_parse", pb.StanzaParseResult(view=self.parse(req.xml))

    def serialize_op(self, req: pb.StanzaSerialize) -> Reply:
        return "stanza_serialize", pb.StanzaSerializeResult(xml=self.serialize(req.root))

    def decode_op(self, req: pb.StanzaPayloadDecode) -> Reply:
        return "stanza_payload_decode", pb.StanzaPayloadDecodeResult(message=self.decode(req.payload))

    def encode_op(self, req: pb.StanzaPayloadEncode) -> Reply:
        return "stanza_payload_encode", pb.StanzaPayloadEncodeResult(payload=self.encode(req.message))


def escape(text: str, attribute: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")  # a literal CR would become LF (§2.11)
    if attribute:  # §3.3.3 would turn literal white space into spaces
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text


def normalized(node: pb.StanzaNode, out: pb.StanzaNode) -> None:
    """The view a tree has once written and parsed (docs/stanza.md §8, 301)."""
    out.name, out.namespace = node.name, node.namespace
    for a in sorted(node.attributes, key=lambda a: (a.namespace, a.name, a.value)):
        out.attributes.add(namespace=a.namespace, name=a.name, value=a.value)
    for child in node.children:
        normalized(child, out.children.add())
    ws_only = not node.text.strip(XML_SPACE)
    out.text = "" if node.children and ws_only else node.text


# Wire types (protobuf encoding guide, "Message Structure").
VARINT, I64, LEN, I32 = 0, 1, 2, 5
_WIRE_OF = {
    FieldDescriptor.TYPE_DOUBLE: I64,
    FieldDescriptor.TYPE_FIXED64: I64,
    FieldDescriptor.TYPE_SFIXED64: I64,
    FieldDescriptor.TYPE_FLOAT: I32,
    FieldDescriptor.TYPE_FIXED32: I32,
    FieldDescriptor.TYPE_SFIXED32: I32,
    FieldDescriptor.TYPE_STRING: LEN,
    FieldDescriptor.TYPE_BYTES: LEN,
    FieldDescriptor.TYPE_MESSAGE: LEN,
}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(10):
        if pos >= len(data):
            raise Refused(pb.MALFORMED_INPUT, "varint runs past the end")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            return value, pos
    raise Refused(pb.MALFORMED_INPUT, "varint longer than 10 bytes")


def check_wire(data: bytes, desc: Descriptor, depth: int, max_depth: int) -> None:
    """Refuses what docs/stanza.md §6 refuses, before protobuf decodes it.

    `depth` counts `Message`s only, so nesting through quoted messages is
    bounded by the profile before any recursion past it.
    """
    if desc is payload_pb.Message.DESCRIPTOR:
        depth += 1
        if depth > max_depth:
            raise Refused(pb.LIMIT_EXCEEDED, f"payload nested deeper than {max_depth}")
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if not 1 <= number < 1 << 29:
            raise Refused(pb.MALFORMED_INPUT, f"field number {number}")
        if wire == VARINT:
            _, end = _varint(data, pos)
        elif wire in (I64, I32):
            end = pos + (8 if wire == I64 else 4)
        elif wire == LEN:
            length, pos = _varint(data, pos)
            end = pos + length
        else:  # 3 and 4 are the deprecated groups; 6 and 7 do not exist
            raise Refused(pb.MALFORMED_INPUT, f"wire type {wire}")
        if end > len(data):
            raise Refused(pb.MALFORMED_INPUT, "field runs past the end")
        field = desc.fields_by_number.get(number)
        if field is not None:
            if _WIRE_OF.get(field.type, VARINT) != wire:
                raise Refused(pb.MALFORMED_INPUT, f"field {field.name} with wire type {wire}")
            if field.type == FieldDescriptor.TYPE_STRING:
                try:
                    data[pos:end].decode("utf-8")
                except UnicodeDecodeError:
                    raise Refused(pb.MALFORMED_INPUT, f"field {field.name} not UTF-8") from None
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                check_wire(data[pos:end], field.message_type, depth, max_depth)
        pos = end
