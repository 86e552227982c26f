//! Hostile targets, for testing the runner itself (not listed in help): the
//! reference, except that on the first `Ping` of a connection it crashes,
//! hangs, closes its stdout, writes garbage, announces a 1 GiB frame or
//! drips a frame one byte at a time. The
//! runner must turn each into an `error` outcome and carry on. One more
//! declares no capability, to show the verdict does not certify nothing.

use std::io::{self, BufReader, BufWriter, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::time::Duration;

use prost::Message;

use super::reference::Reference;
use super::stdio::write_response;
use crate::adapter::frame::{self, FrameError};
use crate::adapter::proto::{request::Op, response::Reply, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HostileMode {
    /// Aborts the process.
    CrashOnPing,
    /// Stops answering (and reading) for good.
    HangOnPing,
    /// Closes stdout but keeps running.
    CloseStdoutOnPing,
    /// Writes bytes that are not a Response frame.
    GarbageOnPing,
    /// Announces a 1 GiB frame.
    HugeFrameOnPing,
    /// Announces a frame under the limit and sends its body one byte every
    /// 200 ms, so no single read ever times out.
    DripOnPing,
    /// Answers, but first starts a helper (`sleep 424242`) in a session of
    /// its own that keeps stdout open: it must not outlive the target.
    EscapeOnPing,
    /// Like `EscapeOnPing`, but the helper (`sleep 434343`) is a grandchild
    /// started through a shell that exits at once (a double fork), with an
    /// empty environment and SIGTERM, SIGHUP and SIGINT ignored: neither the
    /// process group nor the environment marker finds it.
    HideOnPing,
    /// Prints a debug line to stdout (where the frames go) before its
    /// answer, as a target that logs to the wrong stream does.
    DebugLineOnPing,
    /// Exits before answering anything.
    ExitAtStart,
    /// Answers `Hello` and `Configure`, then stops answering anything.
    HangAfterSetup,
    /// Answers every `Ping` with one byte too many, half the time (its own
    /// randomness decides): a defect only repetition can pin down.
    FlakyPing,
    /// Says [`HOSTILE_TEXT`] wherever a target's text reaches a report: its
    /// Hello's name and version, its log, and the detail of a refusal it
    /// gives every `Ping` (so that scenario fails and shows it).
    HostileText,
    /// Behaves, but its Hello declares no capability at all (a target
    /// that would be certified for nothing if the verdict trusted it).
    DeclaresNothing,
}

/// Text meant to take over a report or a terminal: a Markdown heading on a
/// new line, raw HTML, a CDATA end, a terminal escape, a bidi override and a
/// link.
pub const HOSTILE_TEXT: &str =
    "evil\n# CERTIFIED\n<img src=x onerror=alert(1)>]]>`\u{1b}[2J\u{202E}[link](http://x) | *";

pub fn serve_stdio(mode: HostileMode) -> io::Result<()> {
    if mode == HostileMode::ExitAtStart {
        eprintln!("hostile: exiting at start");
        std::process::exit(3);
    }
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    let mut target = Reference::new(None);
    let mut scratch = Vec::new();
    loop {
        let body = match frame::read_frame(&mut input, target.max_frame()) {
            Ok(body) => body,
            Err(FrameError::Eof) => return Ok(()),
            Err(err) => return Err(io::Error::other(err.to_string())),
        };
        let request = Request::decode(body.as_slice()).map_err(io::Error::other)?;
        if mode == HostileMode::HangAfterSetup
            && !matches!(request.op, Some(Op::Hello(_) | Op::Configure(_)))
        {
            eprintln!("hostile: hanging after setup");
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        let ping = matches!(request.op, Some(Op::Ping(_)));
        if ping && mode == HostileMode::HostileText {
            eprintln!("{HOSTILE_TEXT}");
            let response = crate::adapter::proto::Response {
                id: request.id,
                reply: Some(Reply::Rejected(crate::adapter::proto::Rejected {
                    category: 0,
                    detail: HOSTILE_TEXT.into(),
                })),
            };
            write_response(&mut output, &response, &mut scratch)?;
            continue;
        }
        if ping && mode == HostileMode::FlakyPing {
            let mut response = target.handle(request);
            if let Some(Reply::Ping(pong)) = &mut response.reply {
                if rand::random::<bool>() {
                    pong.payload.push(0);
                }
            }
            write_response(&mut output, &response, &mut scratch)?;
            continue;
        }
        if ping && mode == HostileMode::EscapeOnPing {
            start_escaping_helper()?;
        } else if ping && mode == HostileMode::HideOnPing {
            start_hidden_helper()?;
        } else if ping && mode != HostileMode::DeclaresNothing {
            misbehave(mode, &mut output)?;
            continue;
        }
        let mut response = target.handle(request);
        if let Some(Reply::Hello(hello)) = &mut response.reply {
            if mode == HostileMode::DeclaresNothing {
                hello.capabilities.clear();
            }
            if mode == HostileMode::HostileText {
                HOSTILE_TEXT.clone_into(&mut hello.implementation_name);
                HOSTILE_TEXT.clone_into(&mut hello.implementation_version);
            }
        }
        write_response(&mut output, &response, &mut scratch)?;
    }
}

/// Starts `sleep 424242` in a new session, leaving the target's process
/// group, with this process's stdout inherited.
fn start_escaping_helper() -> io::Result<()> {
    let mut command = std::process::Command::new("sleep");
    command.arg("424242");
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            rustix::process::setsid()
                .map(|_| ())
                .map_err(io::Error::from)
        });
    }
    let child = command.spawn()?;
    eprintln!("hostile: started helper {} in its own session", child.id());
    Ok(())
}

