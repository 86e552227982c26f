//! The deployed gatekeeper framing convention (WhatsApp's Noise socket), as
//! documented by public open-source clients:
//!
//! * A 4-byte connection header, `'W' 'A'` plus two version bytes, is sent
//!   once, in front of the first frame. whatsmeow `socket/constants.go`
//!   defines `WAConnHeader = []byte{'W', 'A', WAMagicValue, token.DictVersion}`;
//!   Baileys passes the same 4 bytes as `NOISE_HEADER` to `makeNoiseHandler`
//!   (`src/Utils/noise-handler.ts`; its `src/Defaults/index.ts` builds
//!   `NOISE_WA_HEADER` from `[87, 65, 6, DICT_VERSION]`).
//!   whatsmeow `socket/framesocket.go` `SendFrame` copies the header before
//!   the first frame only ("We only want to send the header once"); Baileys
//!   `src/Utils/noise-handler.ts` `encodeFrame` does the same (`sentIntro`).
//! * The header is the Noise prologue: whatsmeow `socket/noisehandshake.go`
//!   `Start(pattern, header)` ends with `nh.Authenticate(header)` (a
//!   MixHash), and Baileys `noise-handler.ts` calls
//!   `authenticate(NOISE_HEADER)` right after initialising the hash.
//! * Each frame is a 3-byte big-endian length followed by that many bytes
//!   (`SendFrame` writes `dataLength >> 16`, `>> 8`, and the low byte;
//!   `encodeFrame` writes a UInt8 and a UInt16BE). whatsmeow refuses
//!   `dataLength >= FrameMaxSize` with `FrameMaxSize = 2 << 23`, so the
//!   largest frame is 2^24-1 bytes, the most 3 bytes can express.
//! * Deployed deviation (used by the `skip_empty_payload_mixhash_without_key`
//!   knob): both clients hash the client's ephemeral (`authenticate`) and
//!   send it without ever hashing the empty first payload that §5.3's
//!   `EncryptAndHash(payload)` would hash.

use subtle::ConstantTimeEq;

use super::error::{NoiseError, NoiseResult};
use super::knobs::NoiseKnobs;

/// Length of the length prefix.
pub const LENGTH_PREFIX_LEN: usize = 3;
/// Largest frame a 3-byte length can describe: 2^24 - 1.
pub const MAX_FRAME_LEN: usize = (1 << 24) - 1;
/// Connection header length.
pub const HEADER_LEN: usize = 4;
/// The length prefix Noise rev34 §13 recommends when none is given: "a
/// 16-bit big-endian length field".
pub const NOISE_LENGTH_PREFIX_LEN: usize = 2;

/// The largest frame a `prefix_len`-byte length can describe (2 or 3 bytes).
pub fn max_frame_for_prefix(prefix_len: usize) -> usize {
    (1usize << (8 * prefix_len.clamp(1, 3))) - 1
}

/// The 4-byte connection header: `"WA"` + two version bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionHeader(pub [u8; HEADER_LEN]);

impl ConnectionHeader {
    /// `"WA"` followed by `major` and `minor` (e.g. magic 6 and dictionary
    /// version 3 in current clients).
    pub fn new(major: u8, minor: u8) -> Self {
        ConnectionHeader([b'W', b'A', major, minor])
    }

    /// The raw bytes.
    pub fn bytes(&self) -> [u8; HEADER_LEN] {
        self.0
    }

    /// The Noise prologue this header stands for (the same bytes).
    pub fn prologue(&self) -> Vec<u8> {
        self.0.to_vec()
    }
}

/// Encodes frames; prepends the connection header to the first one.
#[derive(Debug, Clone)]
pub struct FrameEncoder {
    pending_header: Option<[u8; HEADER_LEN]>,
    prefix_len: usize,
}

impl FrameEncoder {
    /// An encoder that sends `header` once, before the first frame.
    pub fn new(header: ConnectionHeader) -> Self {
        FrameEncoder {
            pending_header: Some(header.bytes()),
            prefix_len: LENGTH_PREFIX_LEN,
        }
    }

    /// An encoder honouring the `wrong_connection_header` knob.
    pub fn with_knobs(header: ConnectionHeader, knobs: &NoiseKnobs) -> Self {
        FrameEncoder {
            pending_header: Some(knobs.wrong_connection_header.unwrap_or(header.bytes())),
            prefix_len: LENGTH_PREFIX_LEN,
        }
    }

