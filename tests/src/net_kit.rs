//! What tests of networks and IP pools share: guards that remove a network or a host
//! interface, and a VM
//! booting the test ISO with one NIC on a given network.

use vireo_app::Vireo;
use vireo_core::{DiskBus, Firmware, NewDisk, NewNic, NewVm, VolumeFormat};

/// Removes a network the test made, whatever happened.
pub struct NetGone(pub String);

impl Drop for NetGone {
    fn drop(&mut self) {
        let _ = std::process::Command::new("virsh").args(["-q", "net-destroy", &self.0]).output();
        let _ = std::process::Command::new("virsh").args(["-q", "net-undefine", &self.0]).output();
    }
}

/// Removes a host interface the test made.
pub struct LinkGone(pub String);

impl Drop for LinkGone {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip").args(["link", "del", &self.0]).output();
    }
}

/// A VM booting `iso` (a blank 16 MiB disk in `pool`, 160 MiB) with one NIC on `network`
/// with `mac`, made through the app's create task; started when `start`. Returns its UUID.
#[allow(clippy::too_many_arguments)]
pub async fn iso_vm_on(app: &Vireo, host: &str, name: &str, pool: &str, iso: &str, network: &str, mac: &str, start: bool) -> String {
    let vm = NewVm {
        name: name.into(),
        vcpus: 1,
        memory_mib: 160,
        disk: NewDisk::Blank { pool: pool.into(), size: 16 << 20, format: VolumeFormat::Qcow2 },
        disk_bus: DiskBus::Virtio,
        cdrom: Some(iso.into()),
        nics: vec![NewNic { network: network.into(), mac: Some(mac.into()) }],
        firmware: Firmware::Bios,
        cloud_init: None,
        description: None,
        start,
    };
    let task = app.create_vm(host, vm).await.unwrap();
    app.wait_task(&task.id).await.expect("create the VM").result.expect("the VM made");
    app.list_vms(host).await.unwrap().into_iter().find(|v| v.name == name).expect("the VM listed").uuid
}
