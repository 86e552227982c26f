//! Handshake patterns and protocol names (Noise rev34 §7, §8, §10).
//!
//! Only the three Noise Pipes patterns (§10.4) are implemented:
//!
//! ```text
//! XX:                  IK:                  XXfallback:
//!   -> e                 <- s                 -> e
//!   <- e, ee, s, es      ...                  ...
//!   -> s, se             -> e, es, s, ss      <- e, ee, s, es
//!                        <- e, ee, se         -> s, se
//! ```
//!
//! Roles. Patterns are written in canonical (Alice-on-the-left) form (§7.2)
//! and the `initiator` flag of §5.3 decides how `es`/`se` are computed. The
//! fallback modifier (§10.2) turns Alice's first message into a pre-message
//! and the rest "is interpreted as a Bob-initiated handshake pattern": Bob
//! sends the first real message. This engine therefore keeps Alice (the IK
//! initiator) as [`Role::Initiator`] of `XXfallback` for token semantics and
//! records separately that the responder sends first
//! ([`HandshakePattern::first_sender`]). §10.1 calls Bob "the initiator of the
//! new Noise protocol" in the sense of who speaks first; rewriting the pattern
//! in Bob-initiated form (swap arrows and `es`/`se`, §7.2) yields the same
//! bytes, so the two readings interoperate.

use super::error::{NoiseError, NoiseResult};

/// A party's role in a handshake pattern (§5.3 `initiator` boolean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The left party (Alice in §7.2 terms).
    Initiator,
    /// The right party (Bob).
    Responder,
}

impl Role {
    /// The other role.
    pub fn other(self) -> Role {
        match self {
            Role::Initiator => Role::Responder,
            Role::Responder => Role::Initiator,
        }
    }
}

/// Message-pattern tokens (§7.1; `psk` is not supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    E,
    S,
    EE,
    ES,
    SE,
    SS,
}

/// The handshake patterns this engine implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakePattern {
    XX,
    IK,
    XXfallback,
}

impl HandshakePattern {
    /// The pattern name as used in protocol names (§8).
    pub fn name(self) -> &'static str {
        match self {
            HandshakePattern::XX => "XX",
            HandshakePattern::IK => "IK",
            HandshakePattern::XXfallback => "XXfallback",
        }
    }

    /// The initiator's pre-message pattern (§7.1).
    pub fn initiator_premessage(self) -> &'static [Token] {
        match self {
            HandshakePattern::XX | HandshakePattern::IK => &[],
            // §10.2: Alice's first XX message `-> e` becomes a pre-message.
            HandshakePattern::XXfallback => &[Token::E],
        }
    }

    /// The responder's pre-message pattern (§7.1).
    pub fn responder_premessage(self) -> &'static [Token] {
        match self {
            HandshakePattern::XX | HandshakePattern::XXfallback => &[],
            // §7.5 / §10.4: IK's `<- s`.
            HandshakePattern::IK => &[Token::S],
        }
    }

    /// The message patterns, in order of transmission.
    pub fn messages(self) -> &'static [&'static [Token]] {
        use Token::*;
        match self {
            HandshakePattern::XX => &[&[E], &[E, EE, S, ES], &[S, SE]],
            HandshakePattern::IK => &[&[E, ES, S, SS], &[E, EE, SE]],
            HandshakePattern::XXfallback => &[&[E, EE, S, ES], &[S, SE]],
        }
    }

    /// Who sends message 0; senders then alternate (§7.1). For the fallback
    /// pattern Bob (the responder) sends first (§10.2).
    pub fn first_sender(self) -> Role {
        match self {
            HandshakePattern::XX | HandshakePattern::IK => Role::Initiator,
            HandshakePattern::XXfallback => Role::Responder,
        }
    }

    /// The sender of message `index` (handshake or, continuing the
    /// alternation as the cacophony vectors do, transport).
    pub fn sender_of(self, index: usize) -> Role {
        if index.is_multiple_of(2) {
            self.first_sender()
        } else {
            self.first_sender().other()
        }
    }
}

/// A full protocol: pattern plus the fixed `25519_AESGCM_SHA256` suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    pub pattern: HandshakePattern,
}

/// The DH, cipher and hash names this engine implements (§8, §12).
pub const SUITE: &str = "25519_AESGCM_SHA256";

impl Protocol {
    /// `Noise_XX_25519_AESGCM_SHA256`.
    pub const XX: Protocol = Protocol {
        pattern: HandshakePattern::XX,
    };
    /// `Noise_IK_25519_AESGCM_SHA256`.
    pub const IK: Protocol = Protocol {
        pattern: HandshakePattern::IK,
    };
    /// `Noise_XXfallback_25519_AESGCM_SHA256`.
    pub const XX_FALLBACK: Protocol = Protocol {
        pattern: HandshakePattern::XXfallback,
    };

    /// The protocol name (§8): `Noise_` + pattern + `_` + DH + `_` + cipher
    /// + `_` + hash.
    pub fn name(self) -> String {
        format!("Noise_{}_{}", self.pattern.name(), SUITE)
    }

    /// Parse one of the three supported protocol names.
    pub fn from_name(name: &str) -> NoiseResult<Protocol> {
        [Protocol::XX, Protocol::IK, Protocol::XX_FALLBACK]
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| NoiseError::UnsupportedProtocol(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_roundtrip() {
        for p in [Protocol::XX, Protocol::IK, Protocol::XX_FALLBACK] {
            assert_eq!(Protocol::from_name(&p.name()), Ok(p));
        }
        assert_eq!(
            Protocol::XX_FALLBACK.name(),
            "Noise_XXfallback_25519_AESGCM_SHA256"
        );
        assert!(matches!(
            Protocol::from_name("Noise_NN_25519_ChaChaPoly_BLAKE2s"),
            Err(NoiseError::UnsupportedProtocol(_))
        ));
    }

    #[test]
    fn fallback_is_xx_without_its_first_message() {
        // §10.2: fallback deletes XX's first message and moves it to the
        // initiator's pre-message.
        let xx = HandshakePattern::XX.messages();
        assert_eq!(HandshakePattern::XXfallback.messages(), &xx[1..]);
        assert_eq!(HandshakePattern::XXfallback.initiator_premessage(), xx[0]);
        assert_eq!(HandshakePattern::XXfallback.sender_of(0), Role::Responder);
        assert_eq!(HandshakePattern::XX.sender_of(1), Role::Responder);
    }
}
