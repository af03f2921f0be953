//! Who hears of a change to a request, and as what: the requests' rules, handed to the
//! notifications capability as a batch written in the change's own transaction.

use super::{
    store::{Change, RequestState},
    EventKind,
};
use crate::{
    auth::CurrentUser,
    error::AppError,
    kernel::{RequestId, RequestStatus, UserId},
    notifications::{
        excerpt,
        service::{build, About},
        store::{self as notification_store, Batch},
        NotificationKind, EXCERPT_MAX,
    },
    state::AppState,
};

/// Who hears of a change to a request, and as what. The actor never hears of their own
/// action, and internal notes reach nobody outside the center's timeline.
pub fn request_targets(
    before: &RequestState,
    change: &Change,
    actor_is_client: bool,
    followers: &[UserId],
) -> Vec<(UserId, NotificationKind)> {
    let event = &change.event;
    if event.internal {
        return Vec::new();
    }
    let mut targets = Vec::new();
    if event.kind == EventKind::OwnerChanged {
        if let Some(owner) = change.owner_id.filter(|o| Some(*o) != before.owner_id) {
            targets.push((owner, NotificationKind::Assigned));
        }
    }
    if change.status != before.status {
        let kind = if change.status == RequestStatus::AwaitingClient {
            NotificationKind::NeedsInformation
        } else {
            NotificationKind::StatusChanged
        };
        // The submitter alone rates a resolution: their news of it is the invitation.
        let requester_kind =
            if change.status == RequestStatus::Resolved { NotificationKind::RatingRequested } else { kind };
        targets.push((before.requester_id, requester_kind));
        targets.extend(followers.iter().map(|f| (*f, kind)));
        // What the client side does to a request is news to its agent.
        if actor_is_client && event.kind != EventKind::Message {
            if let Some(owner) = before.owner_id {
                targets.push((owner, NotificationKind::StatusChanged));
            }
        }
    }
    if event.kind == EventKind::Message {
        let other_side = if actor_is_client { before.owner_id } else { Some(before.requester_id) };
        if let Some(user) = other_side {
            targets.push((user, NotificationKind::Reply));
        }
    }
    targets.retain(|(user, _)| *user != change.actor);
    targets
}

