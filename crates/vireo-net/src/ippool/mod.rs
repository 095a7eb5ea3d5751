//! The IP pool allocator: spans parsed from what users write, the free set, and a pool
//! that hands each address out once.

pub mod free_set;
pub mod pool;
pub mod span;

pub use pool::Pool;
pub use span::{to_int, to_ip, Family, Span};
