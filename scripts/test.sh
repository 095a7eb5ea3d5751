#!/usr/bin/env bash
# Installs what Vireo and its tests need, starts libvirtd, and runs every test:
# front-end unit tests and type check, Rust unit + integration tests against the real
# libvirtd and the test guest, and the end-to-end test of the real window under Xvfb.
# Usage (root, Debian 12):  ./scripts/test.sh
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root
install_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
# clippy: the lint step below (a rustup `--profile minimal` install lacks it).
ensure_rust clippy
if ! command -v tauri-driver >/dev/null; then
  log "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi
ensure_npm_packages
start_libvirt
check_guest_files_reachable
clean_test_leftovers

cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never

log "front end: type check and unit tests"
npm run --silent check:ui
npm run --silent test:ui
log "front end: build (the app crate embeds ui/dist)"
npm run --silent build:ui

log "test guest fixture"
bash tests/fixtures/build-guest.sh target/fixtures/guest

log "Rust: lints (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

log "Rust: build everything (app, CLI, tests)"
cargo build --workspace --all-targets

log "Rust: unit and integration tests (real libvirtd; the e2e test runs last)"
cargo test --workspace -- --skip e2e_

log "end to end: the real window under Xvfb via tauri-driver + WebKitWebDriver"
cargo test --workspace --test e2e_window --test e2e_scale --test e2e_ssh --test e2e_console --test e2e_storage --test e2e_vm_detail -- --nocapture

log "all tests passed"
