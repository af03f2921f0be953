//! The portal's benchmark and seeding tools. None of this is in the server binary: the tools
//! fill databases in bulk, run the release server as a child process and talk HTTP/1.1 on raw
//! sockets, to measure it from the outside.

pub mod bulk;
pub mod child;
pub mod http1;
pub mod rng;
pub mod sse;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
