//! The minimum rustc the README and scripts/lib.sh promise is the real one: Cargo.toml's
//! `rust-version` is at least what every locked dependency declares (cargo refuses an
//! older rustc for them, so a lower figure would send a user to a toolchain that fails).

use std::process::Command;

fn version(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[test]
fn the_workspace_rust_version_covers_every_locked_dependency() {
    // Only what builds for this machine (not, say, Windows-only crates).
    let rustc = Command::new("rustc").arg("-vV").output().expect("run rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout).lines().find_map(|l| l.strip_prefix("host: ").map(str::to_owned)).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--filter-platform", &host])
        .current_dir(vireo_tests::workspace_root())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let members: Vec<&str> = meta["workspace_members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let packages = meta["packages"].as_array().unwrap();
    let declared = packages
        .iter()
        .find(|p| members.contains(&p["id"].as_str().unwrap()))
        .and_then(|p| p["rust_version"].as_str())
        .expect("workspace members declare rust-version");
    let needed = packages
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["version"].as_str()?, p["rust_version"].as_str()?)))
        .max_by_key(|(_, _, rv)| version(rv))
        .unwrap();
    assert!(
        version(declared) >= version(needed.2),
        "Cargo.toml says rust-version {declared}, but {} {} needs {}: raise it (scripts/lib.sh reads it)",
        needed.0,
        needed.1,
        needed.2
    );
}
