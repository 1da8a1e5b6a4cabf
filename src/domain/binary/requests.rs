//! The open requests in the binary cache layout. They were the biggest part of the cache's
//! JSON (50,000 open requests at the scale of the benchmark: 125 ms of the open's first core,
//! against about 20 ms for these fields). Like the tables in `records`, every field is taken
//! apart by name, so a field added to a request is a compile error here until it is kept.

use std::collections::BTreeMap;

use super::codec::{Got, In, Out, bad};
use super::records::{read_request_state, request_state};
use crate::domain::flow::{HistoryLine, Request, RequestType, StageDecision, Target};
use crate::domain::ids::{AssignmentId, OrgId, PackageId, PolicyId, QuestionId, RequestId, UserId};

/// The fewest bytes a request takes (its id, type, package, policy, revision, requestor,
/// target kind and user, justification, answers, state, creation, stage, stage start,
/// approvers, escalation, quorum, decisions, start, end, assignment, history, completion).
pub const MIN_REQUEST: usize = 23;

fn request_type(t: RequestType) -> u8 {
    match t {
        RequestType::UserAdd => 0,
        RequestType::UserExtend => 1,
        RequestType::UserRemove => 2,
        RequestType::AdminAdd => 3,
        RequestType::AdminRemove => 4,
        RequestType::SystemAdd => 5,
        RequestType::SystemRemove => 6,
    }
}

fn read_request_type(r: &mut In) -> Got<RequestType> {
    Ok(match r.u8()? {
        0 => RequestType::UserAdd,
        1 => RequestType::UserExtend,
        2 => RequestType::UserRemove,
        3 => RequestType::AdminAdd,
        4 => RequestType::AdminRemove,
        5 => RequestType::SystemAdd,
        6 => RequestType::SystemRemove,
        n => return bad(format!("request type {n}")),
    })
}

/// A count or a stage number (far below 4 G; a larger one is refused on reading).
fn small(out: &mut Out, n: usize) {
    out.len(n);
}

fn read_small(r: &mut In) -> Got<usize> {
    usize::try_from(r.u32()?).map_err(|_| super::codec::Bad("a number too large".into()))
}

pub fn request(out: &mut Out, q: &Request) {
    let Request {
        id,
        request_type: kind,
        package,
        policy,
        revision,
        requestor,
        target,
        justification,
        answers,
        state,
        created_at,
        stage,
        stage_started,
        approvers,
        escalated,
        needed,
        decisions,
        start,
        end,
        assignment,
        history,
        completed_at,
    } = q;
    out.u64(id.0);
    out.u8(request_type(*kind));
    out.u64(package.0);
    out.u64(policy.0);
    out.u32(*revision);
    out.opt_id(requestor.map(|u| u.0));
    match target {
        Target::User { user } => {
            out.u8(0);
            out.u64(user.0);
        }
        Target::External { email, display_name, org } => {
            out.u8(1);
            out.str(email);
            out.str(display_name);
            out.opt_id(org.map(|o| o.0));
        }
    }
    out.str(justification);
    out.len(answers.len());
    for (question, answer) in answers {
        out.u64(question.0);
        out.str(answer);
    }
    out.u8(request_state(*state));
    out.time(*created_at);
    small(out, *stage);
    out.opt_time(*stage_started);
    out.len(approvers.len());
    for a in approvers {
        out.u64(a.0);
    }
    out.bool(*escalated);
    small(out, *needed);
    out.len(decisions.len());
    for d in decisions {
        let StageDecision { stage, by, approved, reason, at } = d;
        small(out, *stage);
        out.u64(by.0);
        out.bool(*approved);
        out.str(reason);
        out.time(*at);
    }
    out.opt_time(*start);
    out.opt_time(*end);
    out.opt_id(assignment.map(|a| a.0));
    out.len(history.len());
    for h in history {
        let HistoryLine { at, text } = h;
        out.time(*at);
        out.str(text);
    }
    out.opt_time(*completed_at);
}

