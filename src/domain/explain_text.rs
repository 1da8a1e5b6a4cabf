//! The explanations and previews as plain text, for the command line and the terminal app alike
//! (one wording, two screens).

use super::Time;
use super::explain::RequestExplained;
use super::explain_holds::{HoldsExplained, Source};
use super::flow::RequestType;
use super::ids::{OrgId, UserId};
use super::tenant::Tenant;
use super::what_if::{Happening, Preview};
use super::what_if_policy::{FirstOf, Kept, PolicyPreview};

fn time(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

impl RequestExplained {
    /// The verdict, then each condition: `yes`, `NO` (the answer marked), or `--` for what
    /// alone refuses nothing (the package hidden, one policy of several).
    pub fn text(&self) -> String {
        let mut out = format!(
            "Can {} request '{}'? {}\n{}\nListed in their My Access: {}\n\n",
            self.person,
            self.package_name,
            if self.can_request { "Yes" } else { "No" },
            self.answer,
            if self.can_see { "yes" } else { "no" },
        );
        let mut answered = false;
        for v in &self.conditions {
            let mark = match (v.passed, v.condition.refuses()) {
                (true, _) => "yes",
                (false, true) => "NO ",
                (false, false) => "-- ",
            };
            let first = !v.passed && v.condition.refuses() && !answered;
            answered |= first;
            let tail = if first { "  <- the answer" } else { "" };
            out.push_str(&format!("  {mark} {}: {}{tail}\n", v.label, v.says));
        }
        out
    }
}

impl HoldsExplained {
    /// Each membership, each source, and what its end would do.
    pub fn text(&self, role: Option<&str>) -> String {
        if self.memberships.is_empty() {
            let what = role.map(|r| format!(" as {r}")).unwrap_or_default();
            return format!("{} does not hold {}{what} (or you may not see why)\n", self.user_name, self.resource_name);
        }
        let mut out = String::new();
        for m in &self.memberships {
            out.push_str(&format!("{} holds {} {}:\n", self.user_name, self.resource_name, m.role));
            for s in &m.sources {
                out.push_str(&format!("  - {}\n", s.source.text()));
                out.push_str(&format!("    if it ended: {}\n", s.if_ended));
            }
        }
        out
    }
}

impl Source {
    pub fn text(&self) -> String {
        let Source::Assignment {
            assignment,
            package_name,
            policy_name,
            revision,
            since,
            until,
            request,
            request_type,
            requested_by,
            approved_by,
            ..
        } = self
        else {
            return "a direct membership, made outside access packages".into();
        };
        let by = requested_by.as_deref().unwrap_or("the system");
        let asked = match request_type {
            Some(RequestType::AdminAdd) => format!(", assigned directly by {by}"),
            Some(_) => format!(", requested by {by}"),
            None => String::new(),
        };
        let approved = match approved_by.as_slice() {
            [] if *request_type == Some(RequestType::AdminAdd) => String::new(),
            [] => ", no approval needed".to_string(),
            names => format!(", approved by {}", names.join(", ")),
        };
        format!(
            "assignment {assignment} of '{package_name}' under policy '{policy_name}' (revision {revision}), since {} until {} ({request}{asked}{approved})",
            time(*since),
            until.map_or_else(|| "no end".to_string(), time),
        )
    }
}

impl Happening {
    /// One line: when, what, about what or whom, and the detail.
    pub fn line(&self) -> String {
        match self {
            Happening::Event { at, activity, object, summary, .. } => {
                format!("{}  {activity}  {object}: {summary}", time(*at))
            }
            Happening::Notice { at, kind, to, subject, .. } => {
                format!("{}  notice.{kind}  to {to}: {subject}", time(*at))
            }
            Happening::Call { at, extension, stage, object } => {
                format!(
                    "{}  customExtension.call  {object}: '{extension}' at {stage} (not run in a preview)",
                    time(*at)
                )
            }
        }
    }
}

impl Preview {
    /// The message, the counts per kind, then every happening in order.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("Nothing changed yet. {}", self.message), String::new()];
        if self.happenings.is_empty() {
            out.push("Nothing would fire.".into());
            return out;
        }
        out.push("Counts:".into());
        out.extend(self.counts.iter().map(|(k, n)| format!("  {n:>6}  {k}")));
        out.push(String::new());
        out.push("In order:".into());
        out.extend(self.happenings.iter().map(Happening::line));
        out
    }
}

impl PolicyPreview {
    /// What the save would change, a line per list (the first names of each, and how many).
    pub fn text(&self, t: &Tenant) -> String {
        let users = |l: &FirstOf<UserId>| named(l, |u| t.user_name(*u));
        let kept = |l: &FirstOf<Kept>| named(l, |k| format!("{} {} (revision {})", k.id, k.who, k.revision));
        let orgs = |l: &[OrgId]| {
            let names: Vec<String> =
                l.iter().map(|o| t.orgs.get(o).map(|o| o.display_name.clone()).unwrap_or_default()).collect();
            if names.is_empty() { "-".to_string() } else { names.join(", ") }
        };
        let revision = if self.new_revision == self.revision {
            format!("{} (the terms do not change)", self.revision)
        } else {
            format!("{} -> {} (for new requests only)", self.revision, self.new_revision)
        };
        let mut out = "Dry run, nothing saved.\n".to_string();
        for (k, v) in [
            ("Revision", revision),
            ("Assignments keep their terms", kept(&self.assignments_keep_terms)),
            ("Waiting requests keep theirs", kept(&self.requests_keep_terms)),
            ("Could request it after", users(&self.gain)),
            ("Could no longer request it", users(&self.lose)),
            ("Organizations gaining it", orgs(&self.orgs_gain)),
            ("Organizations losing it", orgs(&self.orgs_lose)),
        ] {
            out.push_str(&format!("  {k:<29} {v}\n"));
        }
        match self.any_external {
            Some(true) => out.push_str("People of no connected organization could request it after\n"),
            Some(false) => out.push_str("People of no connected organization could no longer request it\n"),
            None => {}
        }
        out
    }
}

/// "COUNT: first, second, ... and N more", or "0".
fn named<T>(l: &FirstOf<T>, name: impl Fn(&T) -> String) -> String {
    if l.count == 0 {
        return "0".into();
    }
    let mut shown: Vec<String> = l.first.iter().map(name).collect();
    if l.count > l.first.len() {
        shown.push(format!("and {} more", l.count - l.first.len()));
    }
    format!("{}: {}", l.count, shown.join(", "))
}
