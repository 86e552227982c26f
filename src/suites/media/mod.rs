//! The media suite (`suites/media.toml`, docs/media.md): attachments as the
//! provider's client encrypts and decrypts them, judged against the
//! gatekeeper's clients' format (src/peer/media), and the provider's media
//! server, fetched over real HTTP on 127.0.0.1 by the harness in the
//! gatekeeper's proxy role.
//!
//! * `drive`: the calls and judgements every scenario shares.
//! * `client`: encrypting and decrypting.
//! * `refusals`: attachments wrong in one way.
//! * `server`: the server's address, uploads, GET and HEAD.
//! * `ranges`: `Range` and decryption from mid-file.
//! * `downloads`: downloads from the harness's misbehaving server.
//! * `expiry`: how long a URL is served.
//! * `end_to_end`: media messages in Signal-encrypted stanzas, both ways.
//! * `access`: authorization, unguessable URLs, nothing in clear, the
//!   upload bound.
//! * `limits`: a type's own size limit and the types a profile leaves out.
//! * `written`: what a download leaves behind (capability MEDIA_WRITES).
//! * `opening`: how a client opens an attachment whose mimetype lies
//!   (capability MEDIA_OPENS).

mod access;
mod client;
mod downloads;
mod drive;
mod end_to_end;
mod expiry;
mod limits;
mod opening;
mod ranges;
mod refusals;
mod server;
mod written;

use crate::peer::media::MediaType;
use crate::scenario::Registry;

