//! What cloning a VM needs from a `Host`: the source's own definition and the disks a
//! clone copies. The clone itself is put together by the app core (`vm_clone`), which
//! makes the images and defines the clone through `xml::clone`.

use vireo_core::{Result, VmRef};

use crate::error::vm_error;
use crate::host::Host;
use crate::vms::lookup;

impl Host {
    /// The VM's definition as it boots next (inactive XML), the base a clone or an edit
    /// starts from.
    pub async fn clone_source_xml(&self, vm: &VmRef) -> Result<String> {
        let (vm, uri) = (vm.clone(), self.uri().to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            // Secure: a VNC password in the source is the clone's too.
            let flags = virt::sys::VIR_DOMAIN_XML_INACTIVE | virt::sys::VIR_DOMAIN_XML_SECURE;
            dom.xml_desc(flags).map_err(|e| vm_error(&uri, &name, "read the XML of", &e))
        })
        .await
    }
}
