# Shared steps of scripts/run.sh and scripts/test.sh. Every step checks first and skips
# what is already done, so a second run is quick.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run this as root (it installs packages and starts libvirtd)"
}

# Debian packages the app needs to build and run.
RUN_PACKAGES=(
  build-essential pkg-config curl file libssl-dev librsvg2-dev libxdo-dev
  libwebkit2gtk-4.1-dev libvirt-dev libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu
  libvirt-daemon-config-network dnsmasq-base iptables iproute2
)
# What the tests add: a virtual display, the WebKit WebDriver, and the tools that build
# the test guest (busybox initramfs, grub ISO), and a CJK font so the Chinese UI renders
# in the window's screenshots.
TEST_PACKAGES=(
  xvfb xauth webkit2gtk-driver busybox-static cpio xorriso grub-pc-bin grub-common mtools
  fonts-wqy-microhei
)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages "$@" qemu-system-x86 qemu-utils)
  # qemu-system-x86 must be in step with qemu-utils: some images ship a backported
  # qemu-utils that conflicts with bookworm's qemu-system-x86, so both come from bookworm.
  if ! qemu-system-x86_64 --version >/dev/null 2>&1 || ! command -v qemu-img >/dev/null \
     || [ -n "$(missing_packages qemu-system-x86)" ]; then
    missing="$missing qemu-system-x86 qemu-utils"
  fi
  missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
  if [ -z "${missing// /}" ]; then
    log "Debian packages: all present"
    return
  fi
  log "installing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock | head -1)" ] \
     || ! apt-get install -y --no-install-recommends --allow-downgrades $(fix_qemu $missing) >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y --no-install-recommends --allow-downgrades $(fix_qemu $missing)
  fi
}

# Maps qemu-utils to bookworm's build so it matches qemu-system-x86 (see install_packages).
fix_qemu() {
  local p
  for p in "$@"; do
    if [ "$p" = qemu-utils ] && grep -q bookworm /etc/os-release; then echo "qemu-utils/bookworm"; else echo "$p"; fi
  done
}

ensure_rust() {
  command -v cargo >/dev/null || {
    log "installing Rust (rustup)"
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  }
}

# Node.js >= 20.19 (Vite 8). Machines of this project ship it; elsewhere Debian's own is
# tried and a too-old one is reported rather than failing obscurely later.
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    log "installing Node.js and npm (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
  fi
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $(node --version) is too old: the UI build needs 20.19 or newer"
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

# libvirtd without systemd: the users and groups Debian's libvirt-daemon-system would make,
# qemu running as root (no per-image relabelling on a dev box), then the daemons.
start_libvirt() {
  getent group kvm >/dev/null || groupadd -r kvm
  getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
  getent group libvirt >/dev/null || groupadd -r libvirt
  id libvirt-qemu >/dev/null 2>&1 || useradd -r -g kvm -G libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  id libvirt-dnsmasq >/dev/null 2>&1 || useradd -r -d /var/lib/libvirt/dnsmasq -s /usr/sbin/nologin libvirt-dnsmasq
  mkdir -p /var/log/libvirt /var/lib/libvirt /var/cache/libvirt /run/libvirt /etc/libvirt
  if ! grep -qs '^user = "root"' /etc/libvirt/qemu.conf; then
    printf 'user = "root"\ngroup = "root"\n' >> /etc/libvirt/qemu.conf
  fi
  pgrep -x virtlogd >/dev/null || { log "starting virtlogd"; virtlogd -d; }
  if ! pgrep -x libvirtd >/dev/null; then
    log "starting libvirtd"
    libvirtd -d
  fi
  local i
  for i in $(seq 1 50); do
    virsh -c qemu:///system version >/dev/null 2>&1 && break
    sleep 0.2
  done
  virsh -c qemu:///system version >/dev/null 2>&1 || die "libvirtd did not answer on qemu:///system"
  # Read the state into a variable first: `virsh ... | grep -q` under pipefail fails when
  # grep exits early and virsh gets SIGPIPE.
  local info
  if info=$(virsh -c qemu:///system net-info default 2>/dev/null); then
    if ! grep -q 'Active:.*yes' <<<"$info"; then
      log "starting the default network"
      virsh -c qemu:///system net-start default >/dev/null
    fi
    virsh -c qemu:///system net-autostart default >/dev/null 2>&1 || true
  fi
  log "libvirtd is up"
}
