//! The ground floor: the identifiers and the values that several capabilities name, with the
//! macros that declare them. It imports nothing of the crate above it, so every module may
//! use it and none of its words depend on who shows them (their labels are in `i18n_support`).
//! See docs/architecture.md for the floors above.

pub mod ids;
pub mod lifecycle;
pub mod limits;
pub mod people;
pub mod schedule;
pub mod slug;
pub mod text_enum;

pub use ids::{
    AttachmentId, CalendarId, FollowUpId, NotificationId, OrgId, PolicyCategoryId, PolicyPageId, RatingId,
    RequestId, TeamId, TierId, TypeId, TypeVersionId, UserId,
};
pub use lifecycle::{ReferenceNo, RejectReason, RequestAction, RequestStatus, Side, TRANSITIONS};
pub use limits::{UploadLimits, MIB};
pub use people::{Language, Permission, Role};
pub use schedule::LineProblem;
pub use slug::{Slug, SlugProblem};
