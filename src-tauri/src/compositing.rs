//! WebKitGTK's compositing mode, chosen before the first webview exists.
//!
//! In accelerated compositing mode WebKitGTK sets up OpenGL for the web process before
//! its first frame. Where GL is Mesa's software rasteriser (no GPU, remote X, Xvfb), that
//! holds the first painted frame back by about 0.75 s: measured on this machine kind with
//! one VM listed (window shown after its page loaded, see `reveal`), the first rows were
//! painted 1.15-1.30 s after launch with compositing on and 0.37-0.46 s with it off.
//! Vireo's pages are tables and forms (the console draws into a 2D canvas), which WebKit
//! paints well without GL, so the app asks for the non-composited path unless the user
//! chose.
//!
//! `VIREO_WEBKIT_COMPOSITING=1` keeps WebKit's own choice; a `WEBKIT_DISABLE_COMPOSITING_MODE`
//! already in the environment is left as it is.

/// The environment variable that keeps WebKit's accelerated compositing.
pub const KEEP_VAR: &str = "VIREO_WEBKIT_COMPOSITING";
/// WebKitGTK's own switch.
const WEBKIT_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Sets WebKitGTK's switch for this process (and the web processes it spawns, which
/// inherit the environment). Must run before any thread starts: it writes the environment.
pub fn prefer_software_compositing() {
    if cfg!(target_os = "linux") && wanted(std::env::var_os(KEEP_VAR).as_deref(), std::env::var_os(WEBKIT_VAR).is_some()) {
        std::env::set_var(WEBKIT_VAR, "1");
    }
}

/// Whether to switch compositing off: not when the user keeps it, or already set it either way.
fn wanted(keep: Option<&std::ffi::OsStr>, webkit_var_set: bool) -> bool {
    let keep = keep.is_some_and(|v| !v.is_empty() && v != "0");
    !keep && !webkit_var_set
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::wanted;

    #[test]
    fn off_by_default_kept_on_request_and_the_users_own_setting_wins() {
        assert!(wanted(None, false));
        assert!(wanted(Some(OsStr::new("0")), false));
        assert!(wanted(Some(OsStr::new("")), false));
        assert!(!wanted(Some(OsStr::new("1")), false));
        assert!(!wanted(None, true));
    }
}
