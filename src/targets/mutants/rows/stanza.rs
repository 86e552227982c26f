//! The stanza suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        StanzaExpandsEntities => (
            "stanza-expands-entities",
            &["ST-004"],
            "billion laughs, CVE-2003-1564 (libxml2); CWE-776 (Improperly Controlled Recursive Entity References in DTDs)",
            "accepts a DOCTYPE's internal entities and expands them (with a size cap)",
        ),
        StanzaAcceptsDoctype => (
            "stanza-accepts-doctype",
            &["ST-004"],
            "RFC 6120 §11.1 (an XMPP stream MUST NOT contain a DTD); parsers that skip the DOCTYPE",
            "skips over a DOCTYPE instead of refusing it",
        ),
        StanzaFetchesExternalEntities => (
            "stanza-fetches-external-entities",
            &["ST-005"],
            "XXE, CWE-611 (Improper Restriction of XML External Entity Reference)",
            "fetches a DOCTYPE's external entities (loopback only) before refusing it",
        ),
        StanzaNoDepthLimit => (
            "stanza-no-depth-limit",
            &["ST-008"],
            "CWE-674 (Uncontrolled Recursion) in recursive-descent XML readers",
            "reads elements nested to any depth",
        ),
        StanzaLenientBase64 => (
            "stanza-lenient-base64",
            &["ST-010"],
            "RFC 4648 §3.5 (canonical encoding); lenient decoders (Go's base64 without Strict) make encodings malleable",
            "decodes enc payloads leniently (missing padding, pad bits, white space)",
        ),
        StanzaAcceptsDuplicateAttributes => (
            "stanza-accepts-duplicate-attributes",
            &["ST-007"],
            "quick-xml's Attributes::with_checks(false); XML 1.0 WFC Unique Att Spec",
            "turns off attribute checks, so a repeated attribute silently wins",
        ),
        StanzaIgnoresMissingRequired => (
            "stanza-ignores-missing-required",
            &["ST-009"],
            "CWE-20 (Improper Input Validation): a schema check that forgets one required attribute",
            "accepts a message stanza without its required to attribute",
        ),
        StanzaConfusesNamespaces => (
            "stanza-confuses-namespaces",
            &["ST-002"],
            "Namespaces in XML 1.0 §6.2 (the default namespace is the one declared, not the parent's)",
            "puts unprefixed elements in their parent's namespace instead of the default one",
        ),
        StanzaSerializerLiteralWhitespace => (
            "stanza-serializer-literal-whitespace",
            &["ST-011"],
            "XML 1.0 §3.3.3 (readers normalize literal tabs and line ends in attributes); serializers must write &#9; &#10; &#13;",
            "writes tabs and line ends in attribute values literally (readers turn them into spaces)",
        ),
        StanzaPayloadNoDepthLimit => (
            "stanza-payload-no-depth-limit",
            &["ST-017"],
            "protobuf's recursion limit (100 in protobuf-java's CodedInputStream); CWE-674",
            "decodes payloads nested deeper than the profile's limit",
        ),
        StanzaPayloadRejectsUnknownFields => (
            "stanza-payload-rejects-unknown-fields",
            &["ST-015"],
            "Protocol Buffers' language guide (parsers skip unknown fields); a length-equality check that refuses them",
            "refuses payloads that do not re-encode to the same length (so any unknown field)",
        ),
        StanzaSerializerDropsChildNamespaces => (
            "stanza-serializer-drops-child-namespaces",
            &["ST-011"],
            "Namespaces in XML 1.0 §6: a serializer that declares only the root's namespace",
            "declares only the root's namespace when serializing, so children change namespace",
        ),
        StanzaAcceptsControlCharacters => (
            "stanza-accepts-control-characters",
            &["ST-007"],
            "quick-xml, which does not check raw characters against XML 1.0 §2.2 Char",
            "leaves raw characters unchecked, as quick-xml does, accepting NUL and C0 controls",
        ),
        StanzaNoAttributeNormalization => (
            "stanza-no-attribute-normalization",
            &["ST-001"],
            "XML 1.0 §3.3.3 attribute-value normalization, skipped by streaming readers",
            "keeps literal tabs and line feeds in attribute values instead of normalizing them",
        ),
        StanzaCaseInsensitiveEnums => (
            "stanza-case-insensitive-enums",
            &["ST-009"],
            "Java's Enum.valueOf after toUpperCase, .NET's Enum.Parse with ignoreCase",
            "matches enc and iq type values ignoring ASCII case, as an enum binding that upper-cases before Enum.valueOf (Java) or parses with ignoreCase (.NET Enum.Parse) does: accepts type=\"MSG\" and type=\"GET\"",
        ),
        StanzaCaseInsensitiveNames => (
            "stanza-case-insensitive-names",
            &["ST-003", "ST-009"],
            "HTML parsers used on XML (they lower-case tag names); XML 1.0 §1.2 does no case folding",
            "matches element names ignoring ASCII case, as HTML parsers used on XML do (they lower-case tag names): takes <Message> for a message and <ENC> for an enc, where XML 1.0 §1.2 does no case folding",
        ),
        StanzaAttributeLimitCountsChars => (
            "stanza-attribute-limit-counts-chars",
            &["ST-008"],
            "limits measured with String.length / chars().count() instead of UTF-8 bytes",
            "measures max_attribute_bytes in characters (String.length / chars().count()) instead of UTF-8 bytes, so a multi-byte value over the byte limit passes",
        ),
        StanzaDropsTextAfterChild => (
            "stanza-drops-text-after-child",
            &["ST-001"],
            "ElementTree's elem.text read without each child's tail",
            "keeps only the text before an element's first child, as code reading ElementTree's elem.text without each child's tail does: text after a child is lost",
        ),
        StanzaEncAnyDepth => (
            "stanza-enc-any-depth",
            &["ST-003"],
            "a descendant search (XPath .//enc, getElementsByTagName) where the child axis was meant",
            "collects enc elements at any depth under the message (a descendant search such as XPath .//enc or getElementsByTagName instead of the child axis), so an enc inside an unknown child is typed and validated",
        ),
        StanzaUnwrapsNestedStanza => (
            "stanza-unwraps-nested-stanza",
            &["ST-009"],
            "a descendant search for message, as code that skips an XMPP stream wrapper does",
            "takes the first stanza element found anywhere in the document (a descendant search for message, as code that skips an XMPP stream wrapper does) instead of insisting that the root is the stanza",
        ),
        StanzaSizeLimitCountsChars => (
            "stanza-size-limit-counts-chars",
            &["ST-008"],
            "a size limit measured in decoded characters instead of bytes received",
            "measures max_stanza_bytes in characters of the decoded text instead of bytes as received, so a stanza of multi-byte text over the byte limit passes",
        ),
        StanzaIgnoresProcessingInstructions => (
            "stanza-ignores-processing-instructions",
            &["ST-006"],
            "expat and SAX parsers pass processing instructions to a handler that is a no-op unless set (expat's XML_SetProcessingInstructionHandler), so a reader that never sets one skips them; RFC 6120 §11.1 forbids them in XMPP",
            "skips processing instructions (other than a misplaced XML declaration) instead of refusing them",
        ),
        StanzaSerializerTrustsTree => (
            "stanza-serializer-trusts-tree",
            &["ST-012"],
            "serializers that write whatever tree they are handed and validate only on input (the output-side gap of CWE-91, XML Injection)",
            "returns its serialization without checking that it is a valid stanza, so trees missing a required attribute or with an unknown enc type are written",
        ),
        StanzaTruncationInternalError => (
            "stanza-truncation-internal-error",
            &["ST-013"],
            "an unexpected end of input that no error mapping names, falling through to the catch-all handler (CWE-755, Improper Handling of Exceptional Conditions)",
            "answers a document that ends inside an open element with InternalError instead of a refusal",
        ),
        StanzaPayloadTimestamp32Bit => (
            "stanza-payload-timestamp-32-bit",
            &["ST-014"],
            "an int64 field read into a 32-bit integer (CWE-197, Numeric Truncation Error; a Java int where the .proto says int64, the year-2038 class for millisecond timestamps)",
            "decodes a reaction's sender_timestamp_ms through a 32-bit integer, so millisecond timestamps wrap",
        ),
        StanzaPayloadAcceptsGroups => (
            "stanza-payload-accepts-groups",
            &["ST-016"],
            "protobuf runtimes still skip the deprecated group wire types 3 and 4 of unknown fields (protobuf's CodedInputStream.skipField, prost's skip_field), where docs/stanza.md refuses groups",
            "stops its own wire check at a group and leaves the payload to prost, which skips groups of unknown fields",
        ),
        StanzaPayloadEncodeFileLength32Bit => (
            "stanza-payload-encode-file-length-32-bit",
            &["ST-018"],
            "a uint64 size carried through a 32-bit integer on the way out (CWE-197, Numeric Truncation Error; the 4 GiB file-size class)",
            "encodes each media file_length through a 32-bit integer, so lengths of 4 GiB and more wrap",
        ),
        _ => return None,
    })
}
