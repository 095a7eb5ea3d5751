//! CD-ROM media of a VM: its drives, and an ISO inserted, changed or ejected (live and
//! for the next boot while it runs), each change recorded.

use vireo_core::{CdromDrive, Result, VmRef};

use crate::Vireo;

impl Vireo {
    /// The VM's CD-ROM drives, each with the image in it.
    pub async fn cdrom_drives(&self, host_id: &str, uuid: &str) -> Result<Vec<CdromDrive>> {
        self.host(host_id)?.cdrom_drives(&VmRef::uuid(uuid)?).await
    }

    /// Puts the ISO at `iso` (a volume's path) into the drive `target` (`sda`, `hdc`),
    /// or ejects the drive's medium with `None`. The drives after the change.
    pub async fn change_media(&self, host_id: &str, uuid: &str, target: &str, iso: Option<&str>) -> Result<Vec<CdromDrive>> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let result = host.change_media(&vm, target, iso).await;
        let name = host.vm_name(&vm).await.unwrap_or_else(|_| vm.to_string());
        let (action, what) = match iso {
            Some(path) => ("insert_media", format!("{name}/{target}: {path}")),
            None => ("eject_media", format!("{name}/{target}")),
        };
        self.record(self.host_name(host_id), action, what, &result).await;
        result
    }
}
