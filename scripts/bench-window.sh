#!/usr/bin/env bash
# The window benchmark (tests/benches/window_scale.rs): the release app with 1, 200 and
# 2000 VMs, and virt-manager the same way in the same run; prints a table to paste into
# an issue. Installs what it needs first (as test.sh does), plus virt-manager to compare
# with (not part of the tests).
# Usage (root, Debian 12):  ./scripts/bench-window.sh
# Settings: VIREO_BENCH_N ("1 200 2000"), VIREO_BENCH_LONG_SECS (600: the last memory
# sample, per program and N), VIREO_BENCH_TOOLS ("vireo virt-manager").
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root
# x11-utils: xwininfo (when the window is mapped); dbus: dbus-run-session (both programs
# get a session bus, as on a desktop).
extra=(xvfb xauth x11-utils dbus)
case " ${VIREO_BENCH_TOOLS:-vireo virt-manager} " in
  *" virt-manager "*) extra+=(virt-manager) ;;
esac
install_packages "${RUN_PACKAGES[@]}" "${extra[@]}"
ensure_rust
ensure_npm_packages
start_libvirt

cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never
log "front end: build (the release app embeds ui/dist)"
npm run --silent build:ui
log "window benchmark: N=${VIREO_BENCH_N:-1 200 2000}, ${VIREO_BENCH_LONG_SECS:-600} s per program and N"
cargo bench -p vireo-tests --bench window_scale
