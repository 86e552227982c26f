#!/usr/bin/env python3
"""Cross-checks the media golden vectors with code interspec did not write.
Usage: python tools/media_crosscheck.py vectors/media/interspec-generated.json
(tools/media_crosscheck.sh installs the pinned, hash-checked packages first).

Oracle: PyPI `yowsup` 3.3.0 (GPL-3+), yowsup/layers/protocol_media/
mediacipher.py, MediaCipher.decrypt_{image,audio,video,document}; decrypt
only, as its encrypt leaves block-aligned input unpadded (research brief
/work/shared/research/media-groups.md §1.8). It imports python-axolotl 0.2.2
(axolotl.kdf.hkdfv3, axolotl.util.byteutil) and `cryptography`; it is loaded
by path, since yowsup's package __init__ chain pulls in the whole client.

Second derivation (not a library oracle): every attachment, sidecar and
refusal recomputed here from `cryptography` primitives. Constants, from
media-groups.md §1.1 (whatsmeow download.go getMediaKeys, MediaImage..
MediaDocument, classToMediaType, upload.go, cbcutil; Baileys getMediaKeys,
MEDIA_HKDF_KEY_MAPPING): HKDF-SHA256, no salt, 112 bytes, iv[0:16]
cipherKey[16:48] macKey[48:80] refKey[80:112]; sticker -> Image, voice note
(ptt) -> Audio; PKCS#7 always; mac = HMAC(macKey, iv || ciphertext)[:10];
blob = ciphertext || mac; the receiver's order of checks. §1.2 (the [PHP]
sidecar description: CHUNK_SIZE 65536, OVERLAP 16, MAC_SIZE 10; sidecars on
audio and video only, WAWebProtobufsE2E.proto field 18). The 4 MiB bound:
src/vectors/media/model.rs MAX_PLAINTEXT.
"""
import importlib.metadata
import importlib.util
import json
import sys

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = {"image": b"WhatsApp Image Keys", "sticker": b"WhatsApp Image Keys",
        "video": b"WhatsApp Video Keys", "audio": b"WhatsApp Audio Keys",
        "voice-note": b"WhatsApp Audio Keys", "document": b"WhatsApp Document Keys"}
YOWSUP_DECRYPT = {"image": "decrypt_image", "sticker": "decrypt_image",
                  "video": "decrypt_video", "audio": "decrypt_audio",
                  "voice-note": "decrypt_audio", "document": "decrypt_document"}
STREAMABLE = {"video", "audio", "voice-note"}
MAC_LEN, CHUNK, OVERLAP = 10, 65536, 16
MAX_PLAINTEXT, MAX_FILE = 4 * 1024 * 1024, 32 * 1024 * 1024
PINS = {"yowsup": "3.3.0", "python-axolotl": "0.2.2"}
YOWSUP_REACH = ("bad-mac", "bad-padding", "not-whole-blocks")  # no hash checks


class Bad(Exception):
    """A vector that is malformed or disagrees with a derivation."""


