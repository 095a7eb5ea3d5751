#!/usr/bin/env bash
# Installs what Vireo needs, starts libvirtd, builds the app and launches it.
# Usage (root, Debian 12):  ./scripts/run.sh
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  die "no display: DISPLAY and WAYLAND_DISPLAY are unset; run Vireo from a desktop session (or under xvfb-run)"
fi
need_root
install_packages "${RUN_PACKAGES[@]}"
# No components: run.sh builds, it does not lint.
# shellcheck disable=SC2119
ensure_rust
ensure_npm_packages
start_libvirt

cd "$ROOT" || exit 1
log "building the UI"
npm run --silent build:ui
log "building Vireo (release)"
cargo build --release -p vireo-desktop -p vireo-cli
log "launching Vireo"
exec "$ROOT/target/release/vireo-desktop"
