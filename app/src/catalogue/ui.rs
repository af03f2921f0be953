//! The admin's catalogue page.
