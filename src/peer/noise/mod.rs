//! Gatekeeper-side ("peer") Noise Protocol engine for interspec.
//!
//! Implements `Noise_XX_25519_AESGCM_SHA256`, `Noise_IK_25519_AESGCM_SHA256`
//! and `Noise_XXfallback_25519_AESGCM_SHA256` (Noise Pipes) following the
//! Noise Protocol Framework, revision 34 (2018-07-11; noiseprotocol/noise_spec
//! `noise.md` at commit ecdf084ece2bf92b16b1201b6ae5c99d23fb4151). Section
//! numbers in comments (`§5.1` etc.) refer to that revision.
//!
//! Module map (one job each):
//!
//! * [`error`]: the [`NoiseError`] enum.
//! * [`hash`]: HASH / HMAC-HASH / HKDF over SHA256 (§4.3, §12.5).
//! * [`dh`]: X25519 key pairs and DH with all-zero-output rejection (§12.1).
//! * [`cipher_state`]: CipherState and AESGCM ENCRYPT/DECRYPT/REKEY (§5.1, §12.4).
//! * [`symmetric_state`]: SymmetricState (§5.2).
//! * [`patterns`]: XX, IK, XXfallback patterns, roles, protocol names (§7, §8, §10).
//! * [`knobs`]: [`NoiseKnobs`], the deliberate misbehaviours.
//! * [`handshake_state`]: HandshakeState (§5.3): its config, the write and
//!   read directions, the IK -> XXfallback switch, one file each.
//! * [`transport`]: the post-`Split()` transport state (§5, §11.3).
//! * [`pipes`]: Noise Pipes drivers with trial decryption (§10.4, §10.5).
//! * [`framing`]: the deployed `"WA"` header + 3-byte length framing.
//! * [`wrapping`]: the deployed `HandshakeMessage` protobuf wrapper.
//! * [`vectors`]: cacophony-format vectors: read, write, generate, check.

pub mod cipher_state;
pub mod dh;
pub mod error;
pub mod framing;
pub mod handshake_state;
pub mod hash;
pub mod knobs;
pub mod patterns;
pub mod pipes;
pub mod symmetric_state;
pub mod transport;
pub mod vectors;
pub mod wrapping;

#[cfg(test)]
mod interop;

pub use cipher_state::CipherState;
pub use dh::{KeyPair, LowOrderPoint};
pub use error::{KeyRole, NoiseError, NoiseResult};
pub use framing::{ConnectionHeader, FrameDecoder, FrameEncoder};
pub use handshake_state::{HandshakeConfig, HandshakeState, MAX_MESSAGE_LEN};
pub use knobs::{BitFlip, MessagePart, NoiseKnobs};
pub use patterns::{HandshakePattern, Protocol, Role};
pub use pipes::{initiator_read_response, respond_to_first_message, PipeStart};
pub use symmetric_state::SymmetricState;
pub use transport::TransportState;
pub use vectors::{check_vector_file, VectorFile, VectorOutcome, VectorReport};