pub fn read_request(r: &mut In) -> Got<(RequestId, Request)> {
    let id = RequestId(r.u64()?);
    let request_type = read_request_type(r)?;
    let package = PackageId(r.u64()?);
    let policy = PolicyId(r.u64()?);
    let revision = r.u32()?;
    let requestor = r.opt_id()?.map(UserId);
    let target = match r.u8()? {
        0 => Target::User { user: UserId(r.u64()?) },
        1 => Target::External { email: r.string()?, display_name: r.string()?, org: r.opt_id()?.map(OrgId) },
        n => return bad(format!("request target kind {n}")),
    };
    let justification = r.string()?;
    let n = r.len(2)?;
    let mut answers = BTreeMap::new();
    for _ in 0..n {
        let question = QuestionId(r.u64()?);
        if answers.insert(question, r.string()?).is_some() {
            return bad(format!("question {} answered twice", question.0));
        }
    }
    let state = read_request_state(r)?;
    let created_at = r.time()?;
    let stage = read_small(r)?;
    let stage_started = r.opt_time()?;
    let n = r.len(1)?;
    let mut approvers = Vec::with_capacity(n);
    for _ in 0..n {
        approvers.push(UserId(r.u64()?));
    }
    let escalated = r.bool()?;
    let needed = read_small(r)?;
    let n = r.len(5)?;
    let mut decisions = Vec::with_capacity(n);
    for _ in 0..n {
        let stage = read_small(r)?;
        let by = UserId(r.u64()?);
        let approved = r.bool()?;
        let reason = r.string()?;
        let at = r.time()?;
        decisions.push(StageDecision { stage, by, approved, reason, at });
    }
    let start = r.opt_time()?;
    let end = r.opt_time()?;
    let assignment = r.opt_id()?.map(AssignmentId);
    let n = r.len(2)?;
    let mut history = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.time()?;
        history.push(HistoryLine { at, text: r.string()? });
    }
    let completed_at = r.opt_time()?;
    let q = Request {
        id,
        request_type,
        package,
        policy,
        revision,
        requestor,
        target,
        justification,
        answers,
        state,
        created_at,
        stage,
        stage_started,
        approvers,
        escalated,
        needed,
        decisions,
        start,
        end,
        assignment,
        history,
        completed_at,
    };
    Ok((id, q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Time;

    fn at(secs: i64) -> Time {
        chrono::DateTime::from_timestamp(secs, 0).expect("a time")
    }

    /// A request with every field set away from its default, and one with none set.
    fn full() -> Request {
        Request {
            id: RequestId(41),
            request_type: RequestType::UserExtend,
            package: PackageId(7),
            policy: PolicyId(9),
            revision: 3,
            requestor: Some(UserId(5)),
            target: Target::External {
                email: "ada@fabrikam.example".into(),
                display_name: "Ada".into(),
                org: Some(OrgId(2)),
            },
            justification: "Needed for the audit, « quarterly »".into(),
            answers: BTreeMap::from([(QuestionId(1), "yes".into()), (QuestionId(4), "Team Blue".into())]),
            state: RequestState::PendingApproval,
            created_at: at(1_777_971_600),
            stage: 2,
            stage_started: Some(at(1_777_975_200)),
            approvers: vec![UserId(11), UserId(12)],
            escalated: true,
            needed: 2,
            decisions: vec![
                StageDecision { stage: 0, by: UserId(3), approved: true, reason: "ok".into(), at: at(1_777_972_000) },
                StageDecision { stage: 1, by: UserId(4), approved: true, reason: String::new(), at: at(1_777_973_000) },
            ],
            start: Some(at(1_778_000_000)),
            end: Some(at(-86_400)),
            assignment: Some(AssignmentId(88)),
            history: vec![HistoryLine { at: at(1_777_971_600), text: "Submitted".into() }],
            completed_at: Some(at(1_779_000_000)),
        }
    }

    use crate::domain::flow::RequestState;

    #[test]
    fn a_request_round_trips_with_every_field_and_with_none() {
        let mut bare = full();
        bare.requestor = None;
        bare.target = Target::User { user: UserId(6) };
        bare.justification.clear();
        bare.answers.clear();
        bare.stage = 0;
        bare.stage_started = None;
        bare.approvers.clear();
        bare.escalated = false;
        bare.needed = 1;
        bare.decisions.clear();
        bare.start = None;
        bare.end = None;
        bare.assignment = None;
        bare.history.clear();
        bare.completed_at = None;
        for q in [full(), bare] {
            let mut out = Out::default();
            request(&mut out, &q);
            assert!(out.buf.len() >= MIN_REQUEST);
            let mut r = In::new(&out.buf);
            assert_eq!(read_request(&mut r), Ok((q.id, q.clone())));
            assert!(r.is_empty());
            // Cut anywhere, it is refused, never misread and never a panic.
            for cut in 0..out.buf.len() {
                assert!(read_request(&mut In::new(out.buf.get(..cut).unwrap_or_default())).is_err(), "cut at {cut}");
            }
        }
    }

    #[test]
    fn an_unknown_type_or_target_kind_is_refused() {
        let mut out = Out::default();
        request(&mut out, &full());
        let mut bytes = out.buf.clone();
        if let Some(kind) = bytes.get_mut(1) {
            *kind = 7;
        }
        assert!(read_request(&mut In::new(&bytes)).is_err());
    }
}
