//! Who did an audit event and what it is about, typed: the actor as it was when the event was made
//! (the log is history: a later rename does not change it), the object as an [`ObjectRef`].
//!
//! Audit logs written by older versions hold both as text (`"Adele Vance (u5)"`, `"req12"`).
//! Reading such a line is the migration path, and the only place where this text is parsed:
//! the exact forms the old writers made become the typed value, anything else a `Legacy` value
//! that keeps the text. An old line never fails to read and is never dropped; the closed history
//! files are not rewritten.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::directory::User;
use super::ids::{ObjectRef, UserId};
use super::json_line::Obj;
use super::rights::Actor;

/// Who made an audit event. `S` is the text's type: `String` as read, `&str` as written (the
/// clock jump writes its events without copying a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "type",
    bound(serialize = "S: Serialize + AsRef<str>", deserialize = "S: Deserialize<'de> + Default")
)]
pub enum AuditActor<S = String> {
    /// The engine itself (timers, the demo installer).
    System,
    /// A directory user, with their name as it was then.
    User { user: UserId, display_name: S },
    /// Someone from outside the directory, known by email (older logs hold the email alone).
    External {
        email: S,
        #[serde(default, skip_serializing_if = "is_empty")]
        display_name: S,
    },
    /// A text an older version wrote that is none of the forms above, kept as it was.
    Legacy { text: S },
}

fn is_empty<S: AsRef<str>>(s: &S) -> bool {
    s.as_ref().is_empty()
}

impl<S: AsRef<str>> AuditActor<S> {
    /// The directory user, when it is one.
    pub fn user(&self) -> Option<UserId> {
        match self {
            AuditActor::User { user, .. } => Some(*user),
            _ => None,
        }
    }

    /// The fields of the actor's JSON object, as `serde_json` writes them (see `AuditLine`).
    pub(crate) fn write_fields(&self, o: &mut Obj) {
        match self {
            AuditActor::System => {
                o.str("type", "system");
            }
            AuditActor::User { user, display_name } => {
                o.str("type", "user").int("user", user.0).str("displayName", display_name.as_ref());
            }
            AuditActor::External { email, display_name } => {
                o.str("type", "external").str("email", email.as_ref());
                if !is_empty(display_name) {
                    o.str("displayName", display_name.as_ref());
                }
            }
            AuditActor::Legacy { text } => {
                o.str("type", "legacy").str("text", text.as_ref());
            }
        }
    }
}

/// As the log has always shown it: `system`, `Adele Vance (u5)`, an external's email.
impl<S: AsRef<str>> fmt::Display for AuditActor<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditActor::System => f.write_str("system"),
            AuditActor::User { user, display_name } if display_name.as_ref().is_empty() => write!(f, "{user} ({user})"),
            AuditActor::User { user, display_name } => write!(f, "{} ({user})", display_name.as_ref()),
            AuditActor::External { email, .. } => f.write_str(email.as_ref()),
            AuditActor::Legacy { text } => f.write_str(text.as_ref()),
        }
    }
}

impl<'a> AuditActor<&'a str> {
    /// Who `actor` is now, borrowed from the directory: a user with their name as it is now
    /// (an event keeps it as it was then). What the audit log writes, without a copy.
    pub(crate) fn now(users: &'a BTreeMap<UserId, User>, actor: &'a Actor) -> Self {
        match actor {
            Actor::System => AuditActor::System,
            Actor::User { user } => {
                AuditActor::User { user: *user, display_name: users.get(user).map_or("", |u| u.display_name.as_str()) }
            }
            Actor::External { email, display_name, .. } => {
                AuditActor::External { email: email.as_str(), display_name: display_name.as_str() }
            }
        }
    }
}

impl AuditActor {
    /// The actor an older version wrote as `text`: `system`, `NAME (uN)` (a user's name and id),
    /// or an email (an external). Anything else is kept as `Legacy`.
    fn from_legacy_text(text: String) -> Self {
        if text == "system" {
            return AuditActor::System;
        }
        let user = text.strip_suffix(')').and_then(|rest| {
            let (name, id) = rest.rsplit_once(" (")?;
            let digits =
                id.strip_prefix(UserId::PREFIX).filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))?;
            Some((name.len(), UserId(digits.parse().ok()?)))
        });
        if let Some((name_len, user)) = user {
            let mut display_name = text;
            display_name.truncate(name_len);
            return AuditActor::User { user, display_name };
        }
        let email = text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'))
            && !text.chars().any(char::is_whitespace);
        if email {
            AuditActor::External { email: text, display_name: String::new() }
        } else {
            AuditActor::Legacy { text }
        }
    }
}

