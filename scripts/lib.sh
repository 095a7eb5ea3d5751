# shellcheck shell=bash
# Shared steps of scripts/run.sh and scripts/test.sh. Every step checks first and skips
# what is already done, so a second run is quick.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Where ensure_node puts a Node.js from the npm registry when the system's is too old for
# Vite 8 (Debian 12's is 18). Outside the checkout, so `git clean` and the other
# engineers' trees never see it; first on PATH so every later step (npm scripts, the
# Tauri CLI) runs on it. Empty or absent, it changes nothing.
NODE_PREFIX="${VIREO_NODE_PREFIX:-/opt/vireo-node}"
export PATH="$NODE_PREFIX/bin:$HOME/.cargo/bin:$PATH"

# The log lines carry the time since the script started, so a slow step shows in the log.
log() { printf '\033[1;34m==>\033[0m [%02d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run this as root (it installs packages and starts libvirtd)"
}

# A workstation booted with systemd gets libvirt the Debian way (libvirt-daemon-system and
# its units). Containers and CI have no systemd: there the daemons are started by hand.
has_systemd() { [ -d /run/systemd/system ]; }

# Debian packages the app needs to build and run. ca-certificates and procps are in every
# desktop install but not in a minimal Debian: cargo and curl need the CA store for
# crates.io and rustup, start_libvirt needs pgrep; xorriso builds cloud-init seeds.
RUN_PACKAGES=(
  build-essential pkg-config curl ca-certificates file procps libssl-dev librsvg2-dev libxdo-dev
  libwebkit2gtk-4.1-dev libvirt-dev libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
  libvirt-daemon-config-network dnsmasq-base iptables iproute2
  xorriso ovmf
)
# libvirt-daemon-system brings the users, groups and systemd units; it pulls in systemd,
# so only where systemd runs.
if has_systemd; then
  RUN_PACKAGES+=(libvirt-daemon-system)
fi
# What the tests add: a virtual display, the WebKit WebDriver, and the tools that build
# the test guest (busybox initramfs, grub ISO), and a CJK font so the Chinese UI renders
# in the window's screenshots; sshd and the OpenSSH client tools (ssh-keygen, ssh-agent)
# for the remote-host tests, which start their own sshd on 127.0.0.1.
# shellcheck disable=SC2034 # used by test.sh
TEST_PACKAGES=(
  xvfb xauth webkit2gtk-driver busybox-static cpio xorriso grub-pc-bin grub-efi-amd64-bin grub-common mtools libxml2-utils
  fonts-wqy-microhei openssh-server openssh-client
)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install_packages() {
  local -a missing
  mapfile -t missing < <(missing_packages "$@" qemu-system-x86 qemu-utils)
  # qemu-system-x86 must be in step with qemu-utils: some images ship a backported
  # qemu-utils that conflicts with bookworm's qemu-system-x86, so both come from bookworm.
  if ! qemu-system-x86_64 --version >/dev/null 2>&1 || ! command -v qemu-img >/dev/null \
     || [ -n "$(missing_packages qemu-system-x86)" ]; then
    missing+=(qemu-system-x86 qemu-utils)
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  mapfile -t missing < <(fix_qemu "${missing[@]}")
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # First try with the package lists there are (quick, offline of a mirror that is slow to
  # answer); when that fails (no lists yet, or stale ones), update them and try again.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null \
     || ! apt-get install -y --no-install-recommends --allow-downgrades "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y --no-install-recommends --allow-downgrades "${missing[@]}"
  fi
}

# Maps qemu-utils to bookworm's build so it matches qemu-system-x86 (see install_packages).
fix_qemu() {
  local p
  for p in "$@"; do
    if [ "$p" = qemu-utils ] && grep -q bookworm /etc/os-release; then echo "qemu-utils/bookworm"; else echo "$p"; fi
  done
}

# version_ge A B: A >= B, as dotted versions (1.95.0 >= 1.95).
version_ge() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# The oldest rustc that builds the workspace: Cargo.toml's rust-version, which is kept at
# what the locked dependencies declare (rusqlite_migration 2.6: 1.95; the tauri 2.12
# crates: 1.90); cargo refuses an older rustc for them. Raise it when a dependency does.
rust_min_version() {
  sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -n 1
}

