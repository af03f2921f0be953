//! The request pages: list, request page with its actions, new request, agent queue, canned
//! replies.

pub mod actions;
pub mod canned;
pub mod checklist;
pub mod detail;
pub mod list;
pub mod new;
pub mod queue;
