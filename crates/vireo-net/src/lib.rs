//! Host rules that are not libvirt, kept as pure code so they are tested without a host:
//! the IP pool allocator now; forwards (iptables) and proxies (nginx) as they land.

pub mod ippool;
