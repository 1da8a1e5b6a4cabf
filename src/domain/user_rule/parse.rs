//! The rule's text, read: a tokenizer and a recursive-descent parser whose depth is bounded by
//! [`RULE_DEPTH`] and whose input by [`RULE_CHARS`]; an error names the character and what was
//! expected there.

use std::fmt;

use strum::IntoEnumIterator;

use super::{Op, Property, RULE_CHARS, RULE_DEPTH, Rule};

/// What a parser expected where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// `user.department` and the like, or `(`.
    Property,
    /// `-eq`, `-ne`, `-startsWith` or `-in`.
    Operator,
    /// A value in double quotes.
    Value,
    /// `[` opening the list of `-in`.
    List,
    /// `,` or `]` in the list of `-in`.
    ListNext,
    /// `)` closing a parenthesis.
    Close,
    /// `-and`, `-or`, or the end of the rule.
    Connector,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Property => "a property such as user.department, or '('",
            Expected::Operator => "an operator: -eq, -ne, -startsWith or -in",
            Expected::Value => "a value in double quotes, like \"Sales\"",
            Expected::List => "'[' opening the list of values of -in",
            Expected::ListNext => "',' and another value, or ']'",
            Expected::Close => "')'",
            Expected::Connector => "-and, -or, or the end of the rule",
        })
    }
}

/// Why a rule did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleProblem {
    /// Something else was there (`found`; empty at the end of the rule).
    Expected {
        expected: Expected,
        found: String,
    },
    UnknownProperty(String),
    /// A value's closing quote is missing.
    Unterminated,
    /// A control character (an escape code) in the rule.
    ControlCharacter,
    TooLong {
        chars: usize,
    },
    TooDeep,
}