# Rust from rustup (Debian 12's rustc is 1.63, far too old). Arguments: the rustup
# components the caller runs beyond rustc and cargo, e.g. `ensure_rust clippy`: a
# `--profile minimal` install has neither clippy nor rustfmt.
ensure_rust() {
  if ! command -v cargo >/dev/null && ! command -v rustup >/dev/null; then
    log "installing Rust (rustup, minimal profile)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    hash -r
  fi
  command -v cargo >/dev/null || die "no cargo on PATH, though rustup is there: run 'rustup default stable'"

  local need have
  need=$(rust_min_version)
  have=$(rustc --version 2>/dev/null | awk '{print $2}') || true
  [ -n "$have" ] || die "rustc does not run ($(command -v rustc)): with rustup, run 'rustup default stable'"
  if ! version_ge "${have%%-*}" "$need"; then
    if command -v rustup >/dev/null; then
      die "rustc $have is too old: this workspace needs rustc $need or newer; run 'rustup update stable'"
    fi
    die "rustc $have ($(command -v rustc)) is too old: this workspace needs rustc $need or newer;" \
        "remove Debian's rustc/cargo or put rustup's first on PATH (https://rustup.rs)"
  fi

  local c installed=""
  if [ "$#" -gt 0 ] && command -v rustup >/dev/null; then
    # Into a variable first: `rustup ... | grep -q` under pipefail fails on SIGPIPE.
    installed=$(rustup component list --installed 2>/dev/null || true)
    for c in "$@"; do
      grep -q "^$c-" <<<"$installed" && continue
      log "adding the Rust component $c (rustup)"
      rustup component add "$c" || die "rustup could not add $c (the scripts run it); add it by hand: rustup component add $c"
    done
  fi
  # Without rustup (a toolchain from elsewhere) the components are checked, not added.
  for c in "$@"; do
    case "$c" in
      clippy) cargo clippy --version >/dev/null 2>&1 || die "cargo clippy is missing: install clippy for rustc $have" ;;
      rustfmt) cargo fmt --version >/dev/null 2>&1 || die "cargo fmt is missing: install rustfmt for rustc $have" ;;
    esac
  done
  log "Rust: rustc $have (the workspace needs $need)${*:+, with $*}"
}

# Node.js >= 20.19 and an npm to go with it: Vite 8 refuses anything older. A Node that
# is new enough (a workstation with NodeSource's, say) is used as it is.
#
# Debian 12's own is Node 18 with npm 9. Then Node.js 22 comes from the npm registry: the
# package node-linux-<arch> carries the official Node.js binary (npm checks the tarball's
# sha512 from the registry), so Debian's npm can install it with no access to nodejs.org,
# into $NODE_PREFIX; npm 11 follows from the registry, run by that Node. Chosen over
# building the UI with an older toolchain that still runs on Node 18 (Vite 6, Vitest 3):
# one Vite 8 + Vitest 4 lock file stays the one build, here and on machines with newer
# Node; and the npm registry is reachable wherever `npm install` is, so nothing new is
# needed from the network.
NODE_MAJOR=22
NPM_MAJOR=11
node_ok() {
  command -v node >/dev/null &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null
}

ensure_node() {
  if ! node_ok; then
    if ! command -v npm >/dev/null; then
      log "installing Debian's Node.js and npm (its npm fetches a newer Node.js if this one is too old)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
      hash -r
    fi
  fi
  if ! node_ok; then
    local arch
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64) arch=arm64 ;;
      *) die "Node.js $(node --version) is too old (Vite 8 needs 20.19) and the npm registry has no Node.js for $(uname -m): install Node.js 20.19 or newer" ;;
    esac
    log "Node.js $(node --version 2>/dev/null || echo '(none)') is older than Vite 8 needs (20.19):" \
        "installing Node.js $NODE_MAJOR from the npm registry into $NODE_PREFIX"
    npm install --global --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_MAJOR"
    hash -r
    node_ok || die "Node.js in $NODE_PREFIX does not run or is too old: $("$NODE_PREFIX/bin/node" --version 2>&1 || true)"
  fi
  # The Node in NODE_PREFIX gets its own npm: Debian's npm 9 is built for Node 18.
  if [ "$(command -v node)" = "$NODE_PREFIX/bin/node" ] && [ ! -x "$NODE_PREFIX/bin/npm" ]; then
    log "installing npm $NPM_MAJOR from the npm registry into $NODE_PREFIX"
    npm install --global --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error "npm@$NPM_MAJOR"
    hash -r
  fi
  command -v npm >/dev/null || die "Node.js $(node --version) has no npm: install npm"
  log "Node.js $(node --version) ($(command -v node)), npm $(npm --version)"
}

ensure_npm_packages() {
  ensure_node
  if [ -d "$ROOT/node_modules/.bin" ] && [ "$ROOT/node_modules/.package-lock.json" -nt "$ROOT/package.json" ]; then
    log "npm packages: present"
  else
    log "installing npm packages"
    # `npm install`, not `npm ci`: npm 11 writes locks that its own `npm ci` refuses
    # (platform-specific optional packages of @tauri-apps/cli, esbuild, rollup).
    (cd "$ROOT" && npm install --no-audit --no-fund)
  fi
}

