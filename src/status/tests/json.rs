// SPDX-License-Identifier: BSD-3-Clause
//! A strict JSON parser (RFC 8259) for checking the report: one value,
//! nothing after it, no duplicate keys, no raw control characters.

use super::json_string;

/// A parsed JSON value; objects keep their order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl std::ops::Index<&str> for J {
    type Output = J;
    fn index(&self, k: &str) -> &J {
        match self {
            J::Obj(v) => {
                &v.iter()
                    .find(|(n, _)| n == k)
                    .unwrap_or_else(|| panic!("no {k}"))
                    .1
            }
            other => panic!("{other:?} is not an object"),
        }
    }
}

impl std::ops::Index<usize> for J {
    type Output = J;
    fn index(&self, i: usize) -> &J {
        match self {
            J::Arr(v) => &v[i],
            other => panic!("{other:?} is not an array"),
        }
    }
}

impl J {
    pub(super) fn str(&self) -> &str {
        match self {
            J::Str(s) => s,
            other => panic!("{other:?} is not a string"),
        }
    }
    pub(super) fn num(&self) -> f64 {
        match self {
            J::Num(n) => *n,
            other => panic!("{other:?} is not a number"),
        }
    }
    pub(super) fn len(&self) -> usize {
        match self {
            J::Arr(v) => v.len(),
            J::Obj(v) => v.len(),
            other => panic!("{other:?} has no length"),
        }
    }
    pub(super) fn keys(&self) -> Vec<&str> {
        match self {
            J::Obj(v) => v.iter().map(|(k, _)| k.as_str()).collect(),
            other => panic!("{other:?} is not an object"),
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// Strict: one value, nothing after it, no duplicate keys, no raw
/// control characters in strings.
pub(super) fn parse(s: &str) -> Result<J, String> {
    let mut p = Parser {
        b: s.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.b.len() {
        return Err(format!("trailing data at {}", p.i));
    }
    Ok(v)
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && b" \t\r\n".contains(&self.b[self.i]) {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.i))
        }
    }
    fn lit(&mut self, word: &str, v: J) -> Result<J, String> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(format!("bad literal at {}", self.i))
        }
    }
    fn value(&mut self) -> Result<J, String> {
        self.ws();
        match self.peek().ok_or("unexpected end")? {
            b'{' => {
                self.i += 1;
                let mut v: Vec<(String, J)> = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(J::Obj(v));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    if v.iter().any(|(n, _)| *n == k) {
                        return Err(format!("duplicate key {k}"));
                    }
                    self.eat(b':')?;
                    v.push((k, self.value()?));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(J::Obj(v));
                        }
                        _ => return Err(format!("bad object at {}", self.i)),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(J::Arr(v));
                }
                loop {
                    v.push(self.value()?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(J::Arr(v));
                        }
                        _ => return Err(format!("bad array at {}", self.i)),
                    }
                }
            }
            b'"' => self.string().map(J::Str),
            b't' => self.lit("true", J::Bool(true)),
            b'f' => self.lit("false", J::Bool(false)),
            b'n' => self.lit("null", J::Null),
            _ => self.number(),
        }
    }
    fn number(&mut self) -> Result<J, String> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i - s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let first = self.peek();
        let n = digits(self);
        if n == 0 || (n > 1 && first == Some(b'0')) {
            return Err(format!("bad number at {start}"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(format!("bad fraction at {start}"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(format!("bad exponent at {start}"));
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).map_err(|e| e.to_string())?;
        text.parse().map(J::Num).map_err(|e| format!("{e}"))
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.b.get(self.i..self.i + 4).ok_or("short \\u")?;
        let h = std::str::from_utf8(h).map_err(|e| e.to_string())?;
        self.i += 4;
        u32::from_str_radix(h, 16).map_err(|e| e.to_string())
    }
    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(format!("expected string at {}", self.i));
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or("unterminated string")?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let e = self.peek().ok_or("bad escape")?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xd800..0xdc00).contains(&cp) {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return Err("lone surrogate".into());
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                            }
                            char::from_u32(cp).ok_or("bad code point")?
                        }
                        _ => return Err(format!("bad escape at {}", self.i)),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(format!("raw control character at {}", self.i)),
                c => out.push(c),
            }
        }
    }
}

#[test]
fn the_parser_is_strict() {
    assert!(parse(r#"{"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude00"]}"#).is_ok());
    for bad in [
        "{\"a\":1,}",
        "[1,]",
        "{\"a\":1,\"a\":2}",
        "\"a\u{1}\"",
        "01",
        "{} x",
        "\"\\x\"",
        "{\"a\" 1}",
        "",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn strings_are_escaped() {
    for s in [
        "plain",
        "a\"b",
        "back\\slash",
        "nl\ncr\rtab\t",
        "\u{1}\u{1f}\u{7f}",
        "wän✓",
    ] {
        let lit = json_string(s);
        assert_eq!(parse(&lit), Ok(J::Str(s.into())), "{lit}");
    }
    assert_eq!(json_string("a\"\\\u{1}"), r#""a\"\\\u0001""#);
}
