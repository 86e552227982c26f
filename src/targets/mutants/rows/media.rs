//! The media suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        MediaDecryptsWithoutMacCheck => (
            "media-decrypts-without-mac-check",
            &["ME-005"],
            "Baileys `downloadContentFromMessage` checks neither the MAC nor the hashes (research brief media-groups.md §1.7 MM1)",
            "decrypts a blob whose MAC does not verify, once its fileEncSha256 matches",
        ),
        MediaMacOverCiphertextOnly => (
            "media-mac-over-ciphertext-only",
            &["ME-001"],
            "a common slip: the HMAC over the ciphertext without the IV (brief §1.7 MM2)",
            "computes the MAC trailer over the ciphertext alone, on encrypt and decrypt",
        ),
        MediaFullLengthMac => (
            "media-full-length-mac",
            &["ME-001"],
            "Signal's attachments carry the whole 32-byte HMAC (brief §1.5, §1.7 MM3)",
            "appends the whole 32-byte HMAC instead of its first 10 bytes, on encrypt and decrypt",
        ),
        MediaNoPaddingBlockWhenAligned => (
            "media-no-padding-block-when-aligned",
            &["ME-001"],
            "yowsup 3.3.0 `MediaCipher.encrypt` pads nothing on block-aligned input (brief §1.7 MM4)",
            "adds no padding block to a plaintext whose length is a multiple of 16",
        ),
        MediaEncHashWithoutTrailer => (
            "media-enc-hash-without-trailer",
            &["ME-002"],
            "fileEncSha256 over the ciphertext without the MAC (brief §1.7 MM5; whatsmeow hashes ciphertext ‖ mac)",
            "computes fileEncSha256 over the ciphertext without its MAC trailer",
        ),
        MediaImageKeysForEveryType => (
            "media-image-keys-for-every-type",
            &["ME-001", "ME-005"],
            "a wrong info-string mapping (brief §1.7 MM6)",
            "derives every type's keys with `WhatsApp Image Keys`, on encrypt and decrypt",
        ),
        MediaKeySplitOffByOneBlock => (
            "media-key-split-off-by-one-block",
            &["ME-001"],
            "the HKDF output split one block off (brief §1.7 MM7)",
            "takes cipherKey from the first 32 bytes of the expansion and the IV after it",
        ),
        MediaLaxUnpad => (
            "media-lax-unpad",
            &["ME-007"],
            "whatsmeow `util/cbcutil` `unpad` checks only that the pad length fits (brief §1.7 MM8)",
            "strips as many bytes as the last byte says without checking the others",
        ),
        MediaKeyFromPlaintextHash => (
            "media-key-from-plaintext-hash",
            &["ME-003"],
            "convergent encryption: a key derived from the content, so identical files give identical blobs (brief §1.6 M05)",
            "derives the media key from the plaintext's SHA-256 instead of drawing it at random",
        ),
        MediaSkipsPlaintextHash => (
            "media-skips-plaintext-hash",
            &["ME-008"],
            "whatsmeow returns ErrInvalidMediaSHA256 after decrypting (brief §1.6 M13); a client that leaves the check out",
            "returns the plaintext without comparing its SHA-256 with fileSha256",
        ),
        MediaMissingEncHashSkipsCheck => (
            "media-missing-enc-hash-skips-check",
            &["ME-006"],
            "whatsmeow `Download` treats media without fileEncSha256 as unencrypted newsletter media (brief §1.6 M12)",
            "skips the fileEncSha256 check when the field is empty",
        ),
        MediaFileLengthOfBlob => (
            "media-file-length-of-blob",
            &["ME-002"],
            "fileLength = blob length (brief §1.7, additional cheap defects)",
            "reports the blob's length as fileLength",
        ),
        MediaNoAttachmentLimit => (
            "media-no-attachment-limit",
            &["ME-011"],
            "uploads never bounded (brief §1.6 M18, M31)",
            "encrypts and uploads attachments of any size",
        ),
        MediaServerIgnoresAuthorization => (
            "media-server-ignores-authorization",
            &["ME-026"],
            "a media server that serves blobs without checking the credential it issued (brief §1.7 MM10)",
            "serves every object whatever the Authorization header",
        ),
        MediaServerRangeEndExclusive => (
            "media-server-range-end-exclusive",
            &["ME-023"],
            "RFC 9110 §14.1.2 makes last-pos inclusive; an off-by-one end byte (brief §1.7 MM9)",
            "serves bytes first..last of a range without its last byte",
        ),
        MediaServerSequentialUrls => (
            "media-server-sequential-urls",
            &["ME-027"],
            "sequential object ids (brief §1.6 M27; CWE-330 insufficiently random values)",
            "names objects by a counter",
        ),
        MediaServerKeepsPlaintext => (
            "media-server-keeps-plaintext",
            &["ME-028"],
            "a server that keeps a plaintext copy or thumbnail (brief §1.7 MM10)",
            "stores each attachment's plaintext beside its blob",
        ),
        MediaServerKeyInUrl => (
            "media-server-key-in-url",
            &["ME-028"],
            "an object name built from the media key (brief §1.6 M29: the key travels only inside the end-to-end message)",
            "puts the media key, hex, in the object's URL",
        ),
        MediaServerPrefixMatch => (
            "media-server-prefix-match",
            &["ME-027"],
            "object lookup by a token prefix (CWE-639 authorization bypass through a user-controlled key)",
            "serves an object to any URL whose token starts with the object's first 8 characters",
        ),
        MediaDownloadSkipsVerification => (
            "media-download-skips-verification",
            &["ME-031"],
            "Baileys `downloadContentFromMessage` decrypts the download without checking the MAC or either hash (research brief §1.7 MM1)",
            "decrypts a downloaded blob without checking fileEncSha256, the MAC or fileSha256",
        ),
        MediaDownloadUnboundedBody => (
            "media-download-unbounded-body",
            &["ME-033"],
            "reading a whole response into memory whatever its length (CWE-400, uncontrolled resource consumption)",
            "reads a download's body whatever its Content-Length, with no bound",
        ),
        MediaDownloadNoTimeout => (
            "media-download-no-timeout",
            &["ME-033"],
            "HTTP clients without a deadline, which a slow server holds forever (CWE-400; a slowloris answer)",
            "downloads with no time bound",
        ),
        MediaSendKeyInClear => (
            "media-send-key-in-clear",
            &["ME-041"],
            "key material left in a debug attribute of the transport envelope (CWE-319, cleartext transmission of sensitive information; research brief M29: the key travels only inside the end-to-end encrypted message)",
            "writes the media key, hex, in an attribute of the enc element beside the encrypted payload",
        ),
        MediaDecryptRefusesEmpty => (
            "media-decrypt-refuses-empty",
            &["ME-004"],
            "an emptiness check that treats a zero-byte file as an error (\"if plaintext.is_empty()\")",
            "refuses an attachment whose plaintext is empty",
        ),
        MediaMissingFieldsInternalError => (
            "media-missing-fields-internal-error",
            &["ME-010"],
            "an unwrap on an optional field of the request (CWE-476 NULL pointer dereference)",
            "answers a MediaDecrypt without fields with an internal error",
        ),
        MediaSidecarWithoutOverlap => (
            "media-sidecar-without-overlap",
            &["ME-012"],
            "sidecar windows cut at exactly 64 KiB, without the 16 bytes of the next chunk (docs/media.md §Streaming sidecar)",
            "sends a streaming sidecar with audio, voice notes and video whose windows lack the 16-byte overlap",
        ),
        MediaUploadUrlNamesLocalhost => (
            "media-upload-url-names-localhost",
            &["ME-020"],
            "a URL built from a configured host name instead of the address the server is reached at",
            "reports upload URLs on http://localhost instead of the server's base URL",
        ),
        MediaServerStripsMacTrailer => (
            "media-server-strips-mac-trailer",
            &["ME-021"],
            "a server that 'validates' uploads and keeps the ciphertext without its 10-byte MAC",
            "stores and serves each blob without its MAC trailer",
        ),
        MediaServerNoHead => (
            "media-server-no-head",
            &["ME-022"],
            "HTTP routers that register GET only, so HEAD answers 405",
            "answers HEAD with 405",
        ),
        MediaServerClampsRangeStart => (
            "media-server-clamps-range-start",
            &["ME-024"],
            "clamping a range's start to the last byte instead of answering 416 (RFC 9110 §14.1.2: such a range is unsatisfiable)",
            "answers a range starting at or past the end with 206 and the last byte",
        ),
        MediaServerNeverExpires => (
            "media-server-never-expires",
            &["ME-029"],
            "capability URLs that live forever (W3C TAG, Good Practices for Capability URLs §5.1: they should expire; research brief §1.7 MM10)",
            "serves every object for ever",
        ),
        MediaServerLifetimeInMilliseconds => (
            "media-server-lifetime-in-milliseconds",
            &["ME-029"],
            "a unit slip: a lifetime in seconds read as milliseconds",
            "expires URLs after a thousandth of their lifetime",
        ),
        MediaDownloadRequiresContentLength => (
            "media-download-requires-content-length",
            &["ME-030"],
            "clients that size a buffer from Content-Length and fail on chunked or close-delimited answers (RFC 9112 §6.1, §6.3 allow both)",
            "refuses a download whose answer has no Content-Length",
        ),
        MediaDownloadIgnoresStatus => (
            "media-download-ignores-status",
            &["ME-032"],
            "a download that reads the body whatever the status (whatsmeow treats any status but 200 as an error)",
            "takes the body of any answer as the blob, whatever its status",
        ),
        MediaReceiveDropsPtt => (
            "media-receive-drops-ptt",
            &["ME-040"],
            "the ptt flag of an AudioMessage ignored, so a voice note is handled as an audio file (whatsmeow maps both to the audio keys, which makes the slip easy)",
            "reports a received voice note as audio",
        ),
        MediaIgnoresTypeLimits => (
            "media-ignores-type-limits",
            &["ME-011"],
            "an adapter that handles only the Configure fields it had before (proto3 skips the others silently), media.type_max_bytes among them",
            "encrypts and uploads every type up to max_attachment_bytes, whatever the type's own limit",
        ),
        MediaNoTypeLimitOnDownload => (
            "media-no-type-limit-on-download",
            &["ME-034"],
            "a receiver that bounds downloads by the largest attachment only (the brief's M18: oversized for its type, refused before download)",
            "downloads and decrypts an attachment larger than its type's limit, up to max_attachment_bytes",
        ),
        MediaWritesBeforeVerifying => (
            "media-writes-before-verifying",
            &["ME-035"],
            "streaming decryption to the destination file with the MAC checked at the end, the file left behind on failure (the order of checks the brief gives: MAC before decryption, §1.3)",
            "delivers the plaintext of a downloaded blob as it decrypts it, before the MAC and hashes are checked, and keeps it when the download is refused",
        ),
        MediaOpensByClaimedType => (
            "media-opens-by-claimed-type",
            &["ME-036"],
            "a client that trusts the sender's mimetype to choose a viewer (the research brief's M17: \"says image/jpeg, content is an executable or HTML\")",
            "opens every downloaded attachment as the mimetype its message claims, whatever its content",
        ),
        _ => return None,
    })
}
