//! The typed refusal: which rule said no, and what to do instead.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// Not found: what was looked for.
    #[error("{0}")]
    NotFound(String),
    /// The actor lacks the right.
    #[error("{0}")]
    Forbidden(String),
    /// A rule of the domain refuses it.
    #[error("{0}")]
    Rule(String),
    /// Input out of range or malformed.
    #[error("{0}")]
    Invalid(String),
    /// A configured limit would be exceeded.
    #[error("{0}")]
    Limit(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

pub(crate) fn not_found(what: impl Into<String>) -> DomainError {
    DomainError::NotFound(what.into())
}
pub(crate) fn forbidden(what: impl Into<String>) -> DomainError {
    DomainError::Forbidden(what.into())
}
pub(crate) fn rule(what: impl Into<String>) -> DomainError {
    DomainError::Rule(what.into())
}
pub(crate) fn invalid(what: impl Into<String>) -> DomainError {
    DomainError::Invalid(what.into())
}
