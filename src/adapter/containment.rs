//! Ending every process a spawned target started, whatever it does. The
//! target leads its own process group, which catches ordinary helpers; a
//! helper that leaves the group (`setsid`, a double fork) is found by the
//! marker every spawned target gets in its environment, which children
//! inherit, and is killed too. A process that also clears its environment
//! escapes this (a cgroup would not let it; it needs privileges the harness
//! does not assume).

use std::sync::atomic::{AtomicU64, Ordering};

use rustix::process::{kill_process, Pid, Signal};

/// The environment variable that marks a target's processes.
pub const MARKER_VAR: &str = "INTERSPEC_TARGET_INSTANCE";
/// The most of one process's environment read when looking for the marker.
const MAX_ENVIRON: u64 = 1024 * 1024;
/// Sweeps after the group is killed: a process may fork while we look.
const SWEEPS: usize = 5;

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
