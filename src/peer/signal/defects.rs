//! Implementation defects: the receiving and sending faults a broken Signal
//! implementation has. They exist so the reference target's mutants can each
//! carry exactly one (src/targets/mutants/); the peer never sets them.
//! Unlike knobs (one-off bent outputs), a defect is a standing property of
//! the device. All off by default.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defects {
    /// Keep each message key after use, so a replayed message decrypts again.
    pub accept_replays: bool,
    /// Decrypt without checking the MAC.
    pub skip_mac_check: bool,
    /// Keep the advanced chain (keys derived, counter consumed) when the MAC
    /// check fails.
    pub commit_before_mac: bool,
    /// Process a bundle without verifying its signed-prekey signature.
    pub skip_signature_check: bool,
    /// On a new remote ratchet key, derive the receiving chain but keep
    /// sending on the old ratchet key and chain (no DH ratchet on send).
    pub never_ratchet: bool,
    /// Use an all-zero IV for every body, both ways.
    pub constant_iv: bool,
    /// Keep the session state built from a PreKeySignalMessage whose MAC
    /// fails (it becomes the current one), and refuse the message.
    pub keep_session_of_bad_prekey_message: bool,
}