    /// An encoder for an already-introduced connection (no header).
    pub fn without_header() -> Self {
        FrameEncoder {
            pending_header: None,
            prefix_len: LENGTH_PREFIX_LEN,
        }
    }

    /// The same encoder with a 2- or 3-byte length prefix (3 by default).
    pub fn with_prefix_len(mut self, prefix_len: usize) -> Self {
        self.prefix_len = prefix_len.clamp(NOISE_LENGTH_PREFIX_LEN, LENGTH_PREFIX_LEN);
        self
    }

    /// Encode one frame (header first if not yet sent).
    pub fn encode(&mut self, frame: &[u8]) -> NoiseResult<Vec<u8>> {
        let max = max_frame_for_prefix(self.prefix_len);
        if frame.len() > max {
            return Err(NoiseError::FrameTooLarge {
                len: frame.len(),
                max,
            });
        }
        let header = self.pending_header.take();
        let mut out = Vec::with_capacity(HEADER_LEN + self.prefix_len + frame.len());
        if let Some(h) = header {
            out.extend_from_slice(&h);
        }
        let len = frame.len() as u32;
        out.extend_from_slice(&len.to_be_bytes()[4 - self.prefix_len..]);
        out.extend_from_slice(frame);
        Ok(out)
    }
}

/// Streaming decoder: accepts arbitrary chunking (single bytes, many frames
/// per read) and enforces a bound on the frame size before buffering it.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    expected_header: Option<[u8; HEADER_LEN]>,
    header_seen: usize,
    prefix_len: usize,
    max_frame_len: usize,
    buf: Vec<u8>,
    poisoned: bool,
}

impl FrameDecoder {
    /// A decoder that first expects `header`, then frames of at most
    /// `max_frame_len` bytes (clamped to 2^24-1).
    pub fn new(header: ConnectionHeader, max_frame_len: usize) -> Self {
        FrameDecoder {
            expected_header: Some(header.bytes()),
            header_seen: 0,
            prefix_len: LENGTH_PREFIX_LEN,
            max_frame_len: max_frame_len.min(MAX_FRAME_LEN),
            buf: Vec::new(),
            poisoned: false,
        }
    }

    /// A decoder for a direction that carries no header (server to client).
    pub fn without_header(max_frame_len: usize) -> Self {
        FrameDecoder {
            expected_header: None,
            header_seen: 0,
            prefix_len: LENGTH_PREFIX_LEN,
            max_frame_len: max_frame_len.min(MAX_FRAME_LEN),
            buf: Vec::new(),
            poisoned: false,
        }
    }

    /// The same decoder with a 2- or 3-byte length prefix (3 by default);
    /// the bound is clamped to what the prefix can describe.
    pub fn with_prefix_len(mut self, prefix_len: usize) -> Self {
        self.prefix_len = prefix_len.clamp(NOISE_LENGTH_PREFIX_LEN, LENGTH_PREFIX_LEN);
        self.max_frame_len = self
            .max_frame_len
            .min(max_frame_for_prefix(self.prefix_len));
        self
    }

