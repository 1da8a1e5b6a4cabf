//! [`Role`]: the name of a resource's role ("Member", "Owner", an application's role), as the
//! memberships and the packages hold it. A tenant of a million memberships names a few dozen
//! roles; each name is kept once for the whole process (interned) and a role is a reference to
//! it: copied without an allocation, compared and ordered as its text. The files of record
//! write the text, as before.
//!
//! Interned names are never freed: a process holds each distinct role name it ever saw once
//! (a few bytes each, and a tenant names few), which is what lets a role be `Copy`.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::sync::{LazyLock, Mutex};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A role's name, interned (see the module). Ordered, compared and hashed as its text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Role(&'static str);

/// Every role name this process has seen.
static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// How many of the names a thread met last it keeps at hand.
const RECENT_NAMES: usize = 16;

thread_local! {
    static RECENT: std::cell::RefCell<Vec<Role>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Role {
    /// The role named `name` (kept once for the process). The names a thread met last are
    /// at hand without the lock (a JSON load names a role per membership, on two threads).
    pub fn new(name: &str) -> Role {
        if let Some(r) = RECENT.with_borrow(|recent| recent.iter().find(|r| r.0 == name).copied()) {
            return r;
        }
        let role = {
            // A poisoned lock still holds a set of valid names: a panic elsewhere loses none.
            let mut names = NAMES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match names.get(name) {
                Some(known) => Role(known),
                None => {
                    let kept: &'static str = Box::leak(name.to_owned().into_boxed_str());
                    names.insert(kept);
                    Role(kept)
                }
            }
        };
        RECENT.with_borrow_mut(|recent| {
            if recent.len() >= RECENT_NAMES {
                recent.remove(0);
            }
            recent.push(role);
        });
        role
    }

    /// The role named `name` if this process has seen it, without keeping a new name: for
    /// lookups (nobody can hold a role never named).
    pub fn known(name: &str) -> Option<Role> {
        let names = NAMES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        names.get(name).map(|n| Role(n))
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Role {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Role {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Borrow<str> for Role {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl From<&str> for Role {
    fn from(name: &str) -> Role {
        Role::new(name)
    }
}

impl From<&String> for Role {
    fn from(name: &String) -> Role {
        Role::new(name)
    }
}

impl From<String> for Role {
    fn from(name: String) -> Role {
        Role::new(&name)
    }
}

impl From<Role> for String {
    fn from(r: Role) -> String {
        r.0.to_owned()
    }
}

impl PartialEq<str> for Role {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Role {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Role {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Role, D::Error> {
        // Borrowed from the input when it holds no escapes: no copy unless the name is new.
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Role::new(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_its_text_kept_once() {
        let a = Role::new("Member");
        let b = Role::from(String::from("Member"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "one copy of a name");
        assert!(Role::new("Member") < Role::new("Owner"), "ordered as text");
        assert_eq!(a, "Member");
        assert_eq!(a.to_string(), "Member");
        assert_eq!(Role::known("Member"), Some(a));
        assert_eq!(Role::known("a role nobody ever named, surely"), None);
        let json = serde_json::to_string(&a).expect("json");
        assert_eq!(json, "\"Member\"");
        let back: Role = serde_json::from_str("\"Mem\\u0062er\"").expect("back");
        assert_eq!(back, a);
        assert_eq!(Role::default().as_str(), "");
        // Past the names a thread keeps at hand, and on another thread, still the one copy.
        for n in 0..2 * RECENT_NAMES {
            Role::new(&format!("role {n}"));
        }
        assert!(std::ptr::eq(Role::new("Member").as_str(), a.as_str()));
        let there = std::thread::spawn(|| Role::new("Member").as_str()).join().expect("the thread");
        assert!(std::ptr::eq(there, a.as_str()));
    }
}
