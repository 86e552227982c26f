//! The byte stream between the runner and one target instance: the
//! stdin/stdout of a spawned process, or a TCP connection to an adapter that
//! is already running.
//!
//! A spawned target's stdin and stdout are each one end of a Unix socket pair
//! rather than a pipe: to the target they read and write like any pipe, and
//! they give the runner kernel-enforced read and write timeouts without a
//! helper thread per direction. The target's stderr is a pipe drained into a
//! bounded [`LogBuffer`].

use std::collections::VecDeque;
use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::containment;

/// The most target log kept in memory per connection.
const LOG_CAPACITY: usize = 256 * 1024;

/// Opens connections to fresh instances of one target. The runner is
/// given one and restarts a broken target through it, without knowing
/// whether it is a built-in target, a command or a TCP adapter.
pub trait TargetSource: std::fmt::Debug + Send + Sync {
    /// Starts (or connects to) a new instance.
    fn open(&self, connect_timeout: Duration) -> Result<Link, String>;
    /// The target as the user named it (`--target`), for messages and the
    /// reproduce command.
    fn name(&self) -> String;
}

/// One direction-agnostic stream.
#[derive(Debug)]
enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(timeout),
            Stream::Tcp(s) => s.set_read_timeout(timeout),
        }
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_write_timeout(timeout),
            Stream::Tcp(s) => s.set_write_timeout(timeout),
        }
    }
}

/// How far past its deadline one system call may run before it is re-armed
/// with the time actually left: re-arming costs a system call, and a call
/// answered within this slack never needs one.
const REARM_SLACK: Duration = Duration::from_millis(10);

/// A stream whose reads and writes end at a wall-clock deadline. The socket
/// timeout bounds one system call, so a target that sends one byte at a
/// time could otherwise extend the wait forever; every call here gets at
/// most the time left.
#[derive(Debug)]
struct Timed {
    stream: Stream,
    deadline: Option<Instant>,
    /// When the socket timeout in force would end a call started now.
    read_armed: Option<Duration>,
    write_armed: Option<Duration>,
}

impl Timed {
    fn new(stream: Stream) -> Timed {
        Timed {
            stream,
            deadline: None,
            read_armed: None,
            write_armed: None,
        }
    }

    /// The time left, or `TimedOut` once the deadline has passed.
    fn time_left(&self) -> io::Result<Option<Duration>> {
        let Some(deadline) = self.deadline else {
            return Ok(None);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the deadline passed",
            ));
        }
        Ok(Some(left))
    }

    /// The socket timeout to set before a call, if the one in force could
    /// run more than the slack past the deadline (or none is set).
    fn rearm(armed: Option<Duration>, left: Option<Duration>) -> Option<Option<Duration>> {
        match (armed, left) {
            (_, None) => None,
            (Some(armed), Some(left)) if armed <= left + REARM_SLACK => None,
            // Zero means "no timeout" to the socket API; never ask for it.
            (_, Some(left)) => Some(Some(left.max(Duration::from_millis(1)))),
        }
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.time_left()?;
        if let Some(timeout) = Timed::rearm(self.read_armed, left) {
            self.stream.set_read_timeout(timeout)?;
            self.read_armed = timeout;
        }
        self.stream.read(buf)
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.time_left()?;
        if let Some(timeout) = Timed::rearm(self.write_armed, left) {
            self.stream.set_write_timeout(timeout)?;
            self.write_armed = timeout;
        }
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.flush(),
            Stream::Tcp(s) => s.flush(),
        }
    }
}

/// A connection to one target instance.
pub struct Link {
    reader: BufReader<Timed>,
    writer: Timed,
    process: Option<TargetProcess>,
    log: Option<Arc<LogBuffer>>,
}

impl Link {
    /// Spawns `command` with its stdin/stdout connected to this link.
    pub fn spawn(mut command: Command) -> io::Result<Link> {
        let (ours_in, theirs_in) = UnixStream::pair()?;
        let (ours_out, theirs_out) = UnixStream::pair()?;
        let marker = containment::new_marker();
        command
            .env(containment::MARKER_VAR, &marker)
            .stdin(Stdio::from(OwnedFd::from(theirs_in)))
            .stdout(Stdio::from(OwnedFd::from(theirs_out)))
            .stderr(Stdio::piped())
            // Its own process group: a Ctrl-C at the terminal reaches the
            // runner, which then stops the target itself.
            .process_group(0);
        let (running, spawning) = containment::RunningTarget::starting();
        let spawned = command.spawn();
        drop(spawning);
        let mut child = spawned?;
        let log = Arc::new(LogBuffer::default());
        if let Some(stderr) = child.stderr.take() {
            let sink = Arc::clone(&log);
            thread::Builder::new()
                .name("target-stderr".into())
                .spawn(move || sink.drain(stderr))?;
        }
        Ok(Link {
            reader: BufReader::with_capacity(64 * 1024, Timed::new(Stream::Unix(ours_out))),
            writer: Timed::new(Stream::Unix(ours_in)),
            process: Some(TargetProcess {
                child,
                marker,
                _running: running,
            }),
            log: Some(log),
        })
    }

