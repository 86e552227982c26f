//! The inputs of `Initialize()` (§5.3) plus the knobs, as a builder.

use super::super::dh::{KeyPair, DHLEN};
use super::super::knobs::NoiseKnobs;
use super::super::patterns::{Protocol, Role};

/// Inputs of `Initialize()` (§5.3) plus the knobs.
#[derive(Debug, Clone)]
pub struct HandshakeConfig {
    /// Pattern and suite.
    pub protocol: Protocol,
    /// This party's role (see `patterns.rs` for XXfallback roles).
    pub role: Role,
    /// The prologue (§6); may be empty.
    pub prologue: Vec<u8>,
    /// `s`: the local static key pair.
    pub local_static: Option<KeyPair>,
    /// `e`: if this party's pre-message lists `e` (the XXfallback
    /// initiator), this is that pre-message key; otherwise it fixes the key
    /// pair that token `e` "generates" (test vectors only).
    pub local_ephemeral: Option<KeyPair>,
    /// `rs`: needed by the IK initiator (pre-message `<- s`).
    pub remote_static: Option<[u8; DHLEN]>,
    /// `re`: needed by the XXfallback responder (pre-message `-> e`).
    pub remote_ephemeral: Option<[u8; DHLEN]>,
    /// Deliberate misbehaviours (all off by default).
    pub knobs: NoiseKnobs,
}

impl HandshakeConfig {
    /// A config with no keys, an empty prologue and honest knobs.
    pub fn new(protocol: Protocol, role: Role) -> Self {
        HandshakeConfig {
            protocol,
            role,
            prologue: Vec::new(),
            local_static: None,
            local_ephemeral: None,
            remote_static: None,
            remote_ephemeral: None,
            knobs: NoiseKnobs::default(),
        }
    }

    /// Set the prologue.
    pub fn prologue(mut self, prologue: &[u8]) -> Self {
        self.prologue = prologue.to_vec();
        self
    }

    /// Set `s`.
    pub fn local_static(mut self, kp: KeyPair) -> Self {
        self.local_static = Some(kp);
        self
    }

    /// Set `e` (pre-message key or fixed ephemeral, see the field).
    pub fn local_ephemeral(mut self, kp: KeyPair) -> Self {
        self.local_ephemeral = Some(kp);
        self
    }

    /// Set `rs`.
    pub fn remote_static(mut self, public: [u8; DHLEN]) -> Self {
        self.remote_static = Some(public);
        self
    }

    /// Set `re`.
    pub fn remote_ephemeral(mut self, public: [u8; DHLEN]) -> Self {
        self.remote_ephemeral = Some(public);
        self
    }

    /// Set the knobs.
    pub fn knobs(mut self, knobs: NoiseKnobs) -> Self {
        self.knobs = knobs;
        self
    }
}
