//! `vireo vm batch ACTION VM...`: one action on several VMs, each one's outcome shown.

use clap::ValueEnum;
use vireo_app::Vireo;
use vireo_core::{BatchAction, VmRef};

use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
pub enum BatchVerb {
    Start,
    Shutdown,
    Destroy,
    Delete,
}

pub async fn batch(core: &Vireo, host: &str, verb: BatchVerb, vms: &[String], remove_storage: bool, yes: bool, json: bool) -> Result<(), Failure> {
    let h = core.host(host)?;
    let mut uuids = Vec::new();
    for vm in vms {
        uuids.push(h.vm_uuid(&VmRef::parse(vm)?).await?);
    }
    let action = match verb {
        BatchVerb::Start => BatchAction::Start,
        BatchVerb::Shutdown => BatchAction::Shutdown,
        BatchVerb::Destroy => BatchAction::Destroy,
        BatchVerb::Delete => {
            let what = if remove_storage { "and their disks" } else { "(their disks stay)" };
            crate::terminal::confirm_destructive(&format!("Delete {} VMs {what}?", vms.len()), yes)?;
            BatchAction::Delete { remove_storage }
        }
    };
    let items = core.batch(host, uuids, action).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&items).unwrap_or_default());
    } else {
        for i in &items {
            match &i.error {
                None => println!("{}: done", i.name),
                Some(e) => println!("{}: failed: {}", i.name, e.message),
            }
        }
    }
    let failed = items.iter().filter(|i| i.error.is_some()).count();
    if failed > 0 {
        let error = vireo_core::Error::Libvirt { action: "act on every selected VM".into(), message: format!("{failed} of {} failed", items.len()) };
        return Err(Failure::new(error, "The others were done; see each VM's line above.".into()));
    }
    Ok(())
}
