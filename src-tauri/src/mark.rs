//! Launch timing marks: the UI calls `ui_mark` once when a milestone is on screen (its
//! first screen of rows painted), and the shell logs how long after launch that was.
//! Benchmarks read the line from stderr, so its form is fixed:
//! `ui mark <name>: <ms> ms after launch, epoch_ms=<unix ms>`.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use vireo_core::{validate, ErrorPayload};

/// The tracing target of mark lines (kept apart so a filter can pick them out).
pub const TARGET: &str = "vireo::mark";

static LAUNCH: OnceLock<Instant> = OnceLock::new();

/// Notes the launch instant; the first call wins. Called first thing in `run()`, as
/// close to process start as the shell gets.
pub fn record_launch() {
    LAUNCH.get_or_init(Instant::now);
}

/// Logs that the UI reached the milestone `name` (1-40 characters of `a-z`, `0-9`, `-`).
#[tauri::command]
pub fn ui_mark(name: String) -> Result<(), ErrorPayload> {
    let name = validate::mark_name(&name)?;
    let since_launch = LAUNCH.get().map_or(0, |t| t.elapsed().as_millis());
    let epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    tracing::info!(target: TARGET, "{}", line(name, since_launch, epoch_ms));
    Ok(())
}

/// The logged text; the wall clock lets a benchmark line it up with its own screen grabs.
fn line(name: &str, since_launch_ms: u128, epoch_ms: u128) -> String {
    format!("ui mark {name}: {since_launch_ms} ms after launch, epoch_ms={epoch_ms}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_has_the_form_benchmarks_grep_for() {
        assert_eq!(
            line("first-rows", 812, 1_796_212_345_678),
            "ui mark first-rows: 812 ms after launch, epoch_ms=1796212345678"
        );
    }

    #[test]
    fn bad_names_are_refused_with_a_typed_error() {
        record_launch();
        assert_eq!(ui_mark("first-rows".into()), Ok(()));
        for bad in ["", "First Rows", "a\nb", &"x".repeat(41)] {
            assert_eq!(ui_mark(bad.into()).unwrap_err().code, "invalid_input", "{bad:?}");
        }
    }
}