/// Every media scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    use MediaType::*;
    scenarios
        .family(
            client::encrypt_decrypts_at_gatekeeper,
            [
                ("media/encrypt-image-decrypts-at-gatekeeper", Image),
                ("media/encrypt-video-decrypts-at-gatekeeper", Video),
                ("media/encrypt-audio-decrypts-at-gatekeeper", Audio),
                ("media/encrypt-voice-note-decrypts-at-gatekeeper", VoiceNote),
                ("media/encrypt-document-decrypts-at-gatekeeper", Document),
                ("media/encrypt-sticker-decrypts-at-gatekeeper", Sticker),
            ],
        )
        .add(
            "media/encrypt-aligned-gets-a-padding-block",
            client::aligned_gets_a_padding_block,
        )
        .add(
            "media/encrypt-fresh-media-key-each-time",
            client::fresh_media_key_each_time,
        )
        .add(
            "media/encrypt-random-attachments",
            client::random_attachments,
        )
        .add(
            "media/encrypt-sidecar-verifies-when-sent",
            client::sidecar_verifies_when_sent,
        )
        .add("media/encrypt-at-limit-accepted", client::at_limit_accepted)
        .add(
            "media/encrypt-over-limit-refused",
            client::over_limit_refused,
        )
        .add("media/send-type-limits", limits::type_limits_on_send)
        .family(
            client::decrypts_every_size,
            [
                ("media/decrypt-image", Image),
                ("media/decrypt-video", Video),
                ("media/decrypt-audio", Audio),
                ("media/decrypt-voice-note", VoiceNote),
                ("media/decrypt-document", Document),
                ("media/decrypt-sticker", Sticker),
            ],
        )
        .add("media/decrypt-with-sidecar", client::decrypts_with_sidecar)
        .add(
            "media/refuse-other-type-info-string",
            refusals::other_type_info_string,
        )
        .add(
            "media/refuse-key-split-off-by-one-block",
            refusals::key_split_off_by_one_block,
        )
        .add(
            "media/refuse-mac-over-ciphertext-only",
            refusals::mac_over_ciphertext_only,
        )
        .add(
            "media/refuse-mac-of-other-lengths",
            refusals::mac_of_other_lengths,
        )
        .add("media/refuse-mac-bit-flips", refusals::mac_bit_flips)
        .add(
            "media/refuse-ciphertext-bit-flips",
            refusals::ciphertext_bit_flips,
        )
        .add("media/refuse-stale-enc-hash", refusals::stale_enc_hash)
        .add("media/refuse-truncated-blobs", refusals::truncated_blobs)
        .add("media/refuse-extended-blobs", refusals::extended_blobs)
        .add(
            "media/refuse-blobs-no-longer-than-mac",
            refusals::blobs_no_longer_than_mac,
        )
        .add(
            "media/refuse-enc-hash-without-trailer",
            refusals::enc_hash_without_trailer,
        )
        .add(
            "media/refuse-enc-hash-missing-or-wrong-length",
            refusals::enc_hash_missing_or_wrong_length,
        )
        .add(
            "media/refuse-ragged-ciphertext-under-valid-mac",
            refusals::ragged_ciphertext_under_valid_mac,
        )
        .add(
            "media/refuse-bad-padding-under-valid-mac",
            refusals::bad_padding_under_valid_mac,
        )
        .add(
            "media/refuse-aligned-without-padding-block",
            refusals::aligned_without_padding_block,
        )
        .add(
            "media/refuse-wrong-file-sha256",
            refusals::wrong_file_sha256,
        )
        .add(
            "media/file-length-never-cuts-or-pads",
            refusals::file_length_never_cuts_or_pads,
        )
        .add(
            "media/refuse-malformed-requests",
            refusals::malformed_requests,
        )
        .add(
            "media/refuse-random-blob-mutations",
            refusals::random_blob_mutations,
        )
        .add("media/server-on-loopback", server::on_loopback)
        .add(
            "media/upload-url-under-server",
            server::upload_url_under_server,
        )
        .add(
            "media/server-get-serves-the-blob",
            server::get_serves_the_blob,
        )
        .add("media/server-head-like-get", server::head_like_get)
        .add("media/server-range-block-aligned", ranges::block_aligned)
        .add("media/server-range-unaligned", ranges::unaligned)
        .add("media/server-range-open-ended", ranges::open_ended)
        .add("media/server-range-suffix", ranges::suffix)
        .add(
            "media/server-range-past-end-clipped",
            ranges::past_end_clipped,
        )
        .add("media/server-range-unsatisfiable", ranges::unsatisfiable)
        .add("media/server-mid-file-decrypt", ranges::mid_file_decrypt)
        .add(
            "media/server-no-authorization-refused",
            access::no_authorization_refused,
        )
        .add(
            "media/server-wrong-authorization-refused",
            access::wrong_authorization_refused,
        )
        .add(
            "media/server-altered-urls-refused",
            access::altered_urls_refused,
        )
        .add("media/server-urls-unguessable", access::urls_unguessable)
        .add("media/server-url-expires", expiry::url_expires)
        .add(
            "media/server-stores-nothing-in-clear",
            access::stores_nothing_in_clear,
        )
        .add(
            "media/server-answers-show-nothing-in-clear",
            access::answers_show_nothing_in_clear,
        )
        .add(
            "media/upload-over-limit-refused",
            access::upload_over_limit_refused,
        )
        .add("media/download-served-blobs", downloads::served_blobs)
        .add(
            "media/download-other-framings-accepted",
            downloads::other_framings_accepted,
        )
        .add(
            "media/download-unverified-blobs-refused",
            downloads::unverified_blobs_refused,
        )
        .add(
            "media/download-truncated-refused",
            downloads::truncated_refused,
        )
        .add(
            "media/download-error-statuses-refused",
            downloads::error_statuses_refused,
        )
        .add(
            "media/download-oversized-answer-not-read",
            downloads::oversized_answer_not_read,
        )
        .add("media/download-drip-abandoned", downloads::drip_abandoned)
        .add(
            "media/download-type-limits",
            limits::type_limits_on_download,
        )
        .add(
            "media/download-refused-leaves-nothing",
            written::refused_downloads_leave_nothing,
        )
        .add(
            "media/download-lying-mimetype-not-opened",
            opening::lying_mimetypes_not_opened,
        )
        .add(
            "media/end-to-end-gatekeeper-to-provider",
            end_to_end::gatekeeper_to_provider,
        )
        .add(
            "media/end-to-end-tampered-attachment-refused",
            end_to_end::gatekeeper_tampered_attachment_refused,
        )
        .add(
            "media/end-to-end-provider-to-gatekeeper",
            end_to_end::provider_to_gatekeeper,
        );
}