def field(obj, key, kind):
    if not isinstance(obj, dict) or key not in obj:
        raise Bad(f"missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Bad(f"{key}: wrong JSON type (want {kind.__name__})")
    return value


def hexfield(obj, key, length=None):
    text = field(obj, key, str)
    if len(text) > 2 * (MAX_PLAINTEXT + 64):
        raise Bad(f"{key}: too long")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise Bad(f"{key}: not hex") from None
    if length is not None and len(raw) != length:
        raise Bad(f"{key}: {len(raw)} bytes, not {length}")
    return raw


def expect(what, vector_value, derived):
    if vector_value != derived:
        show = lambda v: v.hex()[:64] if isinstance(v, bytes) else v  # noqa: E731
        raise Bad(f"{what}: vector {show(vector_value)}, derived {show(derived)}")


def name_of(obj, i):
    return str(obj.get("name", f"#{i}"))[:80] if isinstance(obj, dict) else f"#{i}"


def sha256(data):
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def hmac_sha256(key, *parts):
    h = hmac.HMAC(key, hashes.SHA256())
    for part in parts:
        h.update(part)
    return h.finalize()


def derive_keys(media_key, info):
    e = HKDF(algorithm=hashes.SHA256(), length=112, salt=None, info=info).derive(media_key)
    return {"iv": e[0:16], "cipher_key": e[16:48], "mac_key": e[48:80], "ref_key": e[80:112]}


def aes_cbc(keys):
    return Cipher(algorithms.AES(keys["cipher_key"]), modes.CBC(keys["iv"]))


def sidecar(keys, blob, stream, with_mac_trailer):
    body = blob if with_mac_trailer else blob[:-MAC_LEN]
    data = keys["iv"] + body if stream == "iv+ciphertext" else body
    return b"".join(hmac_sha256(keys["mac_key"], data[n:n + CHUNK + OVERLAP])[:MAC_LEN]
                    for n in range(0, len(data), CHUNK))


def media_type(obj):
    name = field(obj, "type", str)
    if name not in INFO:
        raise Bad(f"unknown media type {name[:40]!r}")
    return name


def read_attachment(v):
    t, pt = media_type(v), field(v, "plaintext", dict)
    length, pattern = field(pt, "length", int), hexfield(pt, "pattern")
    if not 0 <= length <= MAX_PLAINTEXT:
        raise Bad(f"plaintext.length {length}: outside 0..{MAX_PLAINTEXT}")
    if not pattern and length:
        raise Bad("plaintext.pattern is empty")
    plaintext = (pattern * (length // max(len(pattern), 1) + 1))[:length]
    return t, hexfield(v, "media_key", 32), plaintext


def derive_attachment(v, t, media_key, plaintext):
    """Second derivation of one attachment: its blob and its sidecar count."""
    expect("hkdf_info", field(v, "hkdf_info", str), INFO[t].decode())
    keys = derive_keys(media_key, INFO[t])
    for name, size in (("iv", 16), ("cipher_key", 32), ("mac_key", 32), ("ref_key", 32)):
        expect(name, hexfield(v, name, size), keys[name])
    padder = padding.PKCS7(128).padder()
    enc = aes_cbc(keys).encryptor()
    ciphertext = enc.update(padder.update(plaintext) + padder.finalize()) + enc.finalize()
    mac = hmac_sha256(keys["mac_key"], keys["iv"], ciphertext)[:MAC_LEN]
    blob = ciphertext + mac
    if "blob" in v:
        expect("blob", hexfield(v, "blob"), blob)
    expect("blob_length", field(v, "blob_length", int), len(blob))
    expect("mac", hexfield(v, "mac", MAC_LEN), mac)
    expect("file_sha256", hexfield(v, "file_sha256", 32), sha256(plaintext))
    expect("file_enc_sha256", hexfield(v, "file_enc_sha256", 32), sha256(blob))
    expect("file_length", field(v, "file_length", int), len(plaintext))
    sidecars = v.get("sidecars", [])
    if not isinstance(sidecars, list) or (t in STREAMABLE) != bool(sidecars):
        raise Bad(f"sidecars: the wrong shape for {t}")
    for s in sidecars:
        stream, trailer = field(s, "stream", str), field(s, "with_mac_trailer", bool)
        if stream not in ("iv+ciphertext", "ciphertext"):
            raise Bad(f"unknown sidecar stream {stream[:40]!r}")
        expect(f"sidecar ({stream}, mac trailer {trailer})",
               hexfield(s, "sidecar"), sidecar(keys, blob, stream, trailer))
    return blob, len(sidecars)


def classify_refusal(t, media_key, blob, enc_hash, plain_hash):
    """The first receiver check (§1.1 order) this blob fails, or None."""
    if len(enc_hash) != 32:
        return "enc-hash-length"
    if len(blob) <= MAC_LEN:
        return "too-short"
    if sha256(blob) != enc_hash:
        return "enc-hash-mismatch"
    keys = derive_keys(media_key, INFO[t])
    ciphertext, mac = blob[:-MAC_LEN], blob[-MAC_LEN:]
    if hmac_sha256(keys["mac_key"], keys["iv"], ciphertext)[:MAC_LEN] != mac:
        return "bad-mac"
    if not ciphertext or len(ciphertext) % 16:
        return "not-whole-blocks"
    dec = aes_cbc(keys).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    pad = padded[-1]  # strict PKCS#7, checked by hand
    if not 1 <= pad <= 16 or padded[-pad:] != bytes([pad]) * pad:
        return "bad-padding"
    return "plaintext-hash-mismatch" if sha256(padded[:-pad]) != plain_hash else None


def load_yowsup():
    for name, version in PINS.items():
        if importlib.metadata.version(name) != version:
            raise ImportError(f"{name} {importlib.metadata.version(name)}, not {version}")
    root = importlib.util.find_spec("yowsup").submodule_search_locations[0]
    spec = importlib.util.spec_from_file_location(
        "yowsup_mediacipher", f"{root}/layers/protocol_media/mediacipher.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MediaCipher()


def yowsup_decrypt(cipher, t, blob, media_key):
    """yowsup's answer: (plaintext, None) or (None, what it raised)."""
    try:
        return bytes(getattr(cipher, YOWSUP_DECRYPT[t])(blob, media_key)), None
    except Exception as e:  # whatever the oracle raises is its answer
        return None, f"{type(e).__name__}: {e}"


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: media_crosscheck.py VECTOR_FILE")
    try:
        with open(argv[1], "rb") as f:
            raw = f.read(MAX_FILE + 1)
        if len(raw) > MAX_FILE:
            raise Bad(f"larger than {MAX_FILE} bytes")
        doc = json.loads(raw.decode("utf-8"))
        expect("schema_version", field(doc, "schema_version", int), 1)
        attachments, refusals = field(doc, "attachments", list), field(doc, "refusals", list)
        if not attachments or not refusals:
            raise Bad("no attachments or no refusals: nothing to check")
    except (OSError, ValueError, RecursionError, Bad) as e:
        sys.exit(f"{argv[1]}: not a media vector file: {e}")
    try:
        cipher = load_yowsup()
    except (ImportError, OSError, AttributeError) as e:
        sys.exit(f"cannot load the yowsup oracle: {type(e).__name__}: {e}")
    failures, n = [], dict.fromkeys(("derived", "sidecars", "ys_vector", "ys_pinned",
                                     "agreed", "refused", "out_of_reach"), 0)
    vector_blobs = sum(1 for v in attachments if isinstance(v, dict) and "blob" in v)
    for i, v in enumerate(attachments):
        blob = None
        try:
            t, media_key, plaintext = read_attachment(v)
            blob = hexfield(v, "blob") if "blob" in v else None  # yowsup reads the vector's
            derived, sidecars = derive_attachment(v, t, media_key, plaintext)
            n["derived"], n["sidecars"] = n["derived"] + 1, n["sidecars"] + sidecars
            blob = derived if blob is None else blob  # else pinned by file_enc_sha256
        except (Bad, ValueError, TypeError, OverflowError) as e:
            failures.append(f"attachment {name_of(v, i)}: second derivation: {e}")
        if blob is not None:
            got, raised = yowsup_decrypt(cipher, t, blob, media_key)
            if got == plaintext:
                n["ys_vector" if "blob" in v else "ys_pinned"] += 1
            else:
                failures.append(f"attachment {name_of(v, i)}: yowsup decrypt: not the "
                                f"plaintext ({raised or f'{len(got)} other bytes'})")
    for i, r in enumerate(refusals):
        try:
            t, expected = media_type(r), field(r, "refusal", str)
            key, blob = hexfield(r, "media_key", 32), hexfield(r, "blob")
            found = classify_refusal(t, key, blob, hexfield(r, "file_enc_sha256"),
                                     hexfield(r, "file_sha256"))
            expect("refusal (second derivation)", expected, found)
            n["agreed"] += 1
        except (Bad, ValueError, TypeError) as e:
            failures.append(f"refusal {name_of(r, i)}: {e}")
            continue
        if expected not in YOWSUP_REACH:
            n["out_of_reach"] += 1
            continue
        got, raised = yowsup_decrypt(cipher, t, blob, key)
        # bad-mac must stop at yowsup's MAC check, the others after it
        if raised and (raised == "ValueError: Invalid MAC") == (expected == "bad-mac"):
            n["refused"] += 1
            print(f"  refusal {name_of(r, i)} ({expected}): yowsup raised {raised}")
        else:
            failures.append(f"refusal {name_of(r, i)}: yowsup "
                            f"{raised or f'returned {len(got)} bytes'}; expected {expected}")
    for failure in failures:
        print("MISMATCH", failure)
    print(f"yowsup {PINS['yowsup']} decrypt: {n['ys_vector']}/{vector_blobs} vector blobs, "
          f"{n['ys_pinned']}/{len(attachments) - vector_blobs} recomputed blobs pinned by "
          "file_enc_sha256")
    print(f"cryptography {importlib.metadata.version('cryptography')} (second derivation, "
          f"not a library oracle): {n['derived']}/{len(attachments)} attachments, "
          f"{n['sidecars']} sidecars, {n['agreed']}/{len(refusals)} refusals at their check")
    print(f"refusals: {n['refused']} refused by yowsup ({', '.join(YOWSUP_REACH)}), "
          f"{n['out_of_reach']} out of its reach (hash checks, too-short)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
