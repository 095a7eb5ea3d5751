#!/usr/bin/env bash
# The heavy proof that the README's commands work on a plain Debian 12, not only on
# machines that already ship Node 20 and a full Rust toolchain: debootstraps a minimal
# bookworm, installs Debian's own nodejs and npm there (Node 18, npm 9), copies this
# machine's Rust toolchain in (rustup's download server may be out of reach, as it is on
# the project's build machines), copies the working tree (uncommitted work included), and
# runs ./scripts/test.sh inside, printing the time of every phase and the test counts.
# Not part of test.sh: a cold run takes half an hour and several GB.
#
# Usage (root):  ./scripts/debian12-chroot.sh
#   VIREO_CHROOT       the chroot (default /var/tmp/vireo-bookworm; reused when present,
#                      its target/ and node_modules/ too, so a second run is incremental)
#   VIREO_CHROOT_LOG   everything printed also goes there (default /tmp/chroot-run.log)
#   DEBIAN_MIRROR      default http://deb.debian.org/debian
#
# Isolation. This machine may itself run libvirtd with the default network (virbr0,
# 192.168.122.0/24) and test guests, so the chroot gets namespaces of its own:
#   network  its libvirtd's virbr0, dnsmasq and iptables rules stay in there;
#            slirp4netns (user-space NAT: no change to the host's firewall or routes)
#            gives it the package registries;
#   PID      pgrep in there sees only its own daemons (the scripts would otherwise find
#            the host's libvirtd and not start their own), and all of them end with it;
#   mount    fresh /proc and /sys (this sysfs shows the namespace's own interfaces), a
#            /run of its own (libvirt's sockets; no /run/systemd, so the scripts take the
#            no-systemd path, as in CI), none of it visible outside; IPC and UTS too.
#   No cgroup hierarchy is mounted in there: its libvirtd runs guests without cgroups
#   instead of in the host's /machine tree beside the host's guests of the same names.
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
ROOT="$(cd "$(dirname "$SELF")/.." && pwd)"
CHROOT="${VIREO_CHROOT:-/var/tmp/vireo-bookworm}"
LOG="${VIREO_CHROOT_LOG:-/tmp/chroot-run.log}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
SUITE=bookworm
REPO_IN=/root/vireo   # the working tree's copy, inside the chroot
DONE_MARK=.vireo-debootstrap-done
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;35m[chroot %s]\033[0m %s\n' "$(date +%T)" "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
PHASE=""
PHASE_T0=0
# phase NAME: ends the running phase (printing its time) and starts NAME; `phase ""` ends it.
phase() {
  if [ -n "$PHASE" ]; then
    printf -- '--- phase %-28s %s\n' "$PHASE:" "$(fmt_secs $((SECONDS - PHASE_T0)))"
  fi
  PHASE="$1"
  PHASE_T0=$SECONDS
  if [ -n "$PHASE" ]; then log "phase: $PHASE"; fi
}

# Runs a command inside the chroot with a clean environment: what a root shell on a
# fresh Debian has, none of this machine's PATH (pyenv, cargo) or settings.
# Node.js keeps its own CA list, so it is pointed at the system's bundle when this
# machine's extra CAs were carried in (see trust_host_cas).
in_chroot() {
  local -a extra=()
  if compgen -G "$CHROOT/usr/local/share/ca-certificates/vireo-host-*.crt" >/dev/null; then
    extra+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
  fi
  chroot "$CHROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${extra[@]}" "$@"
}

# ----------------------------------------------------------------------- host side

host_tools() {
  local -a missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v slirp4netns >/dev/null || missing+=(slirp4netns)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v unshare >/dev/null || missing+=(util-linux)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing on this machine: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

make_chroot() {
  case "$CHROOT" in
    /?*/*) ;;
    *) die "VIREO_CHROOT must be an absolute path at least two levels deep, not '$CHROOT'" ;;
  esac
  if [ -f "$CHROOT/$DONE_MARK" ]; then
    log "reusing the Debian $SUITE chroot in $CHROOT"
    return
  fi
  if [ -d "$CHROOT" ] && [ -n "$(ls -A "$CHROOT")" ]; then
    # Left by an interrupted debootstrap: start over, but never through live mounts.
    if grep -q " $CHROOT/" /proc/mounts; then die "something is mounted under $CHROOT; unmount it first"; fi
    log "removing the unfinished chroot in $CHROOT"
    rm -rf --one-file-system "$CHROOT"
  fi
  mkdir -p "$CHROOT"
  # minbase: the smallest Debian (no procps, no CA certificates), so that whatever the
  # scripts need must come from the scripts.
  log "debootstrap --variant=minbase $SUITE $CHROOT $MIRROR"
  nice -n 10 debootstrap --variant=minbase "$SUITE" "$CHROOT" "$MIRROR"
  touch "$CHROOT/$DONE_MARK"
}

# Every run (cheap, idempotent): a Debian installer's sources, DNS through slirp4netns,
# and no daemons started by package scripts (as in Docker's Debian images): the test
# scripts start what they need themselves.
configure_chroot() {
  cat >"$CHROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  echo 'nameserver 10.0.2.3' >"$CHROOT/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
  chmod 755 "$CHROOT/usr/sbin/policy-rc.d"
  echo vireo-bookworm >"$CHROOT/etc/hostname"
  trust_host_cas
}

# The chroot trusts what this machine trusts. Where the network intercepts TLS (a proxy
# with its own CA, as on the project's build machines), this machine's CA bundle holds
# certificates beyond Debian's Mozilla set; those go to the chroot's
# /usr/local/share/ca-certificates, which update-ca-certificates (run by the
# ca-certificates package when the scripts install it, and in main_inside) adds to the
# chroot's bundle. On an ordinary network there are none and nothing changes.
HOST_BUNDLE=/etc/ssl/certs/ca-certificates.crt
trust_host_cas() {
  local dst="$CHROOT/usr/local/share/ca-certificates" n
  mkdir -p "$dst"
  rm -f "$dst"/vireo-host-*.crt
  [ -f "$HOST_BUNDLE" ] || return 0
  awk -v bundle="$HOST_BUNDLE" -v dst="$dst" '
    /-----BEGIN CERTIFICATE-----/ { pem = ""; inside = 1 }
    inside { pem = pem $0 "\n" }
    /-----END CERTIFICATE-----/ {
      inside = 0
      if (FILENAME != bundle) { known[pem] = 1 }
      else if (!(pem in known)) { n++; f = dst "/vireo-host-" n ".crt"; printf "%s", pem > f; close(f) }
    }
  ' /usr/share/ca-certificates/mozilla/*.crt "$HOST_BUNDLE"
  n=$(find "$dst" -name 'vireo-host-*.crt' | wc -l)
  if [ "$n" -gt 0 ]; then log "the chroot trusts $n CA certificate(s) of this machine beyond Debian's"; fi
}

# The active toolchain and rustup's proxies (cargo, rustc, cargo-clippy, ...), as a
# `rustup` install on a fresh machine leaves them. Not tauri-driver (test.sh installs it)
# and not ~/.cargo/registry (crates come from crates.io, as on a fresh machine).
copy_rust() {
  local rustup_home="${RUSTUP_HOME:-$HOME/.rustup}" cargo_home="${CARGO_HOME:-$HOME/.cargo}" tc f
  tc=$(rustup show active-toolchain | awk '{print $1}')
  [ -d "$rustup_home/toolchains/$tc" ] || die "no toolchain $tc in $rustup_home"
  log "copying the Rust toolchain $tc ($(rustc --version)) into the chroot"
  mkdir -p "$CHROOT/root/.rustup/toolchains" "$CHROOT/root/.cargo/bin"
  nice -n 10 rsync -a --delete "$rustup_home/toolchains/$tc/" "$CHROOT/root/.rustup/toolchains/$tc/"
  sed "s/^default_toolchain = .*/default_toolchain = \"$tc\"/" "$rustup_home/settings.toml" \
    >"$CHROOT/root/.rustup/settings.toml"
  cp "$cargo_home/bin/rustup" "$CHROOT/root/.cargo/bin/rustup"
  for f in "$cargo_home"/bin/*; do
    [ "$(basename "$f")" = rustup ] && continue
    # rustup's proxies are links to rustup (symbolic or hard); anything else was installed.
    if [ "$f" -ef "$cargo_home/bin/rustup" ]; then
      ln -sfn rustup "$CHROOT/root/.cargo/bin/$(basename "$f")"
    fi
  done
}

# The working tree as it is now, uncommitted and untracked files included, without what
# .gitignore names (target/, node_modules/, ui/dist/): those are built inside. Excluded
# files are also left alone on the receiving side, so the chroot's own builds are kept.
copy_repo() {
  log "copying the working tree $ROOT to $CHROOT$REPO_IN"
  mkdir -p "$CHROOT$REPO_IN"
  rsync -a --delete --filter=':- .gitignore' --exclude=/.git/ "$ROOT/" "$CHROOT$REPO_IN/"
}

NS_PID=""
SLIRP_PID=""
cleanup_host() {
  # unshare was started with --kill-child: ending it ends everything in the namespaces.
  if [ -n "$NS_PID" ] && kill -0 "$NS_PID" 2>/dev/null; then kill "$NS_PID" 2>/dev/null || true; fi
  if [ -n "$SLIRP_PID" ] && kill -0 "$SLIRP_PID" 2>/dev/null; then kill "$SLIRP_PID" 2>/dev/null || true; fi
}

run_in_namespaces() {
  unshare --net --mount --pid --ipc --uts --fork --kill-child --propagation private \
    -- bash "$SELF" --inside &
  NS_PID=$!
  # slirp4netns must attach to the new network namespace, not to this one: wait until
  # unshare has made it.
  local own _
  own=$(readlink /proc/self/ns/net)
  for _ in $(seq 1 100); do
    [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null || echo "$own")" != "$own" ] && break
    sleep 0.1
  done
  [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null || echo "$own")" != "$own" ] \
    || die "unshare did not make a network namespace"
  slirp4netns --configure --mtu=65520 --disable-host-loopback "$NS_PID" tap0 >"$LOG.slirp4netns" 2>&1 &
  SLIRP_PID=$!
  local rc=0
  wait "$NS_PID" || rc=$?
  NS_PID=""
  kill "$SLIRP_PID" 2>/dev/null || true
  wait "$SLIRP_PID" 2>/dev/null || true
  SLIRP_PID=""
  return "$rc"
}

# Test counts from the log: cargo's "test result:" lines, and vitest's "Tests" line.
summarize_tests() {
  awk '
    /^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i) ~ /^passed;?$/) p += $(i - 1)
        if ($(i) ~ /^failed;?$/) f += $(i - 1)
        if ($(i) ~ /^ignored;?$/) g += $(i - 1)
      }
      n++
    }
    END { printf "Rust (cargo test, %d binaries): %d passed, %d failed, %d ignored\n", n, p, f, g }
  ' "$LOG"
  grep -E '^ *Tests +[0-9]' "$LOG" | sed 's/^ */front end (vitest): /' || true
  grep -E '^test [^ ]+ \.\.\. FAILED' "$LOG" | sed 's/^/  failed: /' || true
}

main_host() {
  [ "$(id -u)" -eq 0 ] || die "run this as root (debootstrap, chroot, namespaces)"
  : >"$LOG"
  exec > >(tee -a "$LOG") 2>&1
  trap cleanup_host EXIT
  trap 'exit 130' INT TERM
  log "Debian 12 proof of ./scripts/test.sh; log: $LOG"

  phase "host tools"
  host_tools
  phase "debootstrap"
  make_chroot
  configure_chroot
  phase "copy the Rust toolchain"
  copy_rust
  phase "copy the working tree"
  copy_repo
  phase ""

  local rc=0
  run_in_namespaces || rc=$?

  echo
  log "summary"
  grep -a -- '^--- phase' "$LOG" || true
  printf -- '--- total %s\n' "$(fmt_secs "$SECONDS")"
  summarize_tests
  if [ "$rc" -eq 0 ]; then log "result: ./scripts/test.sh passed on Debian $SUITE"; else log "result: FAILED (status $rc)"; fi
  return "$rc"
}

# -------------------------------------------------- inside the namespaces (PID 1 there)

cleanup_inside() {
  # Only as PID 1 of a PID namespace: anywhere else `kill -1` would hit the whole machine.
  [ "$$" -eq 1 ] || return 0
  # PID 1 of the namespace: `kill -1` reaches every other process in it (libvirtd, qemu,
  # Xvfb, dnsmasq), so the mounts below are no longer in use.
  kill -TERM -1 2>/dev/null || true
  sleep 2
  kill -KILL -1 2>/dev/null || true
  local m
  for m in run dev sys proc; do
    if mountpoint -q "$CHROOT/$m"; then umount -R -l "$CHROOT/$m" || true; fi
  done
  if mountpoint -q "$CHROOT"; then umount -l "$CHROOT" || true; fi
}

main_inside() {
  [ "$$" -eq 1 ] || die "--inside is for the PID namespace that the script itself makes"
  trap cleanup_inside EXIT
  ip link set lo up
  local _
  for _ in $(seq 1 100); do
    ip -4 addr show tap0 2>/dev/null | grep -q 'inet ' && break
    sleep 0.2
  done
  ip -4 addr show tap0 2>/dev/null | grep -q 'inet ' || die "slirp4netns gave the namespace no network (see $LOG.slirp4netns)"
  hostname vireo-bookworm

  # The chroot's / must be a mount point, as on any installed system: libvirt's qemu driver
  # gives each guest a private mount namespace and first makes / a slave mount, which fails
  # ("Failed disable mount propagation out of the root filesystem") on a plain directory.
  mount --bind "$CHROOT" "$CHROOT"
  mount -t proc proc "$CHROOT/proc"
  mount -t sysfs sysfs "$CHROOT/sys"
  # /dev as it is (null, tty, pts, shm, net/tun for guest NICs, kvm though guests run
  # under TCG in the tests).
  mount --rbind /dev "$CHROOT/dev"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$CHROOT/run"
  mkdir -p "$CHROOT/run/lock"
  if [ -x "$CHROOT/usr/sbin/update-ca-certificates" ]; then in_chroot update-ca-certificates >/dev/null; fi

  phase "Debian's nodejs and npm"
  # shellcheck disable=SC2016 # expanded by the shell inside the chroot
  in_chroot DEBIAN_FRONTEND=noninteractive bash -c '
    set -e
    if [ "$(dpkg-query -W -f="\${Status}\n" nodejs npm 2>/dev/null | grep -c "install ok installed")" = 2 ]; then
      echo "already installed"
    else
      apt-get update -qq
      nice -n 10 apt-get install -y --no-install-recommends nodejs npm >/dev/null
    fi
    echo "Debian: node $(node --version), npm $(npm --version)"'

  phase "libvirt's qemu driver for a chroot"
  # The chroot's /dev is this machine's, bind-mounted: libvirt cannot build its private
  # per-guest /dev on it (qemu then fails with "Failed to create PTY"). On an installed
  # Debian /dev is the kernel's devtmpfs and this is not needed; here, and only here, the
  # per-guest mount namespace is turned off. Installed first so the setting lands in the
  # package's own qemu.conf; test.sh then finds the package present.
  # shellcheck disable=SC2016 # expanded by the shell inside the chroot
  in_chroot DEBIAN_FRONTEND=noninteractive bash -c '
    set -e
    dpkg-query -W -f="\${Status}\n" libvirt-daemon-driver-qemu 2>/dev/null | grep -q "install ok installed" \
      || nice -n 10 apt-get install -y --no-install-recommends libvirt-daemon-driver-qemu >/dev/null
    grep -q "^namespaces = \[\]" /etc/libvirt/qemu.conf \
      || printf "\n# debian12-chroot.sh: /dev is a bind mount here\nnamespaces = []\n" >>/etc/libvirt/qemu.conf
    echo "qemu.conf: $(grep "^namespaces" /etc/libvirt/qemu.conf)"'

  phase "./scripts/test.sh"
  local rc=0
  in_chroot nice -n 10 bash -c "cd '$REPO_IN' && ./scripts/test.sh" || rc=$?
  phase ""
  return "$rc"
}

if [ "${1:-}" = --inside ]; then
  main_inside
else
  main_host
fi
