//! Following a task to its end: a progress bar on a terminal, plain lines otherwise
//! (one per step and per tenth of the way), JSON summaries with `--json`.

use std::io::Write;

use vireo_app::Vireo;
use vireo_core::{ProgressUnit, TaskState, TaskSummary};

use crate::Failure;

pub async fn follow(core: &Vireo, task: &TaskSummary, json: bool) -> Result<TaskSummary, Failure> {
    let mut rx = core.watch_task(&task.id)?;
    let bar = !json && crate::terminal::interactive_stderr();
    let mut last_line = String::new();
    let mut last_tenth = None;
    loop {
        let s = rx.borrow_and_update().clone();
        if bar {
            eprint!("\r\x1b[2K{}", line(&s));
            let _ = std::io::stderr().flush();
        } else if !json {
            let tenth = s.total.filter(|t| *t > 0).map(|t| s.done * 10 / t);
            let l = format!("{:?}", s.step);
            if l != last_line || tenth != last_tenth {
                eprintln!("{}", line(&s));
                last_line = l;
                last_tenth = tenth;
            }
        }
        if s.state != TaskState::Running || rx.changed().await.is_err() {
            break;
        }
    }
    if bar {
        eprintln!();
    }
    let ended = core.wait_task(&task.id).await?;
    if json {
        println!("{}", serde_json::to_string(&ended).expect("serialise task"));
    } else if ended.state == TaskState::Succeeded {
        println!("{}: done{}", ended.target, ended.result.as_deref().map(|r| format!(" ({r})")).unwrap_or_default());
    }
    Ok(ended)
}

fn line(s: &TaskSummary) -> String {
    let step = format!("{:?}", s.step).to_lowercase();
    match (s.unit, s.total) {
        (ProgressUnit::Bytes, Some(total)) if total > 0 => {
            let pct = s.done as f64 * 100.0 / total as f64;
            let filled = (pct / 5.0) as usize;
            let speed = s.bytes_per_sec.map(|b| format!(" {:.1} MB/s", b / 1e6)).unwrap_or_default();
            format!(
                "{} [{}{}] {pct:5.1}% {} / {} MiB{speed} {step}",
                s.target,
                "#".repeat(filled.min(20)),
                " ".repeat(20 - filled.min(20)),
                s.done >> 20,
                total >> 20
            )
        }
        (ProgressUnit::Steps, Some(total)) => format!("{} step {}/{total} {step}", s.target, s.done),
        _ => format!("{} {step}", s.target),
    }
}
