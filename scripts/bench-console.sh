#!/usr/bin/env bash
# The console benchmarks: the core's (tests/benches/console.rs), then the release window's
# beside noVNC (tests/benches/console_window.rs); each prints its figures. Installs what
# they need first (as test.sh does), plus Debian's novnc and websockify to compare with
# (not part of the tests).
# Usage (root, Debian 12):  ./scripts/bench-console.sh
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root
install_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}" novnc websockify
ensure_rust
ensure_npm_packages
if ! command -v tauri-driver >/dev/null; then
  log "installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi
start_libvirt

cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never
log "front end: build (the release app embeds ui/dist)"
npm run --silent build:ui
log "console benchmark: the app core, local / SSH / SSH behind 50 ms"
cargo bench -p vireo-tests --bench console
log "console benchmark: the release window beside noVNC"
cargo bench -p vireo-tests --bench console_window