    /// Connects to an adapter listening on `addr` (`HOST:PORT`).
    pub fn connect(addr: &str, timeout: Duration) -> io::Result<Link> {
        let mut last_err = io::Error::new(io::ErrorKind::NotFound, "address resolved to nothing");
        for sock in addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&sock, timeout) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    let reader = stream.try_clone()?;
                    return Ok(Link {
                        reader: BufReader::with_capacity(
                            64 * 1024,
                            Timed::new(Stream::Tcp(reader)),
                        ),
                        writer: Timed::new(Stream::Tcp(stream)),
                        process: None,
                        log: None,
                    });
                }
                Err(err) => last_err = err,
            }
        }
        Err(last_err)
    }

    /// The reading half, with buffering.
    pub fn reader(&mut self) -> &mut BufReader<impl Read> {
        &mut self.reader
    }

    /// Writes all of `bytes` before the deadline.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)
    }

    /// Every later read and write ends (`TimedOut`) once `timeout` from now
    /// has passed, however the bytes arrive.
    pub fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        self.reader.get_mut().deadline = Some(deadline);
        self.writer.deadline = Some(deadline);
        Ok(())
    }

    /// The target log, when the target is a process of ours.
    pub fn log(&self) -> Option<&LogBuffer> {
        self.log.as_deref()
    }

    /// How the target process ended, waiting at most `grace` for it.
    pub fn exit_status(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.process.as_mut()?.wait_for(grace)
    }

    pub fn is_process(&self) -> bool {
        self.process.is_some()
    }
}

/// A spawned target, killed when dropped.
struct TargetProcess {
    child: Child,
    /// The containment marker in its environment (and its children's).
    marker: String,
    /// Counts it as running until it has been ended (a field, so it is
    /// dropped after `drop` has killed and waited for the process).
    _running: containment::RunningTarget,
}

impl TargetProcess {
    fn wait_for(&mut self, grace: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + grace;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(5)),
                _ => return None,
            }
        }
    }
}

impl Drop for TargetProcess {
    fn drop(&mut self) {
        // The target leads its own process group (see `spawn`): kill the
        // whole group, so helpers it started do not outlive it.
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Helpers that left the group still carry the marker.
        containment::kill_marked(&self.marker);
    }
}

/// Describes how a process ended, for evidence.
pub fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => "ended".to_string(),
    }
}

/// The last [`LOG_CAPACITY`] bytes a target wrote to stderr, with a running
/// total so a scenario can take just what was written during it.
#[derive(Default)]
pub struct LogBuffer {
    state: Mutex<LogState>,
}

#[derive(Default)]
struct LogState {
    bytes: VecDeque<u8>,
    total: u64,
    /// The target closed its stderr (it exited, usually).
    drained: bool,
}

impl LogBuffer {
    fn drain(&self, mut source: impl Read) {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = source.read(&mut chunk) {
            if n == 0 {
                break;
            }
            self.append(&chunk[..n]);
        }
        if let Ok(mut state) = self.state.lock() {
            state.drained = true;
        }
    }

    /// Waits (at most `timeout`) until the target's stderr has been read to
    /// its end, so the last lines of a target that died are not lost.
    pub fn wait_drained(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.state.lock().map(|s| s.drained).unwrap_or(true) {
                return;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn append(&self, data: &[u8]) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.total += data.len() as u64;
        state.bytes.extend(data);
        let excess = state.bytes.len().saturating_sub(LOG_CAPACITY);
        state.bytes.drain(..excess);
    }

    /// A position to later ask "what was written since".
    pub fn mark(&self) -> u64 {
        self.state.lock().map(|s| s.total).unwrap_or(0)
    }

    /// Text written since `mark`, at most `limit` bytes (the newest kept).
    pub fn since(&self, mark: u64, limit: usize) -> String {
        let Ok(state) = self.state.lock() else {
            return String::new();
        };
        let written = state.total.saturating_sub(mark);
        let available = (written as usize).min(state.bytes.len());
        let shown = available.min(limit);
        let start = state.bytes.len() - shown;
        let text: Vec<u8> = state.bytes.range(start..).copied().collect();
        let mut out = String::new();
        if (written as usize) > shown {
            out.push_str(&format!(
                "[… {} earlier bytes not kept]\n",
                written as usize - shown
            ));
        }
        out.push_str(&String::from_utf8_lossy(&text));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_buffer_keeps_what_came_after_the_mark() {
        let log = LogBuffer::default();
        log.append(b"before\n");
        let mark = log.mark();
        log.append(b"during\n");
        assert_eq!(log.since(mark, 1024), "during\n");
        assert_eq!(log.since(mark, 3), "[… 4 earlier bytes not kept]\nng\n");
    }
}