    /// Bytes buffered but not yet returned as a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn poison(&mut self, e: NoiseError) -> NoiseError {
        self.poisoned = true;
        self.buf.clear();
        e
    }

    /// Feed a chunk; returns every frame it completes, in order. After an
    /// error the decoder is poisoned and refuses further input.
    pub fn push(&mut self, mut chunk: &[u8]) -> NoiseResult<Vec<Vec<u8>>> {
        if self.poisoned {
            return Err(NoiseError::DecoderPoisoned);
        }
        if let Some(expected) = self.expected_header {
            let want = HEADER_LEN - self.header_seen;
            let n = want.min(chunk.len());
            let (head, rest) = chunk.split_at(n);
            let slot = expected.get(self.header_seen..self.header_seen + n);
            // Compare as soon as bytes arrive, so a wrong header is refused
            // before anything else is buffered.
            if !slot.is_some_and(|s| bool::from(s.ct_eq(head))) {
                let mut got = expected[..self.header_seen].to_vec();
                got.extend_from_slice(head);
                return Err(self.poison(NoiseError::HeaderMismatch { expected, got }));
            }
            self.header_seen += n;
            if self.header_seen == HEADER_LEN {
                self.expected_header = None;
            }
            chunk = rest;
        }

        self.buf.extend_from_slice(chunk);
        let mut frames = Vec::new();
        let mut pos = 0;
        while let Some(prefix) = self.buf.get(pos..pos + self.prefix_len) {
            let len = prefix
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if len > self.max_frame_len {
                let max = self.max_frame_len;
                return Err(self.poison(NoiseError::FrameTooLarge { len, max }));
            }
            let start = pos + self.prefix_len;
            let Some(body) = self.buf.get(start..start + len) else {
                break;
            };
            frames.push(body.to_vec());
            pos = start + len;
        }
        self.buf.drain(..pos);
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small deterministic PRNG for chunkings (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn header() -> ConnectionHeader {
        ConnectionHeader::new(6, 3)
    }

    fn stream(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut enc = FrameEncoder::new(header());
        let mut out = Vec::new();
        for f in frames {
            out.extend(enc.encode(f).unwrap());
        }
        out
    }

    #[test]
    fn header_is_sent_once_and_prefix_is_big_endian() {
        let mut enc = FrameEncoder::new(header());
        let a = enc.encode(&[0xaa; 0x0102]).unwrap();
        assert_eq!(&a[..7], &[b'W', b'A', 6, 3, 0x00, 0x01, 0x02]);
        let b = enc.encode(b"x").unwrap();
        assert_eq!(b, vec![0, 0, 1, b'x']);
        assert_eq!(header().prologue(), b"WA\x06\x03".to_vec());
    }

    #[test]
    fn random_chunkings_yield_the_same_frames() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let frames: Vec<Vec<u8>> = (0..40)
            .map(|i| (0..rng.below(300)).map(|j| (i * 7 + j) as u8).collect())
            .collect();
        let bytes = stream(&frames);
        for round in 0..60 {
            let mut dec = FrameDecoder::new(header(), 1000);
            let mut got = Vec::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = match round {
                    0 => 1,
                    1 => rest.len(),
                    _ => 1 + rng.below(64).min(rest.len() - 1),
                };
                let (chunk, tail) = rest.split_at(n.min(rest.len()));
                got.extend(dec.push(chunk).unwrap());
                rest = tail;
            }
            assert_eq!(got, frames, "round {round}");
            assert_eq!(dec.buffered(), 0);
        }
    }

    #[test]
    fn two_byte_prefix_round_trips_and_bounds() {
        let mut enc = FrameEncoder::without_header().with_prefix_len(2);
        assert_eq!(enc.encode(b"ab").unwrap(), vec![0, 2, b'a', b'b']);
        assert!(enc.encode(&vec![0u8; 65536]).is_err());
        let mut dec = FrameDecoder::without_header(1 << 20).with_prefix_len(2);
        let wire = enc.encode(&[9u8; 300]).unwrap();
        assert_eq!(dec.push(&wire).unwrap(), vec![vec![9u8; 300]]);
        let mut dec = FrameDecoder::without_header(10).with_prefix_len(2);
        assert!(matches!(
            dec.push(&[0, 11]),
            Err(NoiseError::FrameTooLarge { len: 11, max: 10 })
        ));
    }

    #[test]
    fn many_frames_in_one_read_including_empty_ones() {
        let frames = vec![vec![], vec![1], vec![], vec![2; 5]];
        let mut dec = FrameDecoder::new(header(), 10);
        assert_eq!(dec.push(&stream(&frames)).unwrap(), frames);
    }

    #[test]
    fn oversized_frames_are_refused_from_the_prefix_alone() {
        let mut dec = FrameDecoder::new(header(), 65535);
        let mut bytes = header().bytes().to_vec();
        bytes.extend_from_slice(&[0x01, 0x00, 0x00]); // 65536
        assert_eq!(
            dec.push(&bytes),
            Err(NoiseError::FrameTooLarge {
                len: 65536,
                max: 65535
            })
        );
        assert_eq!(dec.push(b""), Err(NoiseError::DecoderPoisoned));
        let mut enc = FrameEncoder::without_header();
        assert!(enc.encode(&vec![0u8; MAX_FRAME_LEN]).is_ok());
        assert!(matches!(
            enc.encode(&vec![0u8; MAX_FRAME_LEN + 1]),
            Err(NoiseError::FrameTooLarge { .. })
        ));
    }

    #[test]
    fn wrong_header_knob_is_a_mismatch_even_byte_by_byte() {
        let knobs = NoiseKnobs {
            wrong_connection_header: Some(*b"WA\x05\x02"),
            ..NoiseKnobs::default()
        };
        let mut enc = FrameEncoder::with_knobs(header(), &knobs);
        let bytes = enc.encode(b"hello").unwrap();
        let mut dec = FrameDecoder::new(header(), 100);
        assert!(dec.push(&bytes[..2]).unwrap().is_empty());
        assert_eq!(
            dec.push(&bytes[2..3]),
            Err(NoiseError::HeaderMismatch {
                expected: *b"WA\x06\x03",
                got: b"WA\x05".to_vec()
            })
        );
        // Honest encoder, honest decoder: fine.
        let mut enc = FrameEncoder::with_knobs(header(), &NoiseKnobs::default());
        let mut dec = FrameDecoder::new(header(), 100);
        assert_eq!(
            dec.push(&enc.encode(b"hello").unwrap()).unwrap(),
            vec![b"hello".to_vec()]
        );
    }

    #[test]
    fn arbitrary_garbage_never_panics() {
        let mut rng = Rng(42);
        for _ in 0..200 {
            let len = rng.below(40);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let mut dec = FrameDecoder::without_header(16);
            let _ = dec.push(&bytes);
            let mut dec = FrameDecoder::new(header(), 16);
            let _ = dec.push(&bytes);
        }
    }
    #[test]
    fn noise_xx_over_framing_with_the_header_as_prologue() {
        use super::super::dh::KeyPair;
        use super::super::handshake_state::{HandshakeConfig, HandshakeState};
        use super::super::patterns::{Protocol, Role};

        let hdr = header();
        let cfg = |role, seed| {
            HandshakeConfig::new(Protocol::XX, role)
                .prologue(&hdr.prologue())
                .local_static(KeyPair::from_private([seed; 32]))
        };
        let mut client = HandshakeState::new(cfg(Role::Initiator, 1)).unwrap();
        let mut gate = HandshakeState::new(cfg(Role::Responder, 2)).unwrap();
        let mut up = FrameEncoder::new(hdr);
        let mut down = FrameEncoder::without_header();
        let mut gate_in = FrameDecoder::new(hdr, 65535);
        let mut client_in = FrameDecoder::without_header(65535);

        // Feed every wire chunk one byte at a time.
        let one_by_one = |dec: &mut FrameDecoder, bytes: &[u8]| {
            let mut frames = Vec::new();
            for b in bytes {
                frames.extend(dec.push(std::slice::from_ref(b)).unwrap());
            }
            frames
        };
        let m0 = client.write_message(b"").unwrap();
        let f = one_by_one(&mut gate_in, &up.encode(&m0).unwrap());
        gate.read_message(&f[0]).unwrap();
        let m1 = gate.write_message(b"").unwrap();
        let f = one_by_one(&mut client_in, &down.encode(&m1).unwrap());
        client.read_message(&f[0]).unwrap();
        let m2 = client.write_message(b"").unwrap();
        let f = one_by_one(&mut gate_in, &up.encode(&m2).unwrap());
        gate.read_message(&f[0]).unwrap();
        assert!(client.is_finished() && gate.is_finished());

        // A client that sends another header and also hashes it as its
        // prologue: the framing check or, failing that, the handshake fails.
        let other = ConnectionHeader::new(5, 2);
        let mut liar = HandshakeState::new(
            HandshakeConfig::new(Protocol::XX, Role::Initiator)
                .prologue(&other.prologue())
                .local_static(KeyPair::from_private([1; 32])),
        )
        .unwrap();
        let mut gate = HandshakeState::new(cfg(Role::Responder, 2)).unwrap();
        let m0 = liar.write_message(b"").unwrap();
        let wire = FrameEncoder::new(other).encode(&m0).unwrap();
        assert!(matches!(
            FrameDecoder::new(hdr, 65535).push(&wire),
            Err(NoiseError::HeaderMismatch { .. })
        ));
        gate.read_message(&m0).unwrap();
        let m1 = gate.write_message(b"").unwrap();
        assert_eq!(liar.read_message(&m1), Err(NoiseError::Decrypt));
    }
}