/// Starts `sleep 434343` as an orphan: a shell in a new session with an
/// empty environment starts it in the background and exits. It inherits
/// this process's stdout and ignores the polite signals.
fn start_hidden_helper() -> io::Result<()> {
    let mut command = std::process::Command::new("/bin/sh");
    command
        .args(["-c", "trap '' TERM HUP INT; sleep 434343 & exit 0"])
        .env_clear();
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| {
            rustix::process::setsid()
                .map(|_| ())
                .map_err(io::Error::from)
        });
    }
    let status = command.status()?;
    eprintln!("hostile: a shell started a hidden helper and ended ({status})");
    Ok(())
}

fn misbehave(mode: HostileMode, output: &mut impl Write) -> io::Result<()> {
    eprintln!("hostile: misbehaving ({mode:?})");
    match mode {
        HostileMode::CrashOnPing => std::process::abort(),
        HostileMode::HangOnPing => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        HostileMode::CloseStdoutOnPing => {
            output.flush()?;
            // SAFETY: fd 1 is this process's stdout, open since start; after
            // this nothing writes to it again (the loop only reads until the
            // runner gives up and kills the process).
            drop(unsafe { OwnedFd::from_raw_fd(1) });
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        HostileMode::GarbageOnPing => {
            // Length 5, then five bytes that are not a Response.
            output.write_all(b"\x05\xff\xff\xff\xff\xffthis is not a frame")?;
            output.flush()
        }
        HostileMode::HugeFrameOnPing => {
            // A length announcing 2^30 bytes, then a little of the "body".
            let mut frame = Vec::new();
            prost::encoding::encode_varint(1 << 30, &mut frame);
            frame.extend_from_slice(&[1, 2, 3]);
            output.write_all(&frame)?;
            output.flush()
        }
        HostileMode::DebugLineOnPing => {
            // Read as a frame, its `D` announces 68 bytes: the rest of the
            // line is what the harness gets as a Response body.
            output.write_all(
                b"DEBUG: got a Ping request; echoing its payload back to the harness now\n",
            )?;
            output.flush()
        }
        HostileMode::DripOnPing => {
            // 1 MiB announced, then one byte at a time.
            let mut length = Vec::new();
            prost::encoding::encode_varint(1 << 20, &mut length);
            output.write_all(&length)?;
            output.flush()?;
            loop {
                std::thread::sleep(Duration::from_millis(200));
                output.write_all(&[0])?;
                output.flush()?;
            }
        }
        HostileMode::ExitAtStart
        | HostileMode::DeclaresNothing
        | HostileMode::EscapeOnPing
        | HostileMode::HideOnPing
        | HostileMode::HostileText
        | HostileMode::HangAfterSetup
        | HostileMode::FlakyPing => Ok(()),
    }
}
