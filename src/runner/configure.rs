//! Telling the target its profile: every value it is judged against goes to
//! it in one `Configure` request right after `Hello` (docs/adapter.md
//! §Configure).

use crate::adapter::client::{AdapterClient, Reply};
use crate::adapter::proto::{
    request::Op, response, AdapterLimits, Configure, E2eeLimits, EnlistmentProfile,
    HandshakeProfile, HelloResult, MediaProfile, MediaTypeLimit, StanzaLimits,
};
use crate::catalog::profile::Profile;

/// Whether the target was told the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// It answered `ConfigureResult`: it honours every value.
    Told,
    /// It answered `Unsupported` (adapter protocol 1.0) and lists the
    /// profile's name in its Hello, so it is driven with the values it
    /// has built in.
    NotTold(String),
}

/// The `Configure` request for `profile`.
pub fn configure_request(profile: &Profile) -> Configure {
    let h = &profile.handshake;
    let e = &profile.e2ee;
    let s = &profile.stanza;
    let n = &profile.enlistment;
    Configure {
        profile: profile.name.clone(),
        adapter: Some(AdapterLimits {
            max_frame_size: profile.adapter.max_frame_size,
        }),
        handshake: Some(HandshakeProfile {
            prologue: h.prologue_bytes(),
            connection_header: h.connection_header_bytes(),
            length_prefix_bytes: h.length_prefix_bytes,
            max_frame: h.max_frame,
            wrap_handshake_messages: h.wrap_handshake_messages,
            skip_empty_payload_mixhash: h.skip_empty_payload_mixhash,
        }),
        e2ee: Some(E2eeLimits {
            max_forward_jump: e.max_forward_jump,
            max_skipped_keys: e.max_skipped_keys,
            max_body_len: e.max_body_len,
            min_skipped_keys: e.min_skipped_keys.unwrap_or(0),
        }),
        stanza: Some(StanzaLimits {
            max_stanza_bytes: s.max_stanza_bytes,
            max_depth: s.max_depth,
            max_attributes: s.max_attributes,
            max_attribute_bytes: s.max_attribute_bytes,
            max_children: s.max_children,
            max_payload_bytes: s.max_payload_bytes,
            max_payload_depth: s.max_payload_depth,
        }),
        enlistment: Some(EnlistmentProfile {
            proof_audience: n.proof_audience.clone(),
            gatekeeper_issuer: n.gatekeeper_issuer.clone(),
            max_proof_lifetime_seconds: n.max_proof_lifetime_seconds,
            max_call_token_lifetime_seconds: n.max_call_token_lifetime_seconds,
            clock_skew_seconds: n.clock_skew_seconds,
            max_token_bytes: n.max_token_bytes,
        }),
        media: Some(MediaProfile {
            max_attachment_bytes: profile.media.max_attachment_bytes,
            sidecar_stream_includes_iv: profile.media.sidecar_stream == "iv+ciphertext",
            sidecar_stream_includes_mac: profile.media.sidecar_mac_trailer,
            download_timeout_seconds: profile.media.download_timeout_seconds,
            url_lifetime_seconds: profile.media.url_lifetime_seconds,
            allowed_types: profile.media.allowed_types.clone(),
            type_limits: profile
                .media
                .type_max_bytes
                .iter()
                .map(|(t, max)| MediaTypeLimit {
                    media_type: t.clone(),
                    max_bytes: *max,
                })
                .collect(),
        }),
    }
}

/// Sends `Configure` on a fresh connection. An error names why the target
/// cannot be judged under `profile`.
pub fn deliver(
    client: &mut AdapterClient,
    hello: &HelloResult,
    profile: &Profile,
) -> Result<Delivery, String> {
    let reply = client
        .call(Op::Configure(configure_request(profile)))
        .map_err(|e| format!("Configure failed: {e}"))?;
    match reply {
        Reply::Result(response::Reply::Configure(_)) => Ok(Delivery::Told),
        Reply::Unsupported(_) if hello.profiles.iter().any(|p| p == &profile.name) => {
            Ok(Delivery::NotTold(format!(
                "the target answered Configure Unsupported (adapter protocol {}.{}); it lists profile {:?} and is driven with the values it has built in",
                hello.protocol_major, hello.protocol_minor, profile.name
            )))
        }
        Reply::Unsupported(_) => Err(format!(
            "the target answered Configure Unsupported (adapter protocol {}.{}) and does not list profile {:?} (it lists: {}), so it cannot be told the profile's values",
            hello.protocol_major,
            hello.protocol_minor,
            profile.name,
            hello.profiles.join(", ")
        )),
        Reply::Rejected { category, detail } => Err(format!(
            "the target refused profile {:?} ({}): {detail}",
            profile.name,
            crate::adapter::names::category_name(category)
        )),
        other => Err(format!(
            "Configure was answered {}, expected ConfigureResult",
            other.describe()
        )),
    }
}
