//! What Vireo asks of the QEMU guest agent inside a VM: setting a user's password.

use vireo_core::{validate, Error, Result, VmRef};

use crate::error::raw_code;
use crate::host::Host;
use crate::vm_detail::agent_channel;

const VIR_ERR_ARGUMENT_UNSUPPORTED: i32 = 74;
const VIR_ERR_AGENT_UNRESPONSIVE: i32 = 86;
const VIR_ERR_OPERATION_UNSUPPORTED: i32 = 84;

impl Host {
    /// Sets `user`'s password in the running guest through its agent.
    pub async fn set_guest_password(&self, vm: &VmRef, user: &str, password: &str) -> Result<()> {
        let user = validate::user_name(user)?.to_owned();
        if password.is_empty() {
            return Err(Error::invalid("password", "it is empty"));
        }
        if password.chars().any(char::is_control) {
            return Err(Error::invalid("password", "it contains control characters"));
        }
        let password = password.to_owned();
        self.on_vm(vm, "set a password in", move |t| {
            if !t.active {
                return Err(Error::InvalidState { action: "set a password in".into(), name: t.name.clone(), state: "not running".into() });
            }
            if agent_channel(&t.live_tree()?).is_none() {
                return Err(no_agent(&t.name, "it has no guest agent channel (add one and install qemu-guest-agent in the guest)"));
            }
            t.dom.set_user_password(&user, &password, 0).map_err(|e| match raw_code(&e) {
                VIR_ERR_AGENT_UNRESPONSIVE | VIR_ERR_ARGUMENT_UNSUPPORTED | VIR_ERR_OPERATION_UNSUPPORTED => {
                    no_agent(&t.name, &format!("its guest agent does not answer ({}); install and start qemu-guest-agent in the guest", crate::error::message(&e)))
                }
                _ => t.err(&e),
            })
        })
        .await
    }
}

fn no_agent(name: &str, reason: &str) -> Error {
    Error::NoGuestAgent { name: name.to_owned(), reason: reason.to_owned() }
}
