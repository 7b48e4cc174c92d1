// SPDX-License-Identifier: BSD-3-Clause
//! Why a message could not be decoded.
//!
//! Built only from `&'static str` and integers, so producing one on the
//! event path allocates nothing; `Display` assembles the text when (if) it
//! is logged.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// What was being decoded: an event name ("SUB_ESTABLISHED"), a reply
    /// ("GET_ADDR reply"), or "" when not known at the failing layer.
    pub context: &'static str,
    /// Kernel name of the attribute at fault, if one is.
    pub attr: Option<&'static str>,
    pub kind: DecodeErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Fewer bytes than a fixed header needs.
    Truncated { need: usize, have: usize },
    /// An attribute header whose `nla_len` is below 4 or runs past the end.
    BadAttrLen { offset: usize, nla_len: u16 },
    /// 1..3 bytes after the last attribute, too few to be one.
    Trailing { len: usize },
    /// A required attribute is absent.
    Missing,
    /// An attribute's payload is not the size its type has.
    WrongSize { len: usize, expected: usize },
    /// A value the attribute may not take.
    Invalid(&'static str),
}

impl DecodeError {
    pub(crate) const fn new(kind: DecodeErrorKind) -> Self {
        DecodeError {
            context: "",
            attr: None,
            kind,
        }
    }

    pub(crate) const fn missing(attr: &'static str) -> Self {
        DecodeError {
            context: "",
            attr: Some(attr),
            kind: DecodeErrorKind::Missing,
        }
    }

    pub(crate) const fn invalid(attr: &'static str, what: &'static str) -> Self {
        DecodeError {
            context: "",
            attr: Some(attr),
            kind: DecodeErrorKind::Invalid(what),
        }
    }

    /// Names the attribute unless a deeper layer already did.
    pub(crate) const fn at(mut self, attr: &'static str) -> Self {
        if self.attr.is_none() {
            self.attr = Some(attr);
        }
        self
    }

    /// Names what was being decoded unless a deeper layer already did.
    pub(crate) const fn within(mut self, context: &'static str) -> Self {
        if self.context.is_empty() {
            self.context = context;
        }
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.context.is_empty() {
            write!(f, "{}: ", self.context)?;
        }
        let attr = self.attr.unwrap_or("");
        let sep = if attr.is_empty() { "" } else { ": " };
        match self.kind {
            DecodeErrorKind::Missing => write!(f, "missing {attr}"),
            DecodeErrorKind::Truncated { need, have } => {
                write!(f, "{attr}{sep}truncated: {have} bytes, need {need}")
            }
            DecodeErrorKind::BadAttrLen { offset, nla_len } => write!(
                f,
                "{attr}{sep}malformed attribute at offset {offset} (nla_len {nla_len})"
            ),
            DecodeErrorKind::Trailing { len } => {
                write!(f, "{attr}{sep}{len} stray bytes after the last attribute")
            }
            DecodeErrorKind::WrongSize { len, expected } => {
                write!(f, "{attr}{sep}wrong size {len} (expected {expected})")
            }
            DecodeErrorKind::Invalid(what) => write!(f, "{attr}{sep}{what}"),
        }
    }
}

impl std::error::Error for DecodeError {}
