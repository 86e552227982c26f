//! Ending every process a spawned target started, whatever it does. The
//! target leads its own process group, which catches ordinary helpers. A
//! helper that leaves the group (`setsid`, a double fork) is found by the
//! marker every spawned target gets in its environment, which children
//! inherit, and is killed too. A helper that also clears its environment is
//! caught when the harness has made itself a child subreaper
//! ([`adopt_orphans`], which the command line does): every orphan of a
//! target is then re-parented to the harness instead of init, and whenever
//! no target of this process is running, every child left is an orphan of
//! one and is killed and reaped. A cgroup would attribute each process to its
//! instance at once, but needs a delegated hierarchy the harness does not
//! assume.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rustix::process::{kill_process, waitpid, Pid, Signal, WaitOptions};

/// The environment variable that marks a target's processes.
pub const MARKER_VAR: &str = "INTERSPEC_TARGET_INSTANCE";
/// The most of one process's environment read when looking for the marker.
const MAX_ENVIRON: u64 = 1024 * 1024;
/// The most of one `/proc/PID/stat` read when looking for our children.
const MAX_STAT: u64 = 4096;
/// Sweeps after the group is killed: a process may fork while we look.
const SWEEPS: usize = 5;
/// How long one killed orphan is waited for before the next sweep.
const REAP_WAIT: Duration = Duration::from_millis(500);

/// Whether this process is a child subreaper (see [`adopt_orphans`]).
static ADOPTING: AtomicBool = AtomicBool::new(false);
/// How many spawned targets of this process are running. Held while a
/// target is spawned and while orphans are swept, so a sweep never takes a
/// target being started for an orphan.
static RUNNING: Mutex<usize> = Mutex::new(0);

/// Makes this process the child subreaper of everything it spawns, so a
/// target's orphans come back to it and are ended with the target
/// (`PR_SET_CHILD_SUBREAPER`, prctl(2), Linux 3.4+). Only for a process whose
/// every child is a target spawned through [`crate::adapter::link::Link`]:
/// the sweep takes any other child for an orphan.
pub fn adopt_orphans() -> std::io::Result<()> {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))?;
    ADOPTING.store(true, Ordering::SeqCst);
    Ok(())
}

/// One running target, counted from before its spawn until it has ended.
/// Dropping the last one sweeps the orphans (when adopting them).
pub struct RunningTarget(());

impl RunningTarget {
    /// Counts a target about to be spawned; the guard keeps sweeps out until
    /// the spawn has returned.
    pub fn starting() -> (RunningTarget, MutexGuard<'static, usize>) {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        *running += 1;
        (RunningTarget(()), running)
    }
}

impl Drop for RunningTarget {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        *running = running.saturating_sub(1);
        if *running == 0 && ADOPTING.load(Ordering::SeqCst) {
            kill_orphans();
        }
    }
}

/// Kills and reaps every child of this process, sweeping until none is left
/// (at most a few times: a dying orphan's own children come back to us).
/// Called only with no target running, when every child is an orphan.
fn kill_orphans() {
    for _ in 0..SWEEPS {
        let children = own_children();
        if children.is_empty() {
            break;
        }
        for pid in children {
            let _ = kill_process(pid, Signal::KILL);
            reap(pid);
        }
    }
}

/// Waits (briefly) for a killed child, so it leaves no zombie and its own
/// children have been re-parented before the next sweep.
fn reap(pid: Pid) {
    let until = Instant::now() + REAP_WAIT;
    while Instant::now() < until {
        match waitpid(Some(pid), WaitOptions::NOHANG) {
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            _ => return,
        }
    }
}

/// This process's children, from each process's parent in `/proc/PID/stat`.
fn own_children() -> Vec<Pid> {
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| parent_of(*pid) == Some(own))
        .filter_map(|pid| Pid::from_raw(i32::try_from(pid).ok()?))
        .collect()
}

/// The parent of `pid`: the second field after the command name, which is
/// in parentheses and may itself hold spaces and parentheses (proc(5)).
fn parent_of(pid: u32) -> Option<u32> {
    let path = format!("/proc/{pid}/stat");
    let stat = crate::bounded::read(std::path::Path::new(&path), MAX_STAT).ok()?;
    let after_name = stat.iter().rposition(|b| *b == b')')? + 1;
    let rest = std::str::from_utf8(&stat[after_name..]).ok()?;
    rest.split_ascii_whitespace().nth(1)?.parse().ok()
}

/// A marker value unique to one target instance of this run.
pub fn new_marker() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Kills every process whose environment carries `marker`, sweeping until
/// none is left (at most a few times). Returns how many were killed.
pub fn kill_marked(marker: &str) -> usize {
    let needle = format!("{MARKER_VAR}={marker}\0").into_bytes();
    let own = std::process::id();
    let mut killed = 0;
    for _ in 0..SWEEPS {
        let found: Vec<u32> = marked_processes(&needle)
            .into_iter()
            .filter(|pid| *pid != own)
            .collect();
        if found.is_empty() {
            break;
        }
        for pid in found {
            let Ok(raw) = i32::try_from(pid) else {
                continue;
            };
            if let Some(pid) = Pid::from_raw(raw) {
                if kill_process(pid, Signal::KILL).is_ok() {
                    killed += 1;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    killed
}

/// Processes (readable by us) whose environment holds `needle`.
fn marked_processes(needle: &[u8]) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let path = format!("/proc/{pid}/environ");
            crate::bounded::read(std::path::Path::new(&path), MAX_ENVIRON)
                .is_ok_and(|environ| environ.windows(needle.len()).any(|w| w == needle))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parent read from `/proc/PID/stat` is the real one.
    #[test]
    fn parent_of_reads_the_parent_field() {
        assert_eq!(
            parent_of(std::process::id()),
            Some(std::os::unix::process::parent_id())
        );
    }
}
