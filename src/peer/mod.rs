//! The gatekeeper side, written in this project so it can misbehave on
//! purpose: each protocol gets builders whose knobs produce input that is
//! wrong in exactly one way and otherwise valid.

pub mod adapter;
pub mod jose;
pub mod media;
pub mod noise;
pub mod signal;
pub mod stanza;
