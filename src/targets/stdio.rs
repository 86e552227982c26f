//! The serving loop every built-in target shares: read a frame, decode a
//! `Request`, answer it, until the input ends.

use std::io::{self, BufRead, BufReader, BufWriter, Write};

use prost::Message;

use crate::adapter::frame::{self, FrameError};
use crate::adapter::proto::{response::Reply, ErrorCategory, Rejected, Request, Response};

/// A target that answers adapter requests.
pub trait AdapterTarget {
    fn handle(&mut self, request: Request) -> Response;
    /// The largest frame this target reads.
    fn max_frame(&self) -> usize;
    /// Called when a frame's body is not a `Request`, before the refusal.
    fn on_undecodable_request(&mut self) {}
}

/// Serves the adapter protocol on this process's stdin and stdout.
pub fn serve_stdio(target: &mut impl AdapterTarget) -> io::Result<()> {
    let input = BufReader::with_capacity(64 * 1024, io::stdin().lock());
    let output = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    serve(input, output, target)
}

/// Serves requests from `input` until it ends.
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    target: &mut impl AdapterTarget,
) -> io::Result<()> {
    let mut encoded = Vec::with_capacity(1024);
    loop {
        let response = match frame::read_frame(&mut input, target.max_frame()) {
            Ok(body) => match Request::decode(body.as_slice()) {
                Ok(request) => target.handle(request),
                Err(err) => {
                    target.on_undecodable_request();
                    refusal(
                        ErrorCategory::MalformedInput,
                        format!("not a Request: {err}"),
                    )
                }
            },
            Err(FrameError::Eof) => return Ok(()),
            Err(FrameError::TooLarge { announced, max }) => {
                // The body cannot be skipped without reading it: refuse and
                // end the connection.
                let refusal = refusal(
                    ErrorCategory::LimitExceeded,
                    format!("frame of {announced} bytes exceeds the limit of {max}"),
                );
                write_response(&mut output, &refusal, &mut encoded)?;
                return Ok(());
            }
            Err(err) => {
                eprintln!("target: {err}; closing");
                return Ok(());
            }
        };
        write_response(&mut output, &response, &mut encoded)?;
    }
}

fn refusal(category: ErrorCategory, detail: String) -> Response {
    Response {
        id: 0,
        reply: Some(Reply::Rejected(Rejected {
            category: category as i32,
            detail,
        })),
    }
}

pub fn write_response(
    output: &mut impl Write,
    response: &Response,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    scratch.clear();
    // Encoding into a Vec only grows it; it cannot fail.
    let _ = response.encode_length_delimited(scratch);
    output.write_all(scratch)?;
    output.flush()
}