/// What an audit event is about: an object of the tenant, or, in a log an older version wrote,
/// a text that names none (kept as it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AuditObject {
    Ref(ObjectRef),
    /// `{"legacy": "..."}`: an older version's text that is no object's.
    Legacy {
        legacy: String,
    },
}

impl AuditObject {
    /// The object, unless the event names it by a legacy text.
    pub fn typed(&self) -> Option<ObjectRef> {
        match self {
            AuditObject::Ref(r) => Some(*r),
            AuditObject::Legacy { .. } => None,
        }
    }

    /// Whether the event is about `object`.
    pub fn is(&self, object: impl Into<ObjectRef>) -> bool {
        self.typed() == Some(object.into())
    }

    /// The object an older version wrote as `text` (`req12`, `clock`), else `Legacy`.
    fn from_legacy_text(text: String) -> Self {
        match ObjectRef::from_shown(&text) {
            Some(r) => AuditObject::Ref(r),
            None => AuditObject::Legacy { legacy: text },
        }
    }
}

impl From<ObjectRef> for AuditObject {
    fn from(r: ObjectRef) -> Self {
        AuditObject::Ref(r)
    }
}

impl fmt::Display for AuditObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditObject::Ref(r) => r.fmt(f),
            AuditObject::Legacy { legacy } => f.write_str(legacy),
        }
    }
}

/// A field as this version writes it, or as text an older one wrote.
enum OrText<T> {
    Text(String),
    Typed(T),
}

/// Reads an [`OrText`] by what the JSON holds (a string, or an object for `T`), without
/// buffering the value and trying each form in turn as an untagged enum does (searching the
/// audit log reads millions of events: that was a third of the time).
struct OrTextVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OrTextVisitor<T> {
    type Value = OrText<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a text or an object")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(OrText::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(OrText::Text(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OrText::Typed)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrText<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrTextVisitor(std::marker::PhantomData))
    }
}

/// An event's object as this version writes it: `{"request": 12}`, `{"clock": {}}`, or
/// `{"legacy": "..."}` (read directly: as the untagged [`AuditObject`] it was buffered and
/// tried as each form).
struct ObjectOrLegacy(AuditObject);

/// The value of a kind without an id: `{}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

impl<'de> Deserialize<'de> for ObjectOrLegacy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ObjectOrLegacy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object keyed by its kind")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ObjectOrLegacy, A::Error> {
                let Some(kind) = map.next_key::<std::borrow::Cow<'de, str>>()? else {
                    return Err(de::Error::custom("an object with no kind"));
                };
                let object = if kind == "legacy" {
                    AuditObject::Legacy { legacy: map.next_value()? }
                } else if ObjectRef::from_kind(&kind, None).is_some() {
                    map.next_value::<NoFields>()?;
                    AuditObject::Ref(ObjectRef::from_kind(&kind, None).ok_or_else(|| de::Error::custom("no kind"))?)
                } else {
                    let n: u64 = map.next_value()?;
                    let r = ObjectRef::from_kind(&kind, Some(n))
                        .ok_or_else(|| de::Error::unknown_variant(&kind, ObjectRef::KINDS))?;
                    AuditObject::Ref(r)
                };
                if map.next_key::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("an object of more than one kind"));
                }
                Ok(ObjectOrLegacy(object))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads `actor`: typed, or an older version's text (see the module's doc).
pub(crate) fn actor<'de, D: Deserializer<'de>>(d: D) -> Result<AuditActor, D::Error> {
    Ok(match OrText::deserialize(d)? {
        OrText::Text(text) => AuditActor::from_legacy_text(text),
        OrText::Typed(a) => a,
    })
}

/// Reads `by`, when present: typed, or an older version's text.
pub(crate) fn by<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AuditActor>, D::Error> {
    actor(d).map(Some)
}

