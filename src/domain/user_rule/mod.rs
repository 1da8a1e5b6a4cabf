//! The rule of an automatic policy: the dynamic-membership subset of Entra's rule syntax, over
//! the user attributes an administrator sets. `user.department -eq "Sales" -and user.userType -eq
//! "Member"`; operators `-eq`, `-ne`, `-startsWith`, `-in ["a","b"]`, `-and` (binds tighter than
//! `-or`), `-or`, and parentheses. Property names, operators and values compare without regard to
//! case, as the real service does. A rule is at most [`RULE_CHARS`] characters and
//! [`RULE_DEPTH`] parentheses deep, so that neither parsing nor evaluating it can run deep; a
//! parse error names the character where it went wrong and what was expected there.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use strum::{EnumIter, IntoEnumIterator};

use super::directory::{User, UserType};

/// The longest rule, in characters (the real service's limit for a membership rule).
pub const RULE_CHARS: usize = 3072;
/// The deepest nesting of parentheses.
pub const RULE_DEPTH: usize = 10;

/// A user attribute a rule reads and an administrator sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, EnumIter)]
#[serde(rename_all = "camelCase")]
pub enum Property {
    Department,
    JobTitle,
    CompanyName,
    Country,
    EmployeeType,
    /// The manager's id (`u12`), as the real service compares object ids.
    Manager,
    /// `Member` or `Guest`.
    UserType,
}

impl Property {
    /// The name after `user.` in a rule (Graph's property name).
    pub fn name(self) -> &'static str {
        match self {
            Property::Department => "department",
            Property::JobTitle => "jobTitle",
            Property::CompanyName => "companyName",
            Property::Country => "country",
            Property::EmployeeType => "employeeType",
            Property::Manager => "manager",
            Property::UserType => "userType",
        }
    }

    /// How the screen names it.
    pub fn label(self) -> &'static str {
        match self {
            Property::Department => "Department",
            Property::JobTitle => "Job title",
            Property::CompanyName => "Company name",
            Property::Country => "Country",
            Property::EmployeeType => "Employee type",
            Property::Manager => "Manager",
            Property::UserType => "User type",
        }
    }

    /// The longest value an administrator may set (Graph's limits for the text attributes).
    pub fn max_chars(self) -> usize {
        match self {
            Property::Department | Property::CompanyName | Property::EmployeeType => 64,
            Property::JobTitle | Property::Country => 128,
            Property::Manager | Property::UserType => 32,
        }
    }

    fn parse(name: &str) -> Option<Property> {
        Property::iter().find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The user's value of the attribute, as a rule compares it (borrowed where it can be: a
    /// directory's evaluation reads millions of them).
    pub fn value_of(self, u: &User) -> Cow<'_, str> {
        match self {
            Property::Department => Cow::Borrowed(&u.department),
            Property::JobTitle => Cow::Borrowed(&u.job_title),
            Property::CompanyName => Cow::Borrowed(&u.company_name),
            Property::Country => Cow::Borrowed(&u.country),
            Property::EmployeeType => Cow::Borrowed(&u.employee_type),
            Property::Manager => Cow::Owned(u.manager.map(|m| m.to_string()).unwrap_or_default()),
            Property::UserType => Cow::Borrowed(match u.user_type {
                UserType::Member => "Member",
                UserType::Guest => "Guest",
            }),
        }
    }
}

/// A comparison of one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    StartsWith,
    In,
}

impl Op {
    fn word(self) -> &'static str {
        match self {
            Op::Eq => "-eq",
            Op::Ne => "-ne",
            Op::StartsWith => "-startsWith",
            Op::In => "-in",
        }
    }
}

/// A parsed rule. `All` is `-and`, `Any` is `-or`; chains are kept flat (a long chain of
/// `-or` is one `Any`, not a deep tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Test { property: Property, op: Op, values: Vec<String> },
    All(Vec<Rule>),
    Any(Vec<Rule>),
}

/// Whether two texts are equal, ignoring case.
fn same(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// Whether `text` starts with `prefix`, ignoring case.
fn starts(text: &str, prefix: &str) -> bool {
    let mut t = text.chars().flat_map(char::to_lowercase);
    prefix.chars().flat_map(char::to_lowercase).all(|c| t.next() == Some(c))
}

impl Rule {
    /// Whether a user with these attribute values matches (`value` gives each property's value).
    pub fn matches_with<'a>(&self, value: &dyn Fn(Property) -> Cow<'a, str>) -> bool {
        match self {
            Rule::Test { property, op, values } => {
                let v = value(*property);
                match op {
                    Op::Eq | Op::In => values.iter().any(|x| same(&v, x)),
                    Op::Ne => !values.iter().any(|x| same(&v, x)),
                    Op::StartsWith => values.iter().any(|x| starts(&v, x)),
                }
            }
            Rule::All(list) => list.iter().all(|r| r.matches_with(value)),
            Rule::Any(list) => list.iter().any(|r| r.matches_with(value)),
        }
    }

    /// Whether the user matches.
    pub fn matches(&self, u: &User) -> bool {
        self.matches_with(&|p| p.value_of(u))
    }
}

fn quoted(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in v.chars() {
        if matches!(c, '"' | '\\') {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

impl fmt::Display for Rule {
    /// The rule as text that parses back to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = |f: &mut fmt::Formatter<'_>, list: &[Rule], word: &str, wrap: bool| -> fmt::Result {
            for (i, r) in list.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                let paren = wrap && !matches!(r, Rule::Test { .. });
                if paren {
                    write!(f, "({r})")?;
                } else {
                    write!(f, "{r}")?;
                }
            }
            Ok(())
        };
        match self {
            Rule::Test { property, op, values } => {
                write!(f, "user.{} {} ", property.name(), op.word())?;
                if *op == Op::In {
                    f.write_str("[")?;
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        quoted(f, v)?;
                    }
                    f.write_str("]")
                } else {
                    values.iter().try_for_each(|v| quoted(f, v))
                }
            }
            Rule::All(list) => joined(f, list, "-and", true),
            Rule::Any(list) => joined(f, list, "-or", true),
        }
    }
}

mod parse;

pub use parse::{Expected, RuleError, RuleProblem, parse};

#[cfg(test)]
mod tests;
