//! The one place that decides who may do what to which object.
//!
//! Every server function authenticates and then calls [`may`]. The rules are the table in
//! [`RULES`]: one row per action, one column per role, each cell saying how far that role
//! reaches. A user may act when any of their memberships reaches the target.

use crate::{auth::CurrentUser, error::AppError, kernel::{OrgId, Permission, Role, UserId}};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See a request and its timeline.
    ViewRequest,
    /// Submit a new request on behalf of an organisation.
    SubmitRequest,
    /// See an organisation's details.
    ViewOrganisation,
    /// Create and deactivate accounts, reset passwords, set memberships.
    ManageUsers,
    /// Change one's own password and preferences.
    EditOwnAccount,
    /// See internal notes and files of a request.
    ViewInternal,
    /// Take an unassigned request (首问负责制).
    ClaimRequest,
    /// Reply publicly, ask for information, resolve or reject: the owner's work.
    WorkRequest,
    /// Hand a request to another agent or team.
    TransferRequest,
    /// Write a note only the center sees.
    AddInternalNote,
    /// Reply, answer a question, withdraw or reopen, as the client side.
    ActAsRequester,
    /// Upload a file to attach to a request.
    UploadFile,
    /// See or remove a file one uploaded that is not yet part of a request.
    HandleOwnUpload,
    /// Read the catalogue of request types.
    ViewCatalogue,
    /// Create and edit request types.
    ManageCatalogue,
    /// See the center's queues and their counts.
    ViewQueues,
    /// Use and edit a team's canned replies.
    UseCannedReplies,
    /// Read one's notifications, mark them read, receive them live, set how they arrive.
    HandleOwnNotifications,
    /// Read the policy pages of one's audience, search and compare them, say whether one
    /// helped, confirm having read one.
    ReadPolicies,
    /// Write, publish, schedule and unpublish policy pages; keep the synonym list.
    WritePolicies,
    /// See who acknowledged a page and what readers said of it.
    SeePolicyFeedback,
    /// Grant and take back permissions such as editor.
    GrantPermissions,
    /// Rate a resolved request, and change one's rating while that is allowed.
    RateRequest,
    /// See a rating's stars and reasons.
    ViewRating,
    /// Read the client's comment on a rating.
    ReadRatingComment,
    /// Mark a rating's comment as read by the center, which shows it to the credited agents.
    ReviewRatingComment,
    /// See a low score's follow-up and its outcome.
    ViewFollowUp,
    /// Close a follow-up with its outcome.
    CloseFollowUp,
    /// Open the follow-up list and the satisfaction of one's subsidiaries.
    ListFollowUps,
    /// Edit service tiers and assign customer managers to organisations.
    ManageTiers,
    /// Edit working calendars, import their schedules, and choose which teams and types use them.
    ManageCalendars,
    /// Read the operations dashboard (运营分析) of an organisation.
    ViewOperations,
    /// Keep the price list: prices, month-end surcharge, free quotas, SLA credits.
    ManagePrices,
    /// Read and download an organisation's monthly service statements.
    ViewStatements,
    /// Dispute a line of an organisation's statement (对账).
    DisputeStatement,
    /// Accept or decline a dispute of an organisation's statement.
    AnswerDispute,
}

/// What an action is aimed at, with the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Request { org: OrgId, requester: UserId, owner: Option<UserId> },
    Organisation(OrgId),
    User(UserId),
    /// A rating, with the people it credits. `comment_released`: a customer manager has read
    /// the comment, or the center shows comments to agents at once.
    Rating { org: OrgId, rater: UserId, resolver: Option<UserId>, first_owner: Option<UserId>, comment_released: bool },
    /// A follow-up and the customer manager it is assigned to (`None`: the admins).
    FollowUp { org: OrgId, assignee: Option<UserId> },
    /// The portal as a whole (user administration, catalogues).
    Portal,
}

/// How far one role reaches for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Nothing,
    /// Only what the user submitted or is.
    Own,
    /// Anything of the organisation in which the user holds this role.
    OwnOrganisation,
    /// Anything of the subsidiaries the user manages as customer manager.
    ManagedOrganisations,
    /// Only requests the user owns as the responsible agent, or follow-ups assigned to them.
    Assigned,
    /// Only ratings that credit the user: they resolved the request or first owned it.
    Credited,
    /// As [`Reach::Credited`], once the comment is released to agents.
    CreditedReleased,
    Everything,
}

