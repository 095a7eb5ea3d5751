//! Keeps `ui/src/bindings/` equal to the Rust types: this test regenerates the TypeScript
//! files and fails if they differ from what is committed (so CI catches a stale UI).

use std::path::PathBuf;

use ts_rs::TS;

use crate::*;

fn export_all(dir: &std::path::Path) {
    ErrorPayload::export_all_to(dir).unwrap();
    HostEvent::export_all_to(dir).unwrap();
    HistoryEntry::export_all_to(dir).unwrap();
    HostSummary::export_all_to(dir).unwrap();
    VmSummary::export_all_to(dir).unwrap();
    VmAction::export_all_to(dir).unwrap();
}

#[test]
fn ui_bindings_are_current() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh = std::env::temp_dir().join(format!("vireo-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    export_all(&fresh);
    if std::env::var_os("VIREO_UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
    }
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(&fresh).unwrap() {
        let entry = entry.unwrap();
        let want = std::fs::read_to_string(entry.path()).unwrap();
        let have = std::fs::read_to_string(committed.join(entry.file_name())).unwrap_or_default();
        if want != have {
            stale.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    let _ = std::fs::remove_dir_all(&fresh);
    assert!(
        stale.is_empty(),
        "ui/src/bindings is stale ({stale:?}); run `VIREO_UPDATE_BINDINGS=1 cargo test -p vireo-core ui_bindings` and commit"
    );
}