/// Reads `object`: typed, or an older version's text.
pub(crate) fn object<'de, D: Deserializer<'de>>(d: D) -> Result<AuditObject, D::Error> {
    Ok(match OrText::<ObjectOrLegacy>::deserialize(d)? {
        OrText::Text(text) => AuditObject::from_legacy_text(text),
        OrText::Typed(o) => o.0,
    })
}

/// Writes an [`ObjectRef`] into a hand-written line, as `serde_json` writes it.
pub(crate) fn write_object(o: &mut Obj, key: &str, r: ObjectRef) {
    o.obj(key, |o| match r.number() {
        Some(n) => {
            o.int(r.kind(), n);
        }
        None => {
            o.obj(r.kind(), |_| {});
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_actor(text: &str) -> AuditActor {
        let json = serde_json::to_string(text).expect("json");
        actor(&mut serde_json::Deserializer::from_str(&json)).expect("reads")
    }

    #[test]
    fn an_old_actor_text_reads_as_the_actor_it_names_or_stays_legacy() {
        assert_eq!(read_actor("system"), AuditActor::System);
        assert_eq!(
            read_actor("Adele Vance (u5)"),
            AuditActor::User { user: UserId(5), display_name: "Adele Vance".into() }
        );
        assert_eq!(
            read_actor("Odd (name) (u12)"),
            AuditActor::User { user: UserId(12), display_name: "Odd (name)".into() }
        );
        assert_eq!(
            read_actor("alex@azureblog.net"),
            AuditActor::External { email: "alex@azureblog.net".into(), display_name: String::new() }
        );
        for text in ["System", "Adele (u5x)", "Adele (pk5)", "Adele u5", "a b@c.d", "@c.d", "x@y", ""] {
            assert_eq!(read_actor(text), AuditActor::Legacy { text: text.into() }, "{text}");
        }
        // Shown as it was written.
        for text in ["system", "Adele Vance (u5)", "alex@azureblog.net", "Adele u5"] {
            assert_eq!(read_actor(text).to_string(), text);
        }
    }

    #[test]
    fn an_old_object_text_reads_as_the_reference_or_stays_legacy() {
        let read = |text: &str| {
            let json = serde_json::to_string(text).expect("json");
            object(&mut serde_json::Deserializer::from_str(&json)).expect("reads")
        };
        assert_eq!(read("req12"), AuditObject::Ref(ObjectRef::Request(super::super::ids::RequestId(12))));
        assert_eq!(read("configuration"), AuditObject::Ref(ObjectRef::Configuration {}));
        assert_eq!(read("as12"), AuditObject::Legacy { legacy: "as12".into() });
        assert_eq!(read("as12").to_string(), "as12");
        let legacy = serde_json::to_string(&read("as12")).expect("json");
        assert_eq!(legacy, r#"{"legacy":"as12"}"#);
    }

    #[test]
    fn every_object_as_written_reads_back_and_a_wrong_shape_is_refused() {
        let read = |json: &str| object(&mut serde_json::Deserializer::from_str(json));
        for r in ObjectRef::one_of_each() {
            let written = serde_json::to_string(&AuditObject::Ref(r)).expect("json");
            assert_eq!(read(&written).expect("reads"), AuditObject::Ref(r), "{written}");
        }
        let legacy = AuditObject::Legacy { legacy: "as12".into() };
        let written = serde_json::to_string(&legacy).expect("json");
        assert_eq!(read(&written).expect("reads"), legacy);
        for wrong in
            [r#"{}"#, r#"{"nope":1}"#, r#"{"request":"x"}"#, r#"{"request":1,"user":2}"#, r#"{"clock":1}"#, "3"]
        {
            assert!(read(wrong).is_err(), "{wrong}");
        }
        // An actor, typed and as text.
        let a = AuditActor::User { user: UserId(5), display_name: "Adele".to_string() };
        let written = serde_json::to_string(&a).expect("json");
        assert_eq!(actor(&mut serde_json::Deserializer::from_str(&written)).expect("reads"), a);
        assert!(actor(&mut serde_json::Deserializer::from_str("7")).is_err());
    }
}