/// How a refusal is reported: objects whose existence must not leak answer "not found".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Forbidden,
    NotFound,
}

use Reach::*;

/// Columns, in order: client, org_contact, agent, customer_manager, admin.
pub const RULES: &[(Action, [Reach; 5], Refusal)] = &[
    //                            client           org_contact      agent       customer_manager      admin
    (Action::ViewRequest,       [Own,             OwnOrganisation, Everything, ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::SubmitRequest,     [OwnOrganisation, OwnOrganisation, Nothing,    Nothing,              Nothing],    Refusal::Forbidden),
    (Action::ViewOrganisation,  [OwnOrganisation, OwnOrganisation, Everything, ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::ManageUsers,       [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::EditOwnAccount,    [Own,             Own,             Own,        Own,                  Own],        Refusal::Forbidden),
    (Action::ViewInternal,      [Nothing,         Nothing,         Everything, ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::ClaimRequest,      [Nothing,         Nothing,         Everything, Nothing,              Nothing],    Refusal::Forbidden),
    (Action::WorkRequest,       [Nothing,         Nothing,         Assigned,   Nothing,              Nothing],    Refusal::Forbidden),
    (Action::TransferRequest,   [Nothing,         Nothing,         Assigned,   Nothing,              Everything], Refusal::Forbidden),
    (Action::AddInternalNote,   [Nothing,         Nothing,         Everything, ManagedOrganisations, Everything], Refusal::Forbidden),
    (Action::ActAsRequester,    [Own,             OwnOrganisation, Nothing,    Nothing,              Nothing],    Refusal::Forbidden),
    (Action::UploadFile,        [Everything,      Everything,      Everything, Nothing,              Everything], Refusal::Forbidden),
    (Action::HandleOwnUpload,   [Own,             Own,             Own,        Own,                  Own],        Refusal::NotFound),
    (Action::ViewCatalogue,     [Everything,      Everything,      Everything, Everything,           Everything], Refusal::Forbidden),
    (Action::ManageCatalogue,   [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::ViewQueues,        [Nothing,         Nothing,         Everything, Nothing,              Everything], Refusal::Forbidden),
    (Action::UseCannedReplies,  [Nothing,         Nothing,         Everything, Nothing,              Nothing],    Refusal::Forbidden),
    (Action::HandleOwnNotifications, [Own,         Own,             Own,        Own,                  Own],        Refusal::NotFound),
    (Action::ReadPolicies,      [Everything,      Everything,      Everything, Everything,           Everything], Refusal::NotFound),
    (Action::WritePolicies,     [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::SeePolicyFeedback, [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::GrantPermissions,  [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::RateRequest,       [Own,             Own,             Nothing,    Nothing,              Nothing],    Refusal::Forbidden),
    (Action::ViewRating,        [Own,             OwnOrganisation, Credited,   ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::ReadRatingComment, [Own,             OwnOrganisation, CreditedReleased, ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::ReviewRatingComment, [Nothing,       Nothing,         Nothing,    ManagedOrganisations, Everything], Refusal::Forbidden),
    (Action::ViewFollowUp,      [Nothing,         Nothing,         Everything, ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::CloseFollowUp,     [Nothing,         Nothing,         Nothing,    Assigned,             Everything], Refusal::Forbidden),
    (Action::ListFollowUps,     [Nothing,         Nothing,         Nothing,    Everything,           Everything], Refusal::Forbidden),
    (Action::ManageTiers,       [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::ManageCalendars,   [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::ViewOperations,    [Nothing,         Nothing,         Nothing,    ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::ManagePrices,      [Nothing,         Nothing,         Nothing,    Nothing,              Everything], Refusal::Forbidden),
    (Action::ViewStatements,    [Nothing,         OwnOrganisation, Nothing,    ManagedOrganisations, Everything], Refusal::NotFound),
    (Action::DisputeStatement,  [Nothing,         OwnOrganisation, Nothing,    Nothing,              Nothing],    Refusal::Forbidden),
    (Action::AnswerDispute,     [Nothing,         Nothing,         Nothing,    ManagedOrganisations, Everything], Refusal::Forbidden),
];

/// What a granted permission adds to the roles' reach. An editor works for the center, so a
/// grant reaches the whole portal.
pub const PERMISSION_RULES: &[(Permission, &[Action])] = &[
    (Permission::Editor, &[Action::WritePolicies, Action::SeePolicyFeedback]),
    (Permission::CenterLead, &[Action::ViewOperations]),
];

fn column(role: Role) -> usize {
    match role {
        Role::Client => 0,
        Role::OrgContact => 1,
        Role::Agent => 2,
        Role::CustomerManager => 3,
        Role::Admin => 4,
    }
}

fn rule(action: Action) -> (&'static [Reach; 5], Refusal) {
    RULES
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, reach, refusal)| (reach, *refusal))
        .unwrap_or((&[Nothing; 5], Refusal::Forbidden))
}

/// Whether `user` may perform `action` on `target`.
pub fn may(user: &CurrentUser, action: Action, target: Target) -> Result<(), AppError> {
    let (reaches, refusal) = rule(action);
    let allowed = user.memberships.iter().any(|m| {
        let reach = reaches[column(m.role)];
        reaches_target(user, reach, m.org_id, target)
    }) || (action == Action::EditOwnAccount && target == Target::User(user.id))
        || PERMISSION_RULES
            .iter()
            .any(|(permission, actions)| user.has_permission(*permission) && actions.contains(&action));
    if allowed {
        Ok(())
    } else {
        Err(match refusal {
            Refusal::Forbidden => AppError::Forbidden,
            Refusal::NotFound => AppError::NotFound,
        })
    }
}

fn reaches_target(user: &CurrentUser, reach: Reach, membership_org: OrgId, target: Target) -> bool {
    match (reach, target) {
        (Nothing, _) => false,
        (Everything, _) => true,
        (Own, Target::Request { requester, .. }) => requester == user.id,
        (Own, Target::User(id)) => id == user.id,
        (Own, Target::Rating { rater, .. }) => rater == user.id,
        (Own, _) => false,
        (OwnOrganisation, Target::Request { org, .. })
        | (OwnOrganisation, Target::Organisation(org))
        | (OwnOrganisation, Target::Rating { org, .. }) => org == membership_org,
        (OwnOrganisation, _) => false,
        (ManagedOrganisations, Target::Request { org, .. })
        | (ManagedOrganisations, Target::Organisation(org))
        | (ManagedOrganisations, Target::Rating { org, .. })
        | (ManagedOrganisations, Target::FollowUp { org, .. }) => user.managed_orgs.contains(&org),
        (ManagedOrganisations, _) => false,
        (Assigned, Target::Request { owner, .. }) => owner == Some(user.id),
        (Assigned, Target::FollowUp { assignee, .. }) => assignee == Some(user.id),
        (Assigned, _) => false,
        (Credited, Target::Rating { resolver, first_owner, .. }) => {
            resolver == Some(user.id) || first_owner == Some(user.id)
        }
        (CreditedReleased, Target::Rating { resolver, first_owner, comment_released, .. }) => {
            comment_released && (resolver == Some(user.id) || first_owner == Some(user.id))
        }
        (Credited | CreditedReleased, _) => false,
    }
}

/// Which requests a user's lists may show, derived from the `ViewRequest` row of [`RULES`]
/// so that lists and single-request access can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestScope {
    pub everything: bool,
    /// Requests this user submitted.
    pub requester: Option<UserId>,
    /// Requests of these organisations.
    pub orgs: Vec<OrgId>,
}

impl RequestScope {
    pub fn is_empty(&self) -> bool {
        !self.everything && self.requester.is_none() && self.orgs.is_empty()
    }
}

pub fn request_scope(user: &CurrentUser) -> RequestScope {
    let (reaches, _) = rule(Action::ViewRequest);
    let mut scope = RequestScope::default();
    for m in &user.memberships {
        match reaches[column(m.role)] {
            Nothing | Assigned | Credited | CreditedReleased => {}
            Everything => scope.everything = true,
            Own => scope.requester = Some(user.id),
            OwnOrganisation => scope.orgs.push(m.org_id),
            ManagedOrganisations => scope.orgs.extend(user.managed_orgs.iter().copied()),
        }
    }
    scope.orgs.sort();
    scope.orgs.dedup();
    scope
}

/// Which follow-ups a user's list shows: everything for admins, the managed subsidiaries'
/// for a customer manager, from the `ListFollowUps` and `ViewFollowUp` rows.
pub fn follow_up_scope(user: &CurrentUser) -> RequestScope {
    let (lists, _) = rule(Action::ListFollowUps);
    let (views, _) = rule(Action::ViewFollowUp);
    let mut scope = RequestScope::default();
    for m in &user.memberships {
        let col = column(m.role);
        if lists[col] == Nothing {
            continue;
        }
        match views[col] {
            Everything => scope.everything = true,
            ManagedOrganisations => scope.orgs.extend(user.managed_orgs.iter().copied()),
            _ => {}
        }
    }
    scope.orgs.sort();
    scope.orgs.dedup();
    scope
}

/// Which policy pages a user may read. The center's staff and editors read every page, so
/// that they can answer for it; a subsidiary's people read pages for everyone and those whose
/// audience names one of their organisations or its tier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyScope {
    pub everything: bool,
    pub orgs: Vec<OrgId>,
}

pub fn policy_scope(user: &CurrentUser) -> PolicyScope {
    let center_staff = user
        .memberships
        .iter()
        .any(|m| matches!(m.role, Role::Agent | Role::CustomerManager | Role::Admin));
    let everything = center_staff || may(user, Action::WritePolicies, Target::Portal).is_ok();
    let mut orgs: Vec<OrgId> = if everything { Vec::new() } else { user.memberships.iter().map(|m| m.org_id).collect() };
    orgs.sort();
    orgs.dedup();
    PolicyScope { everything, orgs }
}

/// The policy pages addressed to a user, by their own organisations: those they are told of
/// when published and asked to confirm. Staff read more than is addressed to them.
pub fn audience_scope(user: &CurrentUser) -> PolicyScope {
    let mut orgs: Vec<OrgId> = user.memberships.iter().map(|m| m.org_id).collect();
    orgs.sort();
    orgs.dedup();
    PolicyScope { everything: false, orgs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{auth::Membership, kernel::Language};

    const CENTER: OrgId = OrgId(1);
    const A: OrgId = OrgId(2);
    const B: OrgId = OrgId(3);

    fn user(id: i64, memberships: &[(OrgId, Role)], managed: &[OrgId]) -> CurrentUser {
        CurrentUser {
            id: UserId(id),
            email: format!("u{id}@example.com"),
            display_name: format!("User {id}"),
            language: Language::ZhCn,
            time_zone: "Asia/Shanghai".into(),
            memberships: memberships
                .iter()
                .map(|(org, role)| Membership {
                    org_id: *org,
                    org_code: format!("O{}", org.0),
                    org_name: format!("Org {}", org.0),
                    role: *role,
                })
                .collect(),
            managed_orgs: managed.to_vec(),
            permissions: Vec::new(),
        }
    }

    /// A request submitted by user 10 of subsidiary A.
    const REQUEST_OF_A: Target = Target::Request { org: A, requester: UserId(10), owner: Some(UserId(15)) };

    #[test]
    fn who_may_see_a_request_of_subsidiary_a() {
        let cases = [
            ("its requester", user(10, &[(A, Role::Client)], &[]), Ok(())),
            ("another client of A", user(11, &[(A, Role::Client)], &[]), Err(AppError::NotFound)),
            ("the org contact of A", user(12, &[(A, Role::OrgContact)], &[]), Ok(())),
            ("the org contact of B", user(13, &[(B, Role::OrgContact)], &[]), Err(AppError::NotFound)),
            ("a client of B", user(14, &[(B, Role::Client)], &[]), Err(AppError::NotFound)),
            ("an agent", user(15, &[(CENTER, Role::Agent)], &[]), Ok(())),
            ("A's customer manager", user(16, &[(CENTER, Role::CustomerManager)], &[A]), Ok(())),
            ("B's customer manager", user(17, &[(CENTER, Role::CustomerManager)], &[B]), Err(AppError::NotFound)),
            ("an admin", user(18, &[(CENTER, Role::Admin)], &[]), Ok(())),
            ("a user without memberships", user(19, &[], &[]), Err(AppError::NotFound)),
        ];
        for (who, u, expected) in cases {
            assert_eq!(may(&u, Action::ViewRequest, REQUEST_OF_A), expected, "{who}");
        }
    }

    #[test]
    fn only_the_owner_works_a_request_and_clients_never_do() {
        let owner = user(15, &[(CENTER, Role::Agent)], &[]);
        let other_agent = user(25, &[(CENTER, Role::Agent)], &[]);
        let requester = user(10, &[(A, Role::Client)], &[]);
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        assert_eq!(may(&owner, Action::WorkRequest, REQUEST_OF_A), Ok(()));
        assert_eq!(may(&other_agent, Action::WorkRequest, REQUEST_OF_A), Err(AppError::Forbidden));
        assert_eq!(may(&other_agent, Action::AddInternalNote, REQUEST_OF_A), Ok(()));
        assert_eq!(may(&requester, Action::WorkRequest, REQUEST_OF_A), Err(AppError::Forbidden));
        assert_eq!(may(&requester, Action::ClaimRequest, REQUEST_OF_A), Err(AppError::Forbidden));
        assert_eq!(may(&requester, Action::ViewInternal, REQUEST_OF_A), Err(AppError::NotFound));
        assert_eq!(may(&requester, Action::ActAsRequester, REQUEST_OF_A), Ok(()));
        assert_eq!(may(&owner, Action::ActAsRequester, REQUEST_OF_A), Err(AppError::Forbidden));
        assert_eq!(may(&admin, Action::TransferRequest, REQUEST_OF_A), Ok(()));
        assert_eq!(may(&admin, Action::WorkRequest, REQUEST_OF_A), Err(AppError::Forbidden));
    }

    #[test]
    fn only_subsidiary_members_submit_for_their_own_organisation() {
        let client = user(10, &[(A, Role::Client)], &[]);
        assert_eq!(may(&client, Action::SubmitRequest, Target::Organisation(A)), Ok(()));
        assert_eq!(may(&client, Action::SubmitRequest, Target::Organisation(B)), Err(AppError::Forbidden));
        let agent = user(15, &[(CENTER, Role::Agent)], &[]);
        assert_eq!(may(&agent, Action::SubmitRequest, Target::Organisation(A)), Err(AppError::Forbidden));
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        assert_eq!(may(&admin, Action::SubmitRequest, Target::Organisation(A)), Err(AppError::Forbidden));
    }

    #[test]
    fn only_admins_manage_users() {
        for role in [Role::Client, Role::OrgContact, Role::Agent, Role::CustomerManager] {
            let u = user(20, &[(CENTER, role)], &[A, B]);
            assert_eq!(may(&u, Action::ManageUsers, Target::Portal), Err(AppError::Forbidden), "{role}");
        }
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        assert_eq!(may(&admin, Action::ManageUsers, Target::Portal), Ok(()));
    }

    #[test]
    fn notifications_are_their_recipients_alone() {
        let client = user(10, &[(A, Role::Client)], &[]);
        assert_eq!(may(&client, Action::HandleOwnNotifications, Target::User(UserId(10))), Ok(()));
        assert_eq!(may(&client, Action::HandleOwnNotifications, Target::User(UserId(11))), Err(AppError::NotFound));
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        assert_eq!(may(&admin, Action::HandleOwnNotifications, Target::User(UserId(10))), Err(AppError::NotFound));
    }

    #[test]
    fn everyone_edits_only_their_own_account() {
        let client = user(10, &[(A, Role::Client)], &[]);
        assert_eq!(may(&client, Action::EditOwnAccount, Target::User(UserId(10))), Ok(()));
        assert_eq!(may(&client, Action::EditOwnAccount, Target::User(UserId(11))), Err(AppError::Forbidden));
    }

    #[test]
    fn list_scopes_follow_the_table() {
        let client = user(10, &[(A, Role::Client)], &[]);
        assert_eq!(request_scope(&client), RequestScope { everything: false, requester: Some(UserId(10)), orgs: vec![] });
        let contact = user(12, &[(A, Role::OrgContact)], &[]);
        assert_eq!(request_scope(&contact).orgs, vec![A]);
        let manager = user(16, &[(CENTER, Role::CustomerManager)], &[B, A]);
        assert_eq!(request_scope(&manager).orgs, vec![A, B]);
        assert!(request_scope(&user(15, &[(CENTER, Role::Agent)], &[])).everything);
        assert!(request_scope(&user(19, &[], &[])).is_empty());
    }

    #[test]
    fn the_operations_dashboard_is_for_managers_of_their_subsidiaries_admins_and_center_leads() {
        let manager = user(16, &[(CENTER, Role::CustomerManager)], &[B, A]);
        assert_eq!(operations_scope(&manager), Ok(OrgScope { everything: false, orgs: vec![A, B] }));
        assert!(operations_scope(&manager).is_ok_and(|s| s.contains(A) && !s.contains(OrgId(99))));
        // A manager with no subsidiary yet has an empty dashboard, not a missing one.
        assert_eq!(operations_scope(&user(17, &[(CENTER, Role::CustomerManager)], &[])), Ok(OrgScope::default()));
        assert!(operations_scope(&user(18, &[(CENTER, Role::Admin)], &[])).is_ok_and(|s| s.everything));
        for (who, u) in [
            ("client", user(10, &[(A, Role::Client)], &[])),
            ("contact", user(12, &[(A, Role::OrgContact)], &[])),
            ("agent", user(15, &[(CENTER, Role::Agent)], &[])),
        ] {
            assert_eq!(operations_scope(&u), Err(AppError::NotFound), "{who}");
        }
        let mut lead = user(15, &[(CENTER, Role::Agent)], &[]);
        lead.permissions = vec![Permission::CenterLead];
        assert!(operations_scope(&lead).is_ok_and(|s| s.everything && s.contains(OrgId(99))));
        let mut editor = user(15, &[(CENTER, Role::Agent)], &[]);
        editor.permissions = vec![Permission::Editor];
        assert_eq!(operations_scope(&editor), Err(AppError::NotFound), "editing policies is not reading operations");
    }

    #[test]
    fn ratings_are_given_by_their_submitter_and_seen_by_whom_they_concern() {
        let rating = |released| Target::Rating {
            org: A,
            rater: UserId(10),
            resolver: Some(UserId(15)),
            first_owner: Some(UserId(14)),
            comment_released: released,
        };
        let requester = user(10, &[(A, Role::Client)], &[]);
        let contact = user(12, &[(A, Role::OrgContact)], &[]);
        let resolver = user(15, &[(CENTER, Role::Agent)], &[]);
        let first_owner = user(14, &[(CENTER, Role::Agent)], &[]);
        let other_agent = user(25, &[(CENTER, Role::Agent)], &[]);
        let manager_a = user(16, &[(CENTER, Role::CustomerManager)], &[A]);
        let manager_b = user(17, &[(CENTER, Role::CustomerManager)], &[B]);
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);

        assert_eq!(may(&requester, Action::RateRequest, REQUEST_OF_A), Ok(()));
        for (who, u) in [("agent", &resolver), ("manager", &manager_a), ("admin", &admin), ("contact of A", &contact)] {
            assert_eq!(may(u, Action::RateRequest, REQUEST_OF_A), Err(AppError::Forbidden), "{who} does not rate another's request");
        }
        for (who, u, sees, reads_hidden) in [
            ("requester", &requester, true, true),
            ("contact of A", &contact, true, true),
            ("resolver", &resolver, true, false),
            ("first owner", &first_owner, true, false),
            ("another agent", &other_agent, false, false),
            ("A's manager", &manager_a, true, true),
            ("B's manager", &manager_b, false, false),
            ("admin", &admin, true, true),
        ] {
            assert_eq!(may(u, Action::ViewRating, rating(false)).is_ok(), sees, "{who} sees");
            assert_eq!(may(u, Action::ReadRatingComment, rating(false)).is_ok(), reads_hidden, "{who} reads the comment");
        }
        assert_eq!(may(&resolver, Action::ReadRatingComment, rating(true)), Ok(()), "released to the credited agents");
        assert_eq!(may(&other_agent, Action::ReadRatingComment, rating(true)), Err(AppError::NotFound));
    }

    #[test]
    fn a_follow_up_is_closed_by_its_manager_or_an_admin() {
        let assigned = Target::FollowUp { org: A, assignee: Some(UserId(16)) };
        let to_admins = Target::FollowUp { org: A, assignee: None };
        let manager_a = user(16, &[(CENTER, Role::CustomerManager)], &[A]);
        let second_manager_a = user(19, &[(CENTER, Role::CustomerManager)], &[A]);
        let manager_b = user(17, &[(CENTER, Role::CustomerManager)], &[B]);
        let agent = user(15, &[(CENTER, Role::Agent)], &[]);
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        assert_eq!(may(&manager_a, Action::CloseFollowUp, assigned), Ok(()));
        assert_eq!(may(&second_manager_a, Action::CloseFollowUp, assigned), Err(AppError::Forbidden));
        assert_eq!(may(&manager_a, Action::CloseFollowUp, to_admins), Err(AppError::Forbidden));
        assert_eq!(may(&admin, Action::CloseFollowUp, assigned), Ok(()));
        assert_eq!(may(&agent, Action::CloseFollowUp, assigned), Err(AppError::Forbidden));
        assert_eq!(may(&agent, Action::ViewFollowUp, assigned), Ok(()), "the center's staff see it");
        assert_eq!(may(&manager_b, Action::ViewFollowUp, assigned), Err(AppError::NotFound));
        assert_eq!(may(&user(10, &[(A, Role::Client)], &[]), Action::ViewFollowUp, assigned), Err(AppError::NotFound));
        assert_eq!(follow_up_scope(&manager_b), RequestScope { everything: false, requester: None, orgs: vec![B] });
        assert!(follow_up_scope(&admin).everything);
        assert!(follow_up_scope(&agent).is_empty(), "agents have no follow-up list");
    }

    #[test]
    fn editors_write_policies_and_everyone_reads_within_their_audience() {
        let client = user(10, &[(A, Role::Client)], &[]);
        let agent = user(15, &[(CENTER, Role::Agent)], &[]);
        let mut editor = user(16, &[(CENTER, Role::Agent)], &[]);
        editor.permissions.push(Permission::Editor);
        let admin = user(18, &[(CENTER, Role::Admin)], &[]);
        for (who, u, writes) in [("client", &client, false), ("agent", &agent, false), ("editor", &editor, true), ("admin", &admin, true)] {
            assert_eq!(may(u, Action::WritePolicies, Target::Portal).is_ok(), writes, "{who} writes");
            assert_eq!(may(u, Action::SeePolicyFeedback, Target::Portal).is_ok(), writes, "{who} sees feedback");
            assert_eq!(may(u, Action::ReadPolicies, Target::Portal), Ok(()), "{who} reads");
        }
        assert_eq!(may(&editor, Action::GrantPermissions, Target::Portal), Err(AppError::Forbidden));
        assert_eq!(policy_scope(&client), PolicyScope { everything: false, orgs: vec![A] });
        assert!(policy_scope(&agent).everything);
        let mut lone_editor = user(20, &[], &[]);
        lone_editor.permissions.push(Permission::Editor);
        assert!(policy_scope(&lone_editor).everything, "an editor reads what they write");
        assert_eq!(policy_scope(&user(21, &[], &[])), PolicyScope::default(), "no membership, no audience");
        assert_eq!(audience_scope(&agent), PolicyScope { everything: false, orgs: vec![CENTER] }, "staff are asked only what is addressed to them");
        assert_eq!(audience_scope(&client), policy_scope(&client));
    }
}

/// Which organisations' operations a user may analyse, derived from the `ViewOperations` row of
/// [`RULES`] and the grants; "not found" when the dashboard is not theirs at all.
pub fn operations_scope(user: &CurrentUser) -> Result<OrgScope, AppError> {
    org_scope(user, Action::ViewOperations)
}

/// Whose monthly statements a user may read, from the `ViewStatements` row of [`RULES`].
pub fn statement_scope(user: &CurrentUser) -> Result<OrgScope, AppError> {
    org_scope(user, Action::ViewStatements)
}

/// The organisations `action` reaches for `user`. A role whose column reaches anything gets a
/// scope, even an empty one (a manager with no subsidiary yet); no such role, the refusal.
fn org_scope(user: &CurrentUser, action: Action) -> Result<OrgScope, AppError> {
    let (reaches, refusal) = rule(action);
    let mut scope = OrgScope::default();
    scope.everything = PERMISSION_RULES
        .iter()
        .any(|(permission, actions)| user.has_permission(*permission) && actions.contains(&action));
    for m in &user.memberships {
        match reaches[column(m.role)] {
            Everything => scope.everything = true,
            ManagedOrganisations => scope.orgs.extend(user.managed_orgs.iter().copied()),
            OwnOrganisation => scope.orgs.push(m.org_id),
            Nothing | Own | Assigned | Credited | CreditedReleased => {}
        }
    }
    scope.orgs.sort();
    scope.orgs.dedup();
    let has_role = user.memberships.iter().any(|m| reaches[column(m.role)] != Nothing);
    if scope.everything || has_role {
        Ok(scope)
    } else {
        Err(match refusal {
            Refusal::Forbidden => AppError::Forbidden,
            Refusal::NotFound => AppError::NotFound,
        })
    }
}

/// A set of organisations: all of them, or these.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgScope {
    pub everything: bool,
    pub orgs: Vec<OrgId>,
}

impl OrgScope {
    pub fn contains(&self, org: OrgId) -> bool {
        self.everything || self.orgs.contains(&org)
    }
}
