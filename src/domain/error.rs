//! The typed refusal: which rule said no, and what to do instead.

use thiserror::Error;

use super::bounds::Field;

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
    /// A value outside its documented range or form (see `bounds`): which field, and the message
    /// with the range. Input that is invalid, like `Invalid`, with the field named in a typed way.
    #[error("{message}")]
    OutOfRange { field: Field, message: String },
    /// Separation of duties: the person holds `with`, which the package is incompatible with.
    #[error("{message}")]
    Incompatible { with: super::separation::Incompatible, message: String },
    /// Custom extensions: which rule of the registry or of a policy's stages refused it.
    #[error("{message}")]
    Extension { refusal: super::extensions::ExtensionRefusal, message: String },
    /// Config as code: the object of the file a refusal is about (or a reference it makes that
    /// nothing answers), and the refusal.
    #[error("{object}: {refusal}")]
    Config { object: String, refusal: Box<DomainError> },
}

impl DomainError {
    /// The field a refusal is about, when it is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            DomainError::OutOfRange { field, .. } => Some(*field),
            _ => None,
        }
    }
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