/// The batch for a change about to be applied to request `id`.
pub async fn for_request_change(
    state: &AppState,
    actor: &CurrentUser,
    id: RequestId,
    before: &RequestState,
    change: &Change,
    actor_is_client: bool,
) -> Result<Batch, AppError> {
    let followers = if change.status != before.status {
        notification_store::org_followers(&state.db, before.org_id).await?
    } else {
        Vec::new()
    };
    let targets = request_targets(before, change, actor_is_client, &followers);
    if targets.is_empty() {
        return Ok(Batch::default());
    }
    let mut about = About::request(id, before.reference_no.as_str(), &before.title);
    about.status = Some(change.status);
    about.actor_name = Some(actor.display_name.clone());
    about.excerpt = change.event.note.as_deref().map(|n| excerpt(n, EXCERPT_MAX)).filter(|e| !e.is_empty());
    Ok(build(&state.db, &state.settings, &about, &targets).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        kernel::{OrgId, ReferenceNo, RequestAction, TeamId, TypeVersionId},
        requests::store::NewEvent,
    };
    use chrono::Utc;

    const REQUESTER: UserId = UserId(10);
    const AGENT: UserId = UserId(20);
    const OTHER_AGENT: UserId = UserId(21);
    const CONTACT: UserId = UserId(30);

    fn state(status: RequestStatus, owner: Option<UserId>) -> RequestState {
        RequestState {
            org_id: OrgId(2),
            requester_id: REQUESTER,
            owner_id: owner,
            owner_name: None,
            first_owner_id: owner,
            team_id: TeamId(1),
            type_version_id: TypeVersionId(1),
            status,
            version: 3,
            reference_no: ReferenceNo::new(2026, 7),
            title: "差旅费".into(),
            first_responded_at: None,
            awaiting_since: None,
            resolution_due: Utc::now(),
            resolved_at: None,
            resolution: None,
            reject_reason: None,
            resolution_count: 0,
            resolved_by: None,
        }
    }

    fn change(actor: UserId, from: &RequestState, to: RequestStatus, kind: EventKind, action: Option<RequestAction>) -> Change {
        Change {
            actor,
            status: to,
            owner_id: from.owner_id,
            first_owner_id: from.first_owner_id,
            team_id: from.team_id,
            first_responded_at: None,
            awaiting_since: None,
            resolution_due: from.resolution_due,
            resolved_at: None,
            resolution: None,
            reject_reason: None,
            resolution_count: 0,
            resolved_by: None,
            stood_resolved_since: None,
            event: NewEvent {
                kind,
                action,
                from_status: Some(from.status),
                to_status: Some(to),
                note: Some("请补充酒店发票".into()),
                internal: kind == EventKind::InternalNote,
                owner_id: None,
                team_id: None,
                reason_code: None,
            },
            files: Vec::new(),
            now: Utc::now(),
        }
    }

    #[test]
    fn asking_for_information_tells_the_requester_and_following_contacts() {
        let before = state(RequestStatus::InReview, Some(AGENT));
        let c = change(AGENT, &before, RequestStatus::AwaitingClient, EventKind::StatusChanged, Some(RequestAction::AskForInformation));
        assert_eq!(
            request_targets(&before, &c, false, &[CONTACT]),
            vec![(REQUESTER, NotificationKind::NeedsInformation), (CONTACT, NotificationKind::NeedsInformation)]
        );
    }

    #[test]
    fn a_public_reply_goes_to_the_other_side_only() {
        let before = state(RequestStatus::InReview, Some(AGENT));
        let from_agent = change(AGENT, &before, RequestStatus::InReview, EventKind::Message, None);
        assert_eq!(request_targets(&before, &from_agent, false, &[]), vec![(REQUESTER, NotificationKind::Reply)]);
        let from_client = change(REQUESTER, &before, RequestStatus::InReview, EventKind::Message, None);
        assert_eq!(request_targets(&before, &from_client, true, &[]), vec![(AGENT, NotificationKind::Reply)]);
    }

    #[test]
    fn the_clients_answer_to_a_question_reaches_the_agent_as_a_reply() {
        let before = state(RequestStatus::AwaitingClient, Some(AGENT));
        let c = change(REQUESTER, &before, RequestStatus::InReview, EventKind::Message, Some(RequestAction::ProvideInformation));
        assert_eq!(request_targets(&before, &c, true, &[]), vec![(AGENT, NotificationKind::Reply)]);
    }

    #[test]
    fn internal_notes_reach_nobody() {
        let before = state(RequestStatus::InReview, Some(AGENT));
        let c = change(OTHER_AGENT, &before, RequestStatus::InReview, EventKind::InternalNote, None);
        assert!(request_targets(&before, &c, false, &[CONTACT]).is_empty());
    }

    #[test]
    fn a_claim_tells_the_requester_and_a_transfer_tells_the_new_owner() {
        let before = state(RequestStatus::Submitted, None);
        let mut claim = change(AGENT, &before, RequestStatus::InReview, EventKind::OwnerChanged, Some(RequestAction::Claim));
        claim.owner_id = Some(AGENT);
        assert_eq!(request_targets(&before, &claim, false, &[]), vec![(REQUESTER, NotificationKind::StatusChanged)]);

        let owned = state(RequestStatus::InReview, Some(AGENT));
        let mut transfer = change(AGENT, &owned, RequestStatus::InReview, EventKind::OwnerChanged, Some(RequestAction::Transfer));
        transfer.owner_id = Some(OTHER_AGENT);
        assert_eq!(request_targets(&owned, &transfer, false, &[]), vec![(OTHER_AGENT, NotificationKind::Assigned)]);
    }

    #[test]
    fn a_resolution_invites_the_requester_to_rate_and_tells_followers_of_the_status() {
        let before = state(RequestStatus::InReview, Some(AGENT));
        let c = change(AGENT, &before, RequestStatus::Resolved, EventKind::StatusChanged, Some(RequestAction::Resolve));
        assert_eq!(
            request_targets(&before, &c, false, &[CONTACT]),
            vec![(REQUESTER, NotificationKind::RatingRequested), (CONTACT, NotificationKind::StatusChanged)]
        );
    }

    #[test]
    fn a_withdrawal_tells_the_agent() {
        let before = state(RequestStatus::InReview, Some(AGENT));
        let c = change(REQUESTER, &before, RequestStatus::Withdrawn, EventKind::StatusChanged, Some(RequestAction::Withdraw));
        assert_eq!(request_targets(&before, &c, true, &[]), vec![(AGENT, NotificationKind::StatusChanged)]);
    }
}
