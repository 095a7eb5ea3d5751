//! Test domains with unique names that are removed when the test ends, pass or fail.

use std::sync::atomic::{AtomicU32, Ordering};

use vireo_host::xml::{Boot, DomainSpec, NicSpec};
use vireo_host::{kvm_guests_work, resolve_accel, Host};

use crate::fixture::GuestFixture;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `vireo-test-<tag>-<pid>-<n>`: unique across parallel tests and processes.
pub fn unique_name(tag: &str) -> String {
    format!("vireo-test-{tag}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A locally administered MAC in QEMU's range, unique per process and call.
pub fn unique_mac() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    format!("52:54:00:{:02x}:{:02x}:{:02x}", (pid >> 8) as u8, pid as u8, n as u8)
}

/// A test guest's definition: kernel boot (or ISO), 160 MiB, one NIC on `default`.
/// The domain type comes from the same auto-detection the app uses.
pub fn guest_spec(name: &str, mac: &str, fixture: &GuestFixture, from_iso: bool) -> DomainSpec {
    let kind = resolve_accel(vireo_core::Accel::Auto, kvm_guests_work);
    let mut spec = DomainSpec::new(name, kind);
    spec.memory_mib = 160;
    spec.boot = if from_iso {
        Boot::Cdrom { iso: fixture.iso.display().to_string() }
    } else {
        Boot::Kernel {
            kernel: fixture.kernel.display().to_string(),
            initrd: Some(fixture.initrd.display().to_string()),
            cmdline: format!("console=ttyS0 vireo.hostname={name}"),
        }
    };
    spec.nics.push(NicSpec { network: "default".into(), mac: Some(mac.to_owned()) });
    spec
}

/// Undefines (and forces off) the domain when dropped, with its snapshots' metadata.
pub struct TestDomain {
    pub host: Host,
    pub name: String,
}

impl TestDomain {
    pub async fn define(host: &Host, spec: &DomainSpec) -> TestDomain {
        let xml = spec.to_xml().expect("valid test domain XML");
        let name = host.define_vm(xml).await.expect("define test domain");
        TestDomain { host: host.clone(), name }
    }

    /// A small stopped domain under a name Vireo would not give (`My VM`, `名字`, `db+gpu`),
    /// defined as another tool such as virsh would: the builder only makes Vireo's own names,
    /// so the name is swapped into its XML (none of these needs escaping). Any domain of
    /// that name left by an earlier run is removed first.
    pub async fn define_odd(host: &Host, name: &str) -> TestDomain {
        assert!(!name.contains(['<', '>', '&']), "no XML escaping here: {name:?}");
        let placeholder = unique_name("odd");
        let spec = DomainSpec::new(&placeholder, vireo_host::DomainKind::Qemu);
        let xml = spec.to_xml().unwrap().replace(&format!("<name>{placeholder}</name>"), &format!("<name>{name}</name>"));
        let _ = host.undefine_vm(&vireo_core::VmRef::Name(name.to_owned())).await;
        host.define_vm(xml).await.unwrap_or_else(|e| panic!("define {name:?}: {e}"));
        TestDomain { host: host.clone(), name: name.to_owned() }
    }
}

impl Drop for TestDomain {
    fn drop(&mut self) {
        // Plain virsh: works even when the test's runtime is gone or panicking. A host
        // reached through Vireo's SSH session is this machine's libvirtd (sshd on
        // 127.0.0.1), which virsh cannot reach by that URI without Vireo's session.
        let uri = match self.host.uri() {
            u if u.starts_with("qemu:///") || u.starts_with("test:") => u.to_owned(),
            _ => "qemu:///system".to_owned(),
        };
        let _ = std::process::Command::new("virsh")
            .args(["-q", "-c", &uri, "destroy", &self.name])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::process::Command::new("virsh")
            .args(["-q", "-c", &uri, "undefine", "--nvram", "--snapshots-metadata", &self.name])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}
