//! The plan inside `postroom process --dry-run`: every stage on one message, nothing
//! looked up, the result written into the dry-run [`Outcome`].

use crate::classify::{self, Classification};
use crate::message::{Message, Parsed};
use crate::outcome::{ActionSummary, Outcome, Source};
use crate::profile::CheckedProfile;
use crate::thread::Answers;

use super::{Plan, PlanInput, decide, prepare};

/// Classifies and plans one message: the whole inbound decision short of the engine.
/// `visible_text` is the reply extraction's new text (see [`crate::reply`]).
pub fn plan_message(
    message: &Message,
    visible_text: &str,
    profile: &CheckedProfile,
    answers: &Answers,
) -> (Classification, Plan) {
    let classification = classify::classify(message, &profile.classify_context());
    let input = PlanInput {
        message,
        classification: &classification,
        visible_text,
    };
    let prepared = prepare(&input, profile);
    let plan = decide(&input, prepared, profile, answers);
    (classification, plan)
}

/// Writes the plan into the outcome's `thread`, `directives`, `action` and `report` keys.
pub fn apply(plan: &Plan, outcome: &mut Outcome) {
    outcome.thread = plan
        .thread
        .as_ref()
        .and_then(|t| serde_json::to_value(t).ok());
    outcome.directives = plan.directives.to_json();
    let mut detail = match serde_json::to_value(&plan.action) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    detail.remove("kind");
    detail.remove("reason");
    outcome.action = ActionSummary {
        kind: plan.action.kind().to_owned(),
        reason: plan.action.reason().to_owned(),
        detail,
    };
    outcome.report.extend(plan.report.iter().cloned());
}

/// The dry-run outcome of one message under `profile`, with the lookups unanswered: keys
/// are taken on trust, Message-IDs and foreign keys cannot match.
pub fn outcome(source: Source, parsed: &Parsed, profile: &CheckedProfile) -> Outcome {
    let mut outcome = Outcome::classified(source, parsed, &profile.classify_context());
    let (_, mut plan) = plan_message(
        &parsed.message,
        &outcome.visible_text,
        profile,
        &Answers::unknown(),
    );
    if let Some(note) = super::trust::unchecked(&plan, profile) {
        plan.report.push(note);
    }
    if let Some(note) = plan.notice_note(profile) {
        plan.report.push(note);
    }
    apply(&plan, &mut outcome);
    outcome
}