# libvirtd answering on qemu:///system, with the default network running.
start_libvirt() {
  if has_systemd; then
    start_libvirt_systemd
  else
    start_libvirt_by_hand
  fi
  local _
  for _ in $(seq 1 50); do
    virsh -c qemu:///system version >/dev/null 2>&1 && break
    sleep 0.2
  done
  virsh -c qemu:///system version >/dev/null 2>&1 || die "libvirtd did not answer on qemu:///system"
  # Read the state into a variable first: `virsh ... | grep -q` under pipefail fails when
  # grep exits early and virsh gets SIGPIPE.
  local info
  if ! info=$(virsh -c qemu:///system net-info default 2>/dev/null) \
     && [ -f /usr/share/libvirt/networks/default.xml ]; then
    # Removed at some point (libvirt-daemon-config-network defines it only when installed).
    log "defining libvirt's default network"
    virsh -c qemu:///system net-define /usr/share/libvirt/networks/default.xml >/dev/null
    info=$(virsh -c qemu:///system net-info default 2>/dev/null) || true
  fi
  if [ -n "${info:-}" ]; then
    if ! grep -q 'Active:.*yes' <<<"$info"; then
      log "starting the default network"
      virsh -c qemu:///system net-start default >/dev/null
    fi
    virsh -c qemu:///system net-autostart default >/dev/null 2>&1 || true
  fi
  log "libvirtd is up"
}

# The Debian way: libvirt-daemon-system made the users, groups and units; systemd runs the
# daemons. The user's /etc/libvirt/qemu.conf is left as it is (qemu runs as libvirt-qemu).
start_libvirt_systemd() {
  if systemctl is-active --quiet virtqemud.socket 2>/dev/null; then
    # The modular daemons are set up instead of libvirtd: they serve qemu:///system.
    log "libvirt: virtqemud is running (systemd)"
    return
  fi
  local unit
  for unit in virtlogd.socket libvirtd.service; do
    if ! systemctl is-enabled --quiet "$unit" 2>/dev/null || ! systemctl is-active --quiet "$unit"; then
      log "systemctl enable --now $unit"
      systemctl enable --now "$unit"
    fi
  done
}

# Without systemd (containers, CI): the users and groups Debian's libvirt-daemon-system
# would make, qemu running as root (no per-image relabelling, no guest files that must be
# readable by libvirt-qemu), then the daemons by hand. Never done where systemd runs.
start_libvirt_by_hand() {
  getent group kvm >/dev/null || groupadd -r kvm
  getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
  getent group libvirt >/dev/null || groupadd -r libvirt
  id libvirt-qemu >/dev/null 2>&1 || useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  id libvirt-dnsmasq >/dev/null 2>&1 || useradd -r -d /var/lib/libvirt/dnsmasq -s /usr/sbin/nologin libvirt-dnsmasq
  mkdir -p /var/log/libvirt /var/lib/libvirt /var/cache/libvirt /run/libvirt /etc/libvirt
  if ! grep -qs '^user = "root"' /etc/libvirt/qemu.conf; then
    log "no systemd (container or CI): qemu runs as root (user/group = root in /etc/libvirt/qemu.conf)"
    printf 'user = "root"\ngroup = "root"\n' >> /etc/libvirt/qemu.conf
  fi
  # Debian's access rule (its libvirtd.conf): members of the libvirt group may manage the
  # system daemon, through the socket's group and mode; without a system bus polkit
  # cannot decide it. The remote-host tests sign in as such a member.
  local conf=/etc/libvirt/libvirtd.conf restart=0
  if ! grep -qs '^auth_unix_rw = "none"' "$conf"; then
    log "no systemd (container or CI): the libvirt group may use libvirtd's socket ($conf)"
    printf '%s\n' 'unix_sock_group = "libvirt"' 'unix_sock_ro_perms = "0777"' 'unix_sock_rw_perms = "0770"' \
      'auth_unix_ro = "none"' 'auth_unix_rw = "none"' >> "$conf"
    restart=1
  fi
  pgrep -x virtlogd >/dev/null || { log "no systemd (container or CI): starting virtlogd by hand"; virtlogd -d; }
  if [ "$restart" = 1 ] && pgrep -x libvirtd >/dev/null; then
    log "no systemd (container or CI): restarting libvirtd for its new settings"
    pkill -x libvirtd
    local _
    for _ in $(seq 1 100); do pgrep -x libvirtd >/dev/null || break; sleep 0.1; done
  fi
  if ! pgrep -x libvirtd >/dev/null; then
    log "no systemd (container or CI): starting libvirtd by hand"
    libvirtd -d
  fi
}

# Where systemd runs, qemu runs as libvirt-qemu and must reach the test guest's kernel,
# initrd and ISO under target/. Said up front rather than as a failed guest start later.
check_guest_files_reachable() {
  has_systemd || return 0
  id libvirt-qemu >/dev/null 2>&1 || return 0
  if ! runuser -u libvirt-qemu -- test -x "$ROOT" 2>/dev/null; then
    warn "libvirt's qemu user (libvirt-qemu) cannot enter $ROOT, so the test guests will not boot:" \
         "put the checkout where others may enter its folders (e.g. /srv/vireo), or chmod o+x its parent folders"
  fi
}

# Test domains an interrupted earlier run left behind (tests name theirs vireo-test-*;
# each test removes its own, but a run killed mid-test cannot).
clean_test_leftovers() {
  local name
  # (grep finds none on a clean machine: not a failure under pipefail.)
  { virsh -q list --all --name 2>/dev/null | grep '^vireo-test-' || true; } | while read -r name; do
    virsh -q destroy "$name" >/dev/null 2>&1 || true
    virsh -q undefine --nvram --snapshots-metadata "$name" >/dev/null 2>&1 \
      || virsh -q undefine "$name" >/dev/null 2>&1 || true
    log "removed test domain $name left by an earlier run"
  done
}
