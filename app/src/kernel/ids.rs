//! The identifiers of the portal's records: plain numbers on the wire and in the database,
//! distinct types in the code so that a request's id is never taken for a user's.

use crate::id_type;

id_type!(
    /// A person with an account.
    UserId
);

id_type!(
    /// An organisation: the center or one subsidiary.
    OrgId
);

id_type!(
    /// A service tier (客户分级); SLA targets will depend on it.
    TierId
);

id_type!(
    /// An FSSC team; each works the queue of the types assigned to it.
    TeamId
);

id_type!(
    /// A request type, whatever its version.
    TypeId
);

id_type!(
    /// One version of a request type: what a request was submitted with.
    TypeVersionId
);

id_type!(
    /// A request's internal id. Users see its [`ReferenceNo`].
    RequestId
);

id_type!(
    /// An uploaded file.
    AttachmentId
);

id_type!(
    /// A policy page, whatever its version.
    PolicyPageId
);

id_type!(
    /// A node of the category tree (e.g. 报销制度 / 差旅).
    PolicyCategoryId
);

id_type!(
    /// One notification of one recipient. Ids only grow, so they are the stream's cursor.
    NotificationId
);

id_type!(
    /// One rating of one resolution of a request.
    RatingId
);

id_type!(
    /// The follow-up of one low rating.
    FollowUpId
);

id_type!(
    /// A working calendar.
    CalendarId
);
