//! Shared pieces of Vireo's integration tests: the test guest fixture, unique names,
//! clean-up guards and small waits. Tests use the real libvirtd (`qemu:///system`).

pub mod daemon;
pub mod fixture;
pub mod guest;
pub mod silent_peer;
pub mod wait;
pub mod webdriver;

pub use fixture::{fresh_binary, fresh_release_binary, guest_fixture, workspace_root, GuestFixture};
pub use guest::{guest_spec, unique_mac, unique_name, TestDomain};
