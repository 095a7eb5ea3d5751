//! Choosing between KVM and plain QEMU emulation for a host's guests.
//!
//! `/dev/kvm` existing is not enough: on some machines (nested virtualisation without
//! the right CPU flags) KVM guests start but hang. `Auto` therefore asks libvirt whether
//! it offers KVM at all and, for the local machine, runs a short probe guest.

use vireo_core::Accel;

/// The `<domain type=...>` of a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainKind {
    Kvm,
    Qemu,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Kvm => "kvm",
            DomainKind::Qemu => "qemu",
        }
    }
}

/// The domain type for a host's setting; `kvm_works` is only consulted for `Auto`.
pub fn resolve_accel(accel: Accel, kvm_works: impl FnOnce() -> bool) -> DomainKind {
    match accel {
        Accel::Kvm => DomainKind::Kvm,
        Accel::Qemu => DomainKind::Qemu,
        Accel::Auto if kvm_works() => DomainKind::Kvm,
        Accel::Auto => DomainKind::Qemu,
    }
}

/// Whether KVM guests run on this machine (placeholder until the probe lands).
pub fn kvm_guests_work() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_settings_win() {
        assert_eq!(resolve_accel(Accel::Kvm, || false), DomainKind::Kvm);
        assert_eq!(resolve_accel(Accel::Qemu, || true), DomainKind::Qemu);
        assert_eq!(resolve_accel(Accel::Auto, || true), DomainKind::Kvm);
        assert_eq!(resolve_accel(Accel::Auto, || false), DomainKind::Qemu);
    }
}
