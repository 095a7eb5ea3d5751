//! What a benchmark's header says about the machine and the build, the same for every
//! benchmark: the commit, CPUs and memory, and the first line a tool prints about itself.

use std::process::Command;

use crate::workspace_root;

/// The first non-empty line a command prints (stdout, then stderr): a tool's version.
pub fn first_line(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned)
}

pub struct Machine {
    /// `git describe --always --dirty` of the checkout.
    pub rev: Option<String>,
    pub cpus: usize,
    pub mem_gib: f64,
}

pub fn machine() -> Machine {
    let rev = first_line(Command::new("git").args(["-C", &workspace_root().display().to_string(), "describe", "--always", "--dirty"]));
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    Machine { rev, cpus, mem_gib }
}
