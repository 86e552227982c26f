//! Deliberately invalid adapter traffic: requests a target cannot know,
//! bodies that are not protobuf, and length prefixes over a limit. Built
//! byte by byte, since the generated codec cannot produce them.

use prost::encoding::{encode_key, encode_varint, WireType};

/// A field number no version of the adapter protocol will assign to an
/// operation (operations live below 1000; see proto/adapter.proto).
pub const UNASSIGNED_OP_FIELD: u32 = 99_999;

/// A `Request` body carrying `id` and an operation in field `field`, which
/// the target cannot know. Its contents are an arbitrary nested message.
pub fn unknown_op_request(id: u64, field: u32) -> Vec<u8> {
    let mut body = Vec::new();
    encode_key(1, WireType::Varint, &mut body);
    encode_varint(id, &mut body);
    let inner = b"\x0a\x04test";
    encode_key(field, WireType::LengthDelimited, &mut body);
    encode_varint(inner.len() as u64, &mut body);
    body.extend_from_slice(inner);
    body
}

/// Request bodies that no protobuf decoder accepts, each broken in one way.
pub fn malformed_request_bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        // Field 1 (id) with a varint of eleven bytes.
        ("over-long varint", {
            let mut b = vec![0x08];
            b.extend_from_slice(&[0xff; 10]);
            b.push(0x01);
            b
        }),
        // Field 12 (ping), length 5, but one byte follows.
        ("length past the end", vec![0x62, 0x05, 0x01]),
        // Wire type 7 does not exist (protobuf encoding guide: 0-5).
        ("invalid wire type", vec![0x0f, 0x00]),
        // Field number 0 is reserved.
        ("field number zero", vec![0x00, 0x01]),
    ]
}

/// Only the length prefix of a frame announcing `len` bytes.
pub fn length_prefix(len: u64) -> Vec<u8> {
    let mut out = Vec::new();
    encode_varint(len, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;
    use crate::adapter::proto::Request;

    #[test]
    fn malformed_bodies_really_do_not_decode() {
        for (name, body) in malformed_request_bodies() {
            assert!(Request::decode(body.as_slice()).is_err(), "{name} decoded");
        }
    }

    #[test]
    fn unknown_op_decodes_to_no_operation() {
        let request = Request::decode(unknown_op_request(42, UNASSIGNED_OP_FIELD).as_slice())
            .expect("an unknown field is skipped, not an error");
        assert_eq!(request.id, 42);
        assert!(request.op.is_none());
    }
}
