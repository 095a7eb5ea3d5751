#!/usr/bin/env bash
# The upload benchmark (tests/benches/upload.rs): 1 GiB into a volume through Vireo,
# locally and over Vireo's SSH session (loopback and a 50 ms round trip), beside scp of
# the same file to the same sshd. Prints a table to paste into an issue.
# Usage (root, Debian 12):  ./scripts/bench-upload.sh   (a few minutes once built)
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root
install_packages "${RUN_PACKAGES[@]}" openssh-server openssh-client
ensure_rust
start_libvirt

cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never
log "upload benchmark: 1 GiB, local / SSH loopback / SSH 50 ms, beside scp"
cargo bench -p vireo-tests --bench upload
