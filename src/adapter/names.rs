//! Human-readable names of operations and replies, for transcripts and
//! messages.

use super::proto::{request::Op, response::Reply, ErrorCategory};

pub fn op_name(op: Option<&Op>) -> &'static str {
    match op {
        None => "(no operation)",
        Some(Op::Hello(_)) => "Hello",
        Some(Op::Reset(_)) => "Reset",
        Some(Op::Ping(_)) => "Ping",
        Some(Op::Remember(_)) => "Remember",
        Some(Op::Recall(_)) => "Recall",
        Some(Op::Configure(_)) => "Configure",
        Some(Op::HsStart(_)) => "HsStart",
        Some(Op::HsWrite(_)) => "HsWrite",
        Some(Op::HsRead(_)) => "HsRead",
        Some(Op::HsStatus(_)) => "HsStatus",
        Some(Op::HsSeal(_)) => "HsSeal",
        Some(Op::HsOpen(_)) => "HsOpen",
        Some(Op::HsRekey(_)) => "HsRekey",
        Some(Op::HsFeed(_)) => "HsFeed",
        Some(Op::HsSetNonce(_)) => "HsSetNonce",
        Some(Op::E2eeCreateDevice(_)) => "E2eeCreateDevice",
        Some(Op::E2eeGetBundle(_)) => "E2eeGetBundle",
        Some(Op::E2eeProcessBundle(_)) => "E2eeProcessBundle",
        Some(Op::E2eeEncrypt(_)) => "E2eeEncrypt",
        Some(Op::E2eeDecrypt(_)) => "E2eeDecrypt",
        Some(Op::E2eeSafetyNumber(_)) => "E2eeSafetyNumber",
        Some(Op::E2eeApproveIdentity(_)) => "E2eeApproveIdentity",
        Some(Op::E2eeDeleteSession(_)) => "E2eeDeleteSession",
        Some(Op::E2eeCloneDevice(_)) => "E2eeCloneDevice",
        Some(Op::E2eeDescribe(_)) => "E2eeDescribe",
        Some(Op::StanzaParse(_)) => "StanzaParse",
        Some(Op::StanzaSerialize(_)) => "StanzaSerialize",
        Some(Op::StanzaPayloadDecode(_)) => "StanzaPayloadDecode",
        Some(Op::StanzaPayloadEncode(_)) => "StanzaPayloadEncode",
        Some(Op::EnProviderInfo(_)) => "EnProviderInfo",
        Some(Op::EnConfigure(_)) => "EnConfigure",
        Some(Op::EnSignIn(_)) => "EnSignIn",
        Some(Op::EnIssueProof(_)) => "EnIssueProof",
        Some(Op::EnRotateKeys(_)) => "EnRotateKeys",
        Some(Op::EnDeliveries(_)) => "EnDeliveries",
        Some(Op::EnAdvanceClock(_)) => "EnAdvanceClock",
        Some(Op::MediaEncrypt(_)) => "MediaEncrypt",
        Some(Op::MediaDecrypt(_)) => "MediaDecrypt",
    }
}

pub fn reply_name(reply: Option<&Reply>) -> String {
    match reply {
        None => "(no reply)".into(),
        Some(Reply::Rejected(r)) => format!("Rejected({})", category_name(r.category)),
        Some(Reply::Unsupported(_)) => "Unsupported".into(),
        Some(Reply::InternalError(_)) => "InternalError".into(),
        Some(Reply::Hello(_)) => "HelloResult".into(),
        Some(Reply::Reset(_)) => "ResetResult".into(),
        Some(Reply::Ping(_)) => "PingResult".into(),
        Some(Reply::Remember(_)) => "RememberResult".into(),
        Some(Reply::Recall(_)) => "RecallResult".into(),
        Some(Reply::Configure(_)) => "ConfigureResult".into(),
        Some(Reply::HsStart(_)) => "HsStartResult".into(),
        Some(Reply::HsWrite(_)) => "HsWriteResult".into(),
        Some(Reply::HsRead(_)) => "HsReadResult".into(),
        Some(Reply::HsStatus(_)) => "HsStatusResult".into(),
        Some(Reply::HsSeal(_)) => "HsSealResult".into(),
        Some(Reply::HsOpen(_)) => "HsOpenResult".into(),
        Some(Reply::HsRekey(_)) => "HsRekeyResult".into(),
        Some(Reply::HsFeed(_)) => "HsFeedResult".into(),
        Some(Reply::HsSetNonce(_)) => "HsSetNonceResult".into(),
        Some(Reply::E2eeCreateDevice(_)) => "E2eeCreateDeviceResult".into(),
        Some(Reply::E2eeGetBundle(_)) => "E2eeGetBundleResult".into(),
        Some(Reply::E2eeProcessBundle(_)) => "E2eeProcessBundleResult".into(),
        Some(Reply::E2eeEncrypt(_)) => "E2eeEncryptResult".into(),
        Some(Reply::E2eeDecrypt(_)) => "E2eeDecryptResult".into(),
        Some(Reply::E2eeSafetyNumber(_)) => "E2eeSafetyNumberResult".into(),
        Some(Reply::E2eeApproveIdentity(_)) => "E2eeApproveIdentityResult".into(),
        Some(Reply::E2eeDeleteSession(_)) => "E2eeDeleteSessionResult".into(),
        Some(Reply::E2eeCloneDevice(_)) => "E2eeCloneDeviceResult".into(),
        Some(Reply::E2eeDescribe(_)) => "E2eeDescribeResult".into(),
        Some(Reply::StanzaParse(_)) => "StanzaParseResult".into(),
        Some(Reply::StanzaSerialize(_)) => "StanzaSerializeResult".into(),
        Some(Reply::StanzaPayloadDecode(_)) => "StanzaPayloadDecodeResult".into(),
        Some(Reply::StanzaPayloadEncode(_)) => "StanzaPayloadEncodeResult".into(),
        Some(Reply::EnProviderInfo(_)) => "EnProviderInfoResult".into(),
        Some(Reply::EnConfigure(_)) => "EnConfigureResult".into(),
        Some(Reply::EnSignIn(_)) => "EnSignInResult".into(),
        Some(Reply::EnIssueProof(_)) => "EnIssueProofResult".into(),
        Some(Reply::EnRotateKeys(_)) => "EnRotateKeysResult".into(),
        Some(Reply::EnDeliveries(_)) => "EnDeliveriesResult".into(),
        Some(Reply::EnAdvanceClock(_)) => "EnAdvanceClockResult".into(),
        Some(Reply::MediaEncrypt(_)) => "MediaEncryptResult".into(),
        Some(Reply::MediaDecrypt(_)) => "MediaDecryptResult".into(),
    }
}

/// The proto name of a category number, or the number when it is unknown.
pub fn category_name(category: i32) -> String {
    match ErrorCategory::try_from(category) {
        Ok(known) => known.as_str_name().to_string(),
        Err(_) => format!("unknown category {category}"),
    }
}