/// A rule that does not parse: where (the 1-based character) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub at: usize,
    pub problem: RuleProblem,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.at;
        match &self.problem {
            RuleProblem::Expected { expected, found } if found.is_empty() => {
                write!(f, "The rule ends at character {at}, where it needs {expected}")
            }
            RuleProblem::Expected { expected, found } => {
                write!(f, "The rule, at character {at}: expected {expected}, found '{found}'")
            }
            RuleProblem::UnknownProperty(name) => {
                let known: Vec<String> = Property::iter().map(|p| format!("user.{}", p.name())).collect();
                write!(f, "The rule, at character {at}: '{name}' is not a property; use one of {}", known.join(", "))
            }
            RuleProblem::Unterminated => {
                write!(f, "The rule, at character {at}: this value has no closing double quote")
            }
            RuleProblem::ControlCharacter => {
                write!(f, "The rule, at character {at}: a control character; a rule is plain text")
            }
            RuleProblem::TooLong { chars } => {
                write!(f, "The rule can be at most {RULE_CHARS} characters long; you gave {chars}")
            }
            RuleProblem::TooDeep => write!(
                f,
                "The rule, at character {at}: parentheses nest deeper than {RULE_DEPTH} levels; write it flatter"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Dash(String),
    Text(String),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
}

fn tokens(src: &[char]) -> Result<Vec<(usize, Tok)>, RuleError> {
    let mut out = Vec::new();
    let mut i = 0usize;
    let err = |i: usize, problem| RuleError { at: i.saturating_add(1), problem };
    while let Some(&c) = src.get(i) {
        let start = i;
        i = i.saturating_add(1);
        let tok = match c {
            c if c.is_whitespace() => continue,
            c if c.is_control() => return Err(err(start, RuleProblem::ControlCharacter)),
            '(' => Tok::Open,
            ')' => Tok::Close,
            '[' => Tok::OpenList,
            ']' => Tok::CloseList,
            ',' => Tok::Comma,
            '"' => {
                let mut text = String::new();
                loop {
                    match src.get(i) {
                        None => return Err(err(start, RuleProblem::Unterminated)),
                        Some('"') => break,
                        Some('\\') if matches!(src.get(i.saturating_add(1)), Some('"' | '\\')) => {
                            i = i.saturating_add(1);
                            text.extend(src.get(i));
                        }
                        Some(c) if c.is_control() => return Err(err(i, RuleProblem::ControlCharacter)),
                        Some(c) => text.push(*c),
                    }
                    i = i.saturating_add(1);
                }
                i = i.saturating_add(1);
                Tok::Text(text)
            }
            _ => {
                let word_char = |c: &char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
                let mut word = String::from(c);
                while let Some(c) = src.get(i).filter(|c| word_char(c) && **c != '-') {
                    word.push(*c);
                    i = i.saturating_add(1);
                }
                if c == '-' { Tok::Dash(word) } else { Tok::Word(word) }
            }
        };
        out.push((start, tok));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    /// Where the rule ends (0-based), for an error at its end.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(i, _)| *i).saturating_add(1)
    }
    fn found(&self) -> String {
        match self.peek() {
            None => String::new(),
            Some(Tok::Word(w) | Tok::Dash(w)) => w.clone(),
            Some(Tok::Text(t)) => format!("\"{t}\""),
            Some(Tok::Open) => "(".into(),
            Some(Tok::Close) => ")".into(),
            Some(Tok::OpenList) => "[".into(),
            Some(Tok::CloseList) => "]".into(),
            Some(Tok::Comma) => ",".into(),
        }
    }
    fn expected(&self, expected: Expected) -> RuleError {
        RuleError { at: self.at(), problem: RuleProblem::Expected { expected, found: self.found() } }
    }
    fn dash_is(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Dash(w)) if w.eq_ignore_ascii_case(word))
    }

    /// Rules joined by `-or` (each of them rules joined by `-and`: `-and` binds tighter).
    fn any(&mut self, depth: usize) -> Result<Rule, RuleError> {
        self.joined(depth, "-or", Self::all, Rule::Any)
    }

    fn all(&mut self, depth: usize) -> Result<Rule, RuleError> {
        self.joined(depth, "-and", Self::term, Rule::All)
    }

    /// One or more `part`s joined by `word`, kept in one flat list (a long chain never nests);
    /// a single part is that part itself.
    fn joined(
        &mut self,
        depth: usize,
        word: &str,
        part: fn(&mut Self, usize) -> Result<Rule, RuleError>,
        make: fn(Vec<Rule>) -> Rule,
    ) -> Result<Rule, RuleError> {
        let mut list = vec![part(self, depth)?];
        while self.dash_is(word) {
            self.pos = self.pos.saturating_add(1);
            list.push(part(self, depth)?);
        }
        if list.len() == 1
            && let Some(only) = list.pop()
        {
            return Ok(only);
        }
        Ok(make(list))
    }

    fn term(&mut self, depth: usize) -> Result<Rule, RuleError> {
        match self.peek() {
            Some(Tok::Open) => {
                if depth >= RULE_DEPTH {
                    return Err(RuleError { at: self.at(), problem: RuleProblem::TooDeep });
                }
                self.pos = self.pos.saturating_add(1);
                let inner = self.any(depth.saturating_add(1))?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(self.expected(Expected::Close));
                }
                self.pos = self.pos.saturating_add(1);
                Ok(inner)
            }
            Some(Tok::Word(w)) => {
                let name = w.clone();
                let property = match name.get(..5).filter(|p| p.eq_ignore_ascii_case("user.")) {
                    Some(_) => name.get(5..).and_then(Property::parse),
                    None => None,
                };
                let Some(property) = property else {
                    return Err(RuleError { at: self.at(), problem: RuleProblem::UnknownProperty(name) });
                };
                self.pos = self.pos.saturating_add(1);
                self.test(property)
            }
            _ => Err(self.expected(Expected::Property)),
        }
    }

    fn test(&mut self, property: Property) -> Result<Rule, RuleError> {
        let op = match self.peek() {
            Some(Tok::Dash(w)) => {
                [Op::Eq, Op::Ne, Op::StartsWith, Op::In].into_iter().find(|o| o.word().eq_ignore_ascii_case(w))
            }
            _ => None,
        };
        let Some(op) = op else { return Err(self.expected(Expected::Operator)) };
        self.pos = self.pos.saturating_add(1);
        let values = if op == Op::In { self.list()? } else { vec![self.value()?] };
        Ok(Rule::Test { property, op, values })
    }

    fn value(&mut self) -> Result<String, RuleError> {
        match self.peek() {
            Some(Tok::Text(t)) => {
                let t = t.clone();
                self.pos = self.pos.saturating_add(1);
                Ok(t)
            }
            _ => Err(self.expected(Expected::Value)),
        }
    }

    fn list(&mut self) -> Result<Vec<String>, RuleError> {
        if self.peek() != Some(&Tok::OpenList) {
            return Err(self.expected(Expected::List));
        }
        self.pos = self.pos.saturating_add(1);
        let mut values = vec![self.value()?];
        loop {
            match self.peek() {
                Some(Tok::Comma) => {
                    self.pos = self.pos.saturating_add(1);
                    values.push(self.value()?);
                }
                Some(Tok::CloseList) => {
                    self.pos = self.pos.saturating_add(1);
                    return Ok(values);
                }
                _ => return Err(self.expected(Expected::ListNext)),
            }
        }
    }
}

/// Parse a rule's text.
pub fn parse(text: &str) -> Result<Rule, RuleError> {
    let chars: Vec<char> = text.chars().take(RULE_CHARS.saturating_add(1)).collect();
    if chars.len() > RULE_CHARS {
        return Err(RuleError { at: 1, problem: RuleProblem::TooLong { chars: text.chars().count() } });
    }
    let mut p = Parser { toks: tokens(&chars)?, pos: 0, end: chars.len() };
    let rule = p.any(0)?;
    if p.pos < p.toks.len() {
        return Err(p.expected(Expected::Connector));
    }
    Ok(rule)
}
