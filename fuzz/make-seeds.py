#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/seeds/<target>/) from the repo's own
vectors and reports, plus a few hand-encoded protobuf messages. Standard
library only. The signed report seed for report_verify needs an interspec
binary: set INTERSPEC=path (default target/release/interspec); without one
that seed is skipped.

Run from anywhere: python3 fuzz/make-seeds.py
"""
import base64
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire, value):
    key = varint((number << 3) | wire)
    if wire == 0:
        return key + varint(value)
    return key + varint(len(value)) + value


def frame(body):
    return varint(len(body)) + body


def noise_frame(body):
    return len(body).to_bytes(3, "big") + body


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return json.load(f)


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def adapter():
    hello = (
        field(1, 0, 1)
        + field(2, 0, 1)
        + field(3, 2, b"fuzz-target")
        + field(4, 2, b"0.1")
        + field(7, 0, 1 << 20)
    )
    hello_reply = field(1, 0, 1) + field(10, 2, hello)
    ping = field(1, 0, 2) + field(12, 2, field(1, 2, b"ping"))
    rejected = field(1, 0, 2) + field(2, 2, field(1, 0, 3) + field(2, 2, b"bad mac"))
    unsupported = field(1, 0, 2) + field(3, 2, field(1, 2, b"no"))
    wrong_id = field(1, 0, 9) + field(12, 2, b"")
    write("adapter_reply", "hello-then-pings", frame(hello_reply) + frame(ping) + frame(ping))
    write("adapter_reply", "hello-then-rejected", frame(hello_reply) + frame(rejected))
    write("adapter_reply", "hello-then-unsupported", frame(hello_reply) + frame(unsupported))
    write("adapter_reply", "hello-then-wrong-id", frame(hello_reply) + frame(wrong_id))
    write("adapter_reply", "hello-major-2", frame(field(1, 0, 1) + field(10, 2, field(1, 0, 2))))
    write("adapter_reply", "empty-response", frame(b""))
    write("frame_codec", "two-frames", b"\x03" + frame(hello_reply) + frame(ping))
    write("frame_codec", "tiny-limit", b"\x02" + frame(b"x" * 20))
    write("frame_codec", "ten-byte-prefix", b"\x04" + b"\xff" * 9 + b"\x01")
    write("frame_codec", "empty-frames", b"\x00" + b"\x00\x00\x00")


def signal():
    vectors = load("vectors/signal/interspec-generated.json")["vectors"]
    count = 0
    for v in vectors:
        if v["kind"] != "session-transcript":
            continue
        for m in v["messages"][:3]:
            kind = "prekey" if m["message_type"] == 3 else "whisper"
            write("signal_wire", f"{kind}-{count}", bytes.fromhex(m["ciphertext"]))
            count += 1
    write("signal_wire", "public-key", b"\x05" + bytes(range(32)))


def noise():
    n = 0
    for path in ("vectors/noise/interspec-generated.json", "vectors/noise/cacophony-published.json"):
        for v in load(path)["vectors"][:3]:
            msgs = [bytes.fromhex(m["ciphertext"]) for m in v["messages"][:3]]
            body = b"WA\x06\x03" + b"".join(noise_frame(m) for m in msgs)
            pattern = v["protocol_name"].split("_")[1]
            modes = {"XX": [0, 1, 5], "IK": [2, 3], "XXfallback": [4]}.get(pattern, [0])
            for mode in modes:
                write("noise_handshake", f"{pattern}-{n}-mode{mode}", bytes([mode]) + body)
            write("noise_framing", f"{pattern}-{n}", b"\x00" + body)
            write("noise_framing", f"{pattern}-{n}-chunked", b"\x30" + body)
            n += 1
    write("noise_framing", "two-byte-prefix", b"\x0c" + b"\x00\x03abc\x00\x00")


def stanza():
    chosen = sorted(glob.glob(os.path.join(ROOT, "vectors/stanza/*.xml")))
    payloads = 0
    for path in chosen:
        data = read(path)
        if len(data) > 2048:
            continue
        name = os.path.splitext(os.path.basename(path))[0]
        write("stanza_reader", name, data)
        expectation = read(os.path.splitext(path)[0] + ".json")
        if name.startswith("valid-") and len(expectation) < 4096:
            write("vectors_verify", f"stanza-{name}", b"\x03" + expectation + b"\x00" + data)
        # The payloads inside enc elements, where they decode.
        text = data.decode("utf-8", "replace")
        start = text.find('type="msg">')
        if start >= 0 and payloads < 4:
            end = text.find("</enc>", start)
            try:
                raw = base64.b64decode(text[start + 11 : end].strip(), validate=True)
                write("stanza_payload", f"from-{name}", raw)
                payloads += 1
            except ValueError:
                pass
    conversation = field(1, 2, b"hello")
    quoted = field(1, 2, b"hi") + field(16, 2, field(1, 2, b"3EB0") + field(3, 2, conversation))
    write("stanza_payload", "conversation", conversation)
    write("stanza_payload", "quoted", quoted)
    write("stanza_payload", "nested-3", field(16, 2, field(3, 2, quoted)))
    write("stanza_payload", "unknown-field", conversation + field(99, 2, b"x"))


def jose():
    cases = load("vectors/enlistment/interspec-token-cases.json")["token_cases"]
    jwks = json.dumps(cases["gatekeeper_jwks"], separators=(",", ":"))
    for i, case in enumerate(cases["cases"][:6]):
        write("jose", f"case-{i}", case["token"] + "\n" + jwks)
    for i, answer in enumerate(load("vectors/enlistment/rfc8037-ed25519.json")["known_answers"][:2]):
        write("jose", f"rfc8037-{i}", answer["compact"])


def vectors():
    def small(path, key, keep):
        doc = load(path)
        doc[key] = doc[key][:keep]
        return json.dumps(doc, separators=(",", ":")).encode()

    write("vectors_verify", "noise-generated", b"\x00" + small("vectors/noise/interspec-generated.json", "vectors", 1))
    write("vectors_verify", "noise-cacophony", b"\x00" + small("vectors/noise/cacophony-published.json", "vectors", 1))
    signal_doc = load("vectors/signal/interspec-generated.json")
    kinds = {}
    for v in signal_doc["vectors"]:
        kinds.setdefault(v["kind"], v)
    for kind, v in kinds.items():
        doc = dict(signal_doc, vectors=[v])
        write("vectors_verify", f"signal-{kind}", b"\x01" + json.dumps(doc, separators=(",", ":")).encode())
    write("vectors_verify", "enlistment-rfc8037", b"\x02" + read("vectors/enlistment/rfc8037-ed25519.json"))
    cases = load("vectors/enlistment/interspec-token-cases.json")
    cases["known_answers"] = []
    cases["token_cases"]["cases"] = cases["token_cases"]["cases"][:4]
    write("vectors_verify", "enlistment-cases", b"\x02" + json.dumps(cases, separators=(",", ":")).encode())


def reference_report():
    text = read("reports/reference/report.json.snap").decode()
    # An insta snapshot: a front matter between two '---' lines, then the JSON.
    doc = json.loads(text.split("---\n", 2)[2])
    # A few scenarios and requirements keep the seed small; the fuzzer
    # repeats structure well enough on its own.
    doc["scenarios"] = doc["scenarios"][:6]
    doc["requirements"] = doc["requirements"][:6]
    return json.dumps(doc, separators=(",", ":")).encode()


def reports():
    report = reference_report()
    write("report_diff", "reference-vs-itself", report + b"\x00" + report)
    doc = json.loads(report)
    changed = json.loads(report)
    if changed.get("scenarios"):
        changed["scenarios"] = changed["scenarios"][1:]
    for s in changed.get("scenarios", [])[:3]:
        s["outcome"] = "fail"
    write("report_diff", "reference-vs-changed", report + b"\x00" + json.dumps(changed, separators=(",", ":")).encode())
    small = dict(doc, scenarios=doc["scenarios"][:2], requirements=doc["requirements"][:2])
    write("report_diff", "small", json.dumps(small, separators=(",", ":")).encode())

    binary = os.environ.get("INTERSPEC", os.path.join(ROOT, "target/release/interspec"))
    if not os.access(binary, os.X_OK):
        print(f"no interspec binary at {binary}: report_verify gets unsigned seeds only", file=sys.stderr)
        write("report_verify", "unsigned", b"{}\x00\x00" + json.dumps(small, separators=(",", ":")).encode())
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "report")
        os.mkdir(folder)
        with open(os.path.join(folder, "report.json"), "wb") as f:
            f.write(json.dumps(small, separators=(",", ":")).encode())
        key = os.path.join(tmp, "key")
        subprocess.run([binary, "keygen", "--out", key], check=True, capture_output=True)
        subprocess.run([binary, "report", "sign", folder, "--key", key], check=True, capture_output=True)
        parts = [read(os.path.join(folder, n)) for n in ("manifest.json", "manifest.sig", "report.json")]
        public = read(key + ".pub")
    write("report_verify", "signed", b"\x00".join(parts))
    write("report_verify", "signed-with-keys-file", b"\x00".join(parts + [public]))
    write("report_verify", "signed-no-report", b"\x00".join(parts[:2]))


def main():
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    adapter()
    signal()
    noise()
    stanza()
    jose()
    vectors()
    reports()


if __name__ == "__main__":
    main()
