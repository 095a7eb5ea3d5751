//! What a program costs the machine: its processes (it and its descendants, found by
//! walking every `/proc/<pid>/stat`'s parent), their proportional set size (PSS, from
//! `/proc/<pid>/smaps_rollup`: shared pages split between the processes sharing them, so
//! the sum over processes is what they really hold) and their CPU time.

use std::collections::HashMap;

/// One process of a tree, as read now.
#[derive(Debug, Clone)]
pub struct ProcInfo {
    pub pid: u32,
    pub ppid: u32,
    /// The program's file name (from argv[0], or for an interpreter, the script it runs:
    /// `virt-manager`, not `python3`), falling back to the kernel's `comm`.
    pub name: String,
    /// PSS in KiB (0 when unreadable: a zombie, or a process that just ended).
    pub pss_kib: u64,
    /// User + system CPU time in clock ticks.
    pub cpu_ticks: u64,
}

/// Parses `/proc/<pid>/stat`: (ppid, utime + stime). `comm` may hold spaces and
/// parentheses, so fields are counted from the last `)`.
fn stat(pid: u32) -> Option<(u32, u64, String)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let comm = s[open + 1..close].to_owned();
    let fields: Vec<&str> = s[close + 1..].split_whitespace().collect();
    // After comm: state(0) ppid(1) ... utime(11) stime(12).
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((ppid, utime + stime, comm))
}

/// The sum of the `Pss:` lines of `/proc/<pid>/smaps_rollup`, in KiB.
pub fn pss_kib(pid: u32) -> u64 {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { return 0 };
    s.lines()
        .filter_map(|l| l.strip_prefix("Pss:"))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn program_name(pid: u32, comm: &str) -> String {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return comm.to_owned() };
    let args: Vec<String> = raw.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let base = |a: &String| a.rsplit('/').next().unwrap_or(a).to_owned();
    match args.first().map(base) {
        // An interpreter: name the script it runs.
        Some(first) if first.starts_with("python") || first == "perl" || first == "sh" || first == "bash" => {
            args.iter().skip(1).find(|a| !a.starts_with('-')).map(base).unwrap_or(first)
        }
        Some(first) => first,
        None => comm.to_owned(),
    }
}

/// Every process now: pid -> (ppid, cpu ticks, comm).
fn all() -> HashMap<u32, (u32, u64, String)> {
    let mut procs = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) {
                if let Some(s) = stat(pid) {
                    procs.insert(pid, s);
                }
            }
        }
    }
    procs
}

/// `root` and all its descendants, root first, with their PSS and CPU time. Empty when
/// `root` is gone.
pub fn tree(root: u32) -> Vec<ProcInfo> {
    let procs = all();
    if !procs.contains_key(&root) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([root]);
    while let Some(pid) = queue.pop_front() {
        let Some((ppid, cpu_ticks, comm)) = procs.get(&pid) else { continue };
        out.push(ProcInfo { pid, ppid: *ppid, name: program_name(pid, comm), pss_kib: pss_kib(pid), cpu_ticks: *cpu_ticks });
        let mut children: Vec<u32> = procs.iter().filter(|(_, (pp, _, _))| *pp == pid).map(|(p, _)| *p).collect();
        children.sort_unstable();
        queue.extend(children);
    }
    out
}

/// The first process (breadth first) in `root`'s tree whose program name is `name`:
/// the program itself when it runs under a wrapper such as `dbus-run-session`.
pub fn find_in_tree(root: u32, name: &str) -> Option<u32> {
    tree(root).into_iter().find(|p| p.name == name).map(|p| p.pid)
}

/// Clock ticks per second (for `ProcInfo::cpu_ticks`).
pub fn ticks_per_second() -> u64 {
    // SAFETY: sysconf has no memory effects.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_has_a_tree_with_pss() {
        let me = std::process::id();
        let t = super::tree(me);
        assert_eq!(t[0].pid, me);
        assert!(t[0].pss_kib > 0, "a live process has a PSS");
        let child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let t = super::tree(me);
        let found = t.iter().find(|p| p.pid == child.id()).expect("a child is in the tree");
        assert_eq!(found.name, "sleep");
        assert_eq!(found.ppid, me);
        assert_eq!(super::find_in_tree(me, "sleep"), Some(child.id()));
        let mut child = child;
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
