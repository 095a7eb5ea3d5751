#!/usr/bin/env bash
# The SSH listing benchmark (tests/benches/ssh_list.rs): 200 VMs listed through Vireo's
# own SSH session, cold and warm, on loopback and on a 50 ms round trip, next to virsh
# over qemu+ssh; then 20 saved SSH hosts (and one that never answers) connecting at once,
# and what each costs in memory. Prints tables to paste into an issue. Installs what it
# needs first (as test.sh does): the sshd the benchmark starts its own instances of, and
# the OpenSSH client (ssh-keygen; virsh's qemu+ssh runs ssh).
# Usage (root, Debian 12):  ./scripts/bench-ssh.sh   (about 2 minutes once built)
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root
install_packages "${RUN_PACKAGES[@]}" openssh-server openssh-client
ensure_rust
start_libvirt

cd "$ROOT" || exit 1
export CARGO_TERM_COLOR=never
log "SSH listing benchmark: 200 VMs, loopback and 50 ms RTT, 20 hosts at once"
cargo bench -p vireo-tests --bench ssh_list
