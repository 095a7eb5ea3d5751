//! Shared pieces of Vireo's integration tests: the test guest fixture, unique names,
//! clean-up guards (one domain, or thousands), small waits, the real window under Xvfb
//! (`window`), what a program costs in memory and CPU (`procs`) and a slow link
//! (`delay_proxy`). Tests use the real libvirtd (`qemu:///system`).

pub mod batch;
pub mod canvas_probe;
pub mod cut_proxy;
pub mod daemon;
pub mod delay_proxy;
pub mod fixture;
pub mod guest;
pub mod procs;
pub mod pty;
pub mod machine;
pub mod net_kit;
pub mod netns;
pub mod page;
pub mod silent_peer;
pub mod screen;
pub mod sshd;
pub mod storage_kit;
pub mod wait;
pub mod webdriver;
pub mod window;

pub use batch::DomainBatch;
pub use fixture::{fresh_binary, fresh_release_binary, guest_fixture, workspace_root, GuestFixture};
pub use guest::{guest_spec, unique_mac, unique_name, TestDomain};
