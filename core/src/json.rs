//! The one strict JSON front door (RFC 8259).
//!
//! [`parse`] validates a whole document first: UTF-8, the exact grammar (no trailing commas,
//! single quotes, bare keys, comments, `NaN`, leading zeros), no raw control characters in strings,
//! every escape valid (surrogate pairs decoded, lone surrogates rejected), duplicate member names
//! rejected (divergence D7) and nesting bounded. Only then does it hand out a [`Value`] whose
//! readers walk the already-checked text without allocating.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// Why a document was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not RFC 8259 JSON (including invalid UTF-8 and bad escapes).
    Syntax,
    /// Nested deeper than the limit.
    TooDeep,
    /// An object repeats a member name.
    DuplicateMember,
}

/// Default nesting limit (objects and arrays).
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// Validates `input` as one JSON document nested at most `max_depth` deep and returns its root.
pub fn parse(input: &[u8], max_depth: usize) -> Result<Value<'_>, Error> {
    parse_with(input, max_depth, |_, _| {})
}

/// [`parse`] that also hands each member of an object root to `member`, in document order, as
/// the validator passes it: one pass validates the document and picks up its top-level members.
/// `member` may see members of a document that then fails; use what it saw only on `Ok`.
pub(crate) fn parse_with<'a>(
    input: &'a [u8],
    max_depth: usize,
    member: impl FnMut(JStr<'a>, Value<'a>),
) -> Result<Value<'a>, Error> {
    let text = core::str::from_utf8(input).map_err(|_| Error::Syntax)?;
    let mut v = Validator {
        text,
        b: input,
        i: 0,
        max_depth,
        member,
        escaped: false,
    };
    v.ws();
    let start = v.i;
    if v.peek() == Some(b'{') {
        v.root_object()?;
    } else {
        v.value(0)?;
    }
    let root = v.accepted(start);
    v.ws();
    if v.i != input.len() {
        return Err(Error::Syntax);
    }
    Ok(root)
}

/// The root of text that [`parse`] has already accepted, re-read without validating it again.
/// Only for text `parse` accepted: on other text the readers may slice off a char boundary.
pub(crate) fn reread(validated: &str) -> Value<'_> {
    let mut r = Reader { s: validated, i: 0 };
    r.ws();
    r.value()
}

/// The object of validated text that is known to be an object (see [`reread`]).
pub(crate) fn reread_object(validated: &str) -> Object<'_> {
    Object {
        raw: validated.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')),
    }
}

struct Validator<'a, F> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    max_depth: usize,
    /// Called with each member of the root object.
    member: F,
    /// Whether the string value last accepted had escapes.
    escaped: bool,
}

/// A member name inside the document: its raw text between the quotes.
#[derive(Clone, Copy)]
struct KeySpan {
    start: usize,
    end: usize,
    escaped: bool,
}

impl KeySpan {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// A member name with its first (up to 8) raw bytes packed into `head`: most different names are
/// told apart without comparing their text.
#[derive(Clone, Copy)]
struct Name {
    span: KeySpan,
    head: u64,
}

/// Objects with more members than this are checked for duplicates by sorting.
const PAIRWISE_LIMIT: usize = 16;

/// The first `len.min(8)` bytes of `b`, packed (the rest zero).
fn head(b: &[u8], len: usize) -> u64 {
    let n = len.min(8);
    match b.get(..8) {
        // One load and a mask, without a loop over the name's bytes.
        Some(c) => load8(c) & if n == 8 { u64::MAX } else { (1 << (8 * n)) - 1 },
        None => b[..n].iter().rev().fold(0, |h, &c| (h << 8) | u64::from(c)),
    }
}

/// `0x01` in every byte.
const LO: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte.
pub(crate) const HI: u64 = u64::from_le_bytes([0x80; 8]);

/// Eight bytes, little-endian (the first byte lowest): the unit of the bit tricks below.
pub(crate) fn load8(c: &[u8]) -> u64 {
    u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
}

/// `b` in every byte.
pub(crate) fn splat(b: u8) -> u64 {
    LO * u64::from(b)
}

/// The bytes of `x` below `n` get their high bit set. Only the lowest flagged byte is exact (a
/// borrow can flag bytes above it), so callers take the lowest: `trailing_zeros() / 8`.
pub(crate) fn bytes_below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(splat(n)) & !x & HI
}

/// The number of leading bytes of `b` that a string may hold as they are: not `"`, `\` or a
/// control character, eight bytes at a time.
#[inline(always)]
fn plain_run(b: &[u8]) -> usize {
    let mut chunks = b.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        let x = load8(c);
        let special = bytes_below(x, 0x20)
            | bytes_below(x ^ splat(b'"'), 1)
            | bytes_below(x ^ splat(b'\\'), 1);
        if special != 0 {
            return n + special.trailing_zeros() as usize / 8;
        }
        n += 8;
    }
    let rest = chunks.remainder();
    n + rest
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(rest.len())
}

impl<'a, F: FnMut(JStr<'a>, Value<'a>)> Validator<'a, F> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), Error> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Error::Syntax)
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), Error> {
        match self.peek().ok_or(Error::Syntax)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(|e| self.escaped = e),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Error::Syntax),
        }
    }

    #[inline]
    fn jstr(&self, k: &KeySpan) -> JStr<'a> {
        JStr::new(&self.text[k.start..k.end], k.escaped)
    }

    /// The value that [`Self::value`] just accepted from `start` (not returned by `value` itself:
    /// most values are only checked, never read).
    #[inline]
    fn accepted(&self, start: usize) -> Value<'a> {
        let raw = &self.text[start..self.i];
        match self.b[start] {
            b'{' => Value::Object(Object { raw }),
            b'[' => Value::Array(Array { raw }),
            b'"' => Value::String(JStr::new(&raw[1..raw.len() - 1], self.escaped)),
            b't' => Value::Bool(true),
            b'f' => Value::Bool(false),
            b'n' => Value::Null,
            _ => Value::Number(raw),
        }
    }

    fn literal(&mut self, lit: &[u8]) -> Result<(), Error> {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(Error::Syntax)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(Error::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Error::Syntax);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Error::Syntax);
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let h = self.b.get(self.i..self.i + 4).ok_or(Error::Syntax)?;
        let mut v = 0;
        for &c in h {
            v = v * 16 + char::from(c).to_digit(16).ok_or(Error::Syntax)?;
        }
        self.i += 4;
        Ok(v)
    }

    /// Checks a string starting at its opening quote; returns whether it has escapes. Inlined
    /// for the common string of plain characters; escapes and errors go to [`Self::string_rest`].
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Error> {
        self.eat(b'"')?;
        self.i += plain_run(&self.b[self.i..]);
        if self.peek() == Some(b'"') {
            self.i += 1;
            return Ok(false);
        }
        self.string_rest()
    }

    /// The rest of [`Self::string`] from its first character that is not plain, for strings
    /// with escapes (and bad strings).
    #[inline(never)]
    fn string_rest(&mut self) -> Result<bool, Error> {
        let mut escaped = false;
        loop {
            // Fast path: skip the run of plain characters (not a quote, backslash or control).
            self.i += plain_run(&self.b[self.i..]);
            let c = self.peek().ok_or(Error::Syntax)?;
            self.i += 1;
            match c {
                b'"' => return Ok(escaped),
                0x00..=0x1f => return Err(Error::Syntax),
                b'\\' => {
                    escaped = true;
                    let e = self.peek().ok_or(Error::Syntax)?;
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let u = self.hex4()?;
                            if (0xdc00..0xe000).contains(&u) {
                                return Err(Error::Syntax);
                            }
                            if (0xd800..0xdc00).contains(&u) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(Error::Syntax);
                                }
                                self.i += 2;
                                if !(0xdc00..0xe000).contains(&self.hex4()?) {
                                    return Err(Error::Syntax);
                                }
                            }
                        }
                        _ => return Err(Error::Syntax),
                    }
                }
                _ => {}
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), Error> {
        if depth > self.max_depth {
            return Err(Error::TooDeep);
        }
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value(depth)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Error::Syntax),
            }
        }
    }

    /// A nested object (members not reported).
    fn object(&mut self, depth: usize) -> Result<(), Error> {
        self.members(depth, |_, _, _| {})
    }

    /// The root object: each member is handed to `member` as it is passed. Kept apart from
    /// [`Self::object`] so that `member` is inlined here (the value it gets stays in registers).
    fn root_object(&mut self) -> Result<(), Error> {
        self.members(1, |v, key, start| {
            let (name, value) = (v.jstr(&key), v.accepted(start));
            (v.member)(name, value);
        })
    }

    /// Checks an object at `depth` and calls `each` with every member's name and the start of
    /// its value once the value is checked.
    #[inline(always)]
    fn members(
        &mut self,
        depth: usize,
        mut each: impl FnMut(&mut Self, KeySpan, usize),
    ) -> Result<(), Error> {
        if depth > self.max_depth {
            return Err(Error::TooDeep);
        }
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut inline: heapless::Vec<Name, PAIRWISE_LIMIT> = heapless::Vec::new();
        // One bit per (head, length) hash of the unescaped names so far: a name whose bit is
        // clear cannot repeat one of them, so most members skip the pairwise compare.
        let (mut seen, mut any_escaped) = (0u64, false);
        let mut spill: Vec<KeySpan> = Vec::new();
        loop {
            self.ws();
            let start = self.i + 1;
            let escaped = self.string()?;
            let key = KeySpan {
                start,
                end: self.i - 1,
                escaped,
            };
            if !inline.is_full() {
                let name = Name {
                    span: key,
                    head: head(&self.b[key.start..], key.len()),
                };
                let bit =
                    1 << ((name.head ^ key.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58);
                any_escaped |= escaped;
                if (any_escaped || seen & bit != 0)
                    && inline.iter().any(|k| self.same_key(k, &name))
                {
                    return Err(Error::DuplicateMember);
                }
                seen |= bit;
                let _ = inline.push(name); // not full: checked above
            } else {
                // Past `PAIRWISE_LIMIT` names: all of them are checked by sorting at the end.
                if spill.is_empty() {
                    spill.extend(inline.iter().map(|n| n.span));
                }
                spill.push(key);
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let start = self.i;
            self.value(depth)?;
            each(self, key, start);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(Error::Syntax),
            }
        }
        if !spill.is_empty() {
            let text = self.text;
            let mut names: Vec<Cow<'_, str>> = spill
                .iter()
                .map(|k| JStr::new(&text[k.start..k.end], k.escaped).to_cow())
                .collect();
            names.sort_unstable();
            if names.windows(2).any(|w| w[0] == w[1]) {
                return Err(Error::DuplicateMember);
            }
        }
        Ok(())
    }

    fn same_key(&self, a: &Name, b: &Name) -> bool {
        let (a, b, heads_equal) = (&a.span, &b.span, a.head == b.head);
        if !a.escaped && !b.escaped {
            // Equal lengths and heads: equal names when the head is the whole name.
            return a.len() == b.len()
                && heads_equal
                && (a.len() <= 8 || self.b[a.start..a.end] == self.b[b.start..b.end]);
        }
        let (x, y) = (&self.text[a.start..a.end], &self.text[b.start..b.end]);
        JStr::new(x, a.escaped)
            .chars()
            .eq(JStr::new(y, b.escaped).chars())
    }
}

/// A JSON string: its raw text between the quotes, decoded on demand.
#[derive(Clone, Copy, Debug)]
pub struct JStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JStr<'a> {
    fn new(raw: &'a str, escaped: bool) -> Self {
        JStr { raw, escaped }
    }

    /// The text as written between the quotes (escapes not decoded).
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The string itself, borrowed when it has no escapes.
    pub fn as_str(&self) -> Option<&'a str> {
        (!self.escaped).then_some(self.raw)
    }

    /// The decoded characters.
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            s: self.raw.as_bytes(),
            raw: self.raw,
            i: 0,
        }
    }

    /// The decoded string, borrowed when it has no escapes.
    pub fn to_cow(&self) -> Cow<'a, str> {
        match self.as_str() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.chars().collect::<String>()),
        }
    }

    /// Whether the decoded string equals `s`, without allocating.
    pub fn eq_str(&self, s: &str) -> bool {
        match self.as_str() {
            Some(r) => r == s,
            None => self.chars().eq(s.chars()),
        }
    }
}

/// Decoded characters of a validated JSON string body.
pub struct Chars<'a> {
    s: &'a [u8],
    raw: &'a str,
    i: usize,
}

impl Chars<'_> {
    fn hex4(&mut self) -> u32 {
        let h = &self.raw[self.i..self.i + 4];
        self.i += 4;
        u32::from_str_radix(h, 16).unwrap_or(0xfffd)
    }
}

impl Iterator for Chars<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        let c = *self.s.get(self.i)?;
        if c != b'\\' {
            let ch = self.raw[self.i..].chars().next()?;
            self.i += ch.len_utf8();
            return Some(ch);
        }
        let e = *self.s.get(self.i + 1)?;
        self.i += 2;
        Some(match e {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4();
                let cp = if (0xd800..0xdc00).contains(&hi) {
                    self.i += 2;
                    let lo = self.hex4();
                    0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                } else {
                    hi
                };
                char::from_u32(cp).unwrap_or('\u{fffd}')
            }
            other => char::from(other),
        })
    }
}

/// A value of a validated document.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as written.
    Number(&'a str),
    /// A string.
    String(JStr<'a>),
    /// An object.
    Object(Object<'a>),
    /// An array.
    Array(Array<'a>),
}

impl<'a> Value<'a> {
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<Object<'a>> {
        match self {
            Value::Object(o) => Some(*o),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_jstr(&self) -> Option<JStr<'a>> {
        match self {
            Value::String(s) => Some(*s),
            _ => None,
        }
    }

    /// The exact source text of this value.
    pub fn raw(&self) -> &'a str {
        match self {
            Value::Null => "null",
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(n) => n,
            Value::String(s) => s.raw,
            Value::Object(o) => o.raw,
            Value::Array(a) => a.raw,
        }
    }
}

/// An object of a validated document (its source text, braces included).
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    raw: &'a str,
}

impl<'a> Object<'a> {
    /// The members in document order.
    pub fn iter(&self) -> Members<'a> {
        Members {
            r: Reader { s: self.raw, i: 1 },
        }
    }

    /// The value of member `name` (names are unique in a validated document).
    pub fn get(&self, name: &str) -> Option<Value<'a>> {
        self.iter().find(|(k, _)| k.eq_str(name)).map(|(_, v)| v)
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The source text, braces included.
    pub fn raw(&self) -> &'a str {
        self.raw
    }
}

/// An array of a validated document (its source text, brackets included).
#[derive(Clone, Copy, Debug)]
pub struct Array<'a> {
    raw: &'a str,
}

impl<'a> Array<'a> {
    /// The elements in order.
    pub fn iter(&self) -> Elements<'a> {
        Elements {
            r: Reader { s: self.raw, i: 1 },
        }
    }
}

/// Iterator over an object's members.
pub struct Members<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for Members<'a> {
    type Item = (JStr<'a>, Value<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        self.r.ws();
        match self.r.peek()? {
            b'}' => return None,
            b',' => {
                self.r.i += 1;
                self.r.ws();
            }
            _ => {}
        }
        if self.r.peek()? != b'"' {
            return None;
        }
        let k = self.r.string();
        self.r.ws();
        self.r.i += 1; // ':'
        self.r.ws();
        let v = self.r.value();
        Some((k, v))
    }
}

/// Iterator over an array's elements.
pub struct Elements<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        self.r.ws();
        match self.r.peek()? {
            b']' => return None,
            b',' => {
                self.r.i += 1;
                self.r.ws();
            }
            _ => {}
        }
        Some(self.r.value())
    }
}

/// Walks text that [`Validator`] has accepted; never fails.
struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn string(&mut self) -> JStr<'a> {
        let b = self.s.as_bytes();
        let start = self.i + 1;
        let mut i = start;
        let mut escaped = false;
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' {
                escaped = true;
                i += 1;
            }
            i += 1;
        }
        let end = i.min(b.len());
        self.i = (end + 1).min(b.len());
        JStr::new(&self.s[start..end], escaped)
    }

    /// Skips a nested object or array starting at the current bracket.
    fn skip_nested(&mut self) -> &'a str {
        let b = self.s.as_bytes();
        let start = self.i;
        let mut depth = 0usize;
        while self.i < b.len() {
            match b[self.i] {
                b'"' => {
                    self.string();
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        break;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    fn value(&mut self) -> Value<'a> {
        let b = self.s.as_bytes();
        match self.peek() {
            Some(b'{') => Value::Object(Object {
                raw: self.skip_nested(),
            }),
            Some(b'[') => Value::Array(Array {
                raw: self.skip_nested(),
            }),
            Some(b'"') => Value::String(self.string()),
            Some(b't') => {
                self.i += 4;
                Value::Bool(true)
            }
            Some(b'f') => {
                self.i += 5;
                Value::Bool(false)
            }
            Some(b'n') => {
                self.i += 4;
                Value::Null
            }
            _ => {
                let start = self.i;
                while self.i < b.len()
                    && matches!(b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.i += 1;
                }
                Value::Number(&self.s[start..self.i])
            }
        }
    }
}

/// How a JSON number reads as a time or other unsigned claim, following Envoy's `GetUInt64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UintClaim {
    /// A number in `[0, 2^64)`, truncated toward zero.
    Value(u64),
    /// A number below 0 or at least 2^64.
    OutOfRange,
}

/// Reads a JSON number as Envoy's `GetUInt64` does: fractions truncated toward zero, negative or
/// `>= 2^64` values out of range. Integers are read exactly (no float rounding).
pub fn number_to_u64(n: &str) -> UintClaim {
    // Plain digits (what `iat`, `nbf` and `exp` almost always are) in one exact pass.
    let mut v = 0u64;
    let mut integer = !n.is_empty();
    for c in n.bytes() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            integer = false;
            break;
        }
        match v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d))) {
            Some(x) => v = x,
            // Past 2^64 - 1: out of range, unless an exponent or fraction follows (below).
            None => {
                integer = false;
                break;
            }
        }
    }
    if integer {
        return UintClaim::Value(v);
    }
    match n.parse::<f64>() {
        // `-0.0 >= 0.0` holds, so `-0` and `-0.0` read as 0, as a double does in Envoy.
        Ok(f) if (0.0..18446744073709551616.0).contains(&f) => UintClaim::Value(f as u64),
        _ => UintClaim::OutOfRange,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        parse(s.as_bytes(), DEFAULT_MAX_DEPTH).is_ok()
    }

    #[test]
    fn grammar() {
        for good in [
            "{}",
            "[]",
            "0",
            "-0",
            "1.5e+10",
            "\"a\"",
            "true",
            " {\"a\" : [1, {\"b\":null}]} ",
            "\"\\ud83d\\ude00\"",
            "\"\\u0000\"",
            "-1E-2",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "{a:1}",
            "01",
            "1.",
            ".5",
            "+1",
            "NaN",
            "\"\\x\"",
            "\"\u{1}\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83d\\u0041\"",
            "1 2",
            "tru",
            "nul",
            "{\"a\" 1}",
            "[1 2]",
            "// c\n1",
            "\"a",
        ] {
            assert!(!ok(bad), "{bad:?}");
        }
        assert_eq!(parse(b"\"\xff\"", 4).unwrap_err(), Error::Syntax);
    }

    /// Objects of up to 24 names drawn from a small set (so repeats are common), some written
    /// with an escaped first character, some longer than the 8-byte head: the validator reports
    /// a duplicate exactly when two decoded names are equal.
    #[test]
    fn duplicates_match_decoded_names() {
        use proptest::prelude::*;
        const NAMES: [&str; 6] = ["a", "b", "ab", "exp", "aaaaaaaaa", "aaaaaaaab"];
        let strategy = proptest::collection::vec((0..NAMES.len(), any::<bool>()), 0..24);
        proptest::test_runner::TestRunner::default()
            .run(&strategy, |picks| {
                let mut text = String::from("{");
                let mut decoded = alloc::collections::BTreeSet::new();
                let mut repeated = false;
                for (i, &(n, escape)) in picks.iter().enumerate() {
                    let name = NAMES[n];
                    repeated |= !decoded.insert(name);
                    let first = name.as_bytes()[0];
                    let written = if escape {
                        alloc::format!("\\u{:04x}{}", first, &name[1..])
                    } else {
                        name.into()
                    };
                    let sep = if i == 0 { "" } else { "," };
                    text.push_str(&alloc::format!("{sep}\"{written}\":{i}"));
                }
                text.push('}');
                let got = parse(text.as_bytes(), 4);
                prop_assert_eq!(got.is_err(), repeated, "{}", text);
                if repeated {
                    prop_assert_eq!(got.unwrap_err(), Error::DuplicateMember);
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn duplicates_and_depth() {
        assert_eq!(
            parse(b"{\"a\":1,\"a\":2}", 4).unwrap_err(),
            Error::DuplicateMember
        );
        assert_eq!(
            parse(b"{\"a\":1,\"\\u0061\":2}", 4).unwrap_err(),
            Error::DuplicateMember
        );
        assert!(parse(b"{\"a\":{\"a\":1}}", 4).is_ok());
        let mut many = String::from("{");
        for i in 0..40 {
            many.push_str(&alloc::format!("\"k{i}\":{i},"));
        }
        many.push_str("\"k\\u0031\":0}");
        assert_eq!(
            parse(many.as_bytes(), 4).unwrap_err(),
            Error::DuplicateMember
        );
        assert_eq!(parse(b"[[[1]]]", 2).unwrap_err(), Error::TooDeep);
        assert!(parse(b"[[[1]]]", 3).is_ok());
    }

    #[test]
    fn plain_runs_and_name_heads() {
        // The eight-at-a-time scan stops exactly where a byte-at-a-time scan does.
        for len in 0..20 {
            for at in 0..=len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'!'] {
                    let mut b = alloc::vec![b'a'; len];
                    b.extend_from_slice("\u{e9}\u{7f}".as_bytes());
                    if at < b.len() {
                        b[at] = special;
                    }
                    let naive = b
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                        .unwrap_or(b.len());
                    assert_eq!(plain_run(&b), naive, "{b:?}");
                }
            }
        }
        // Names that share a head, differ only in length, or sit at the very end of the input.
        for (doc, dup) in [
            (r#"{"abcdefgh1":1,"abcdefgh2":2}"#, false),
            (r#"{"abcdefgh1":1,"abcdefgh1":2}"#, true),
            (r#"{"abcdefgh":1,"abcdefg":2,"abcdefghi":3}"#, false),
            (r#"{"":1,"a":2,"":3}"#, true),
            (r#"{"":1,"a":2}"#, false),
            (r#"{"a":{"b":1,"b":2}}"#, true),
            (r#"{"ab":1,"a\u0062":2}"#, true),
            (r#"{"x":1,"xy":2}"#, false),
        ] {
            let got = parse(doc.as_bytes(), 4);
            assert_eq!(got.is_err(), dup, "{doc}");
            if dup {
                assert_eq!(got.unwrap_err(), Error::DuplicateMember, "{doc}");
            }
        }
        assert_eq!(head(b"abc", 3), head(b"abc\"more", 3));
        assert_eq!(head(b"abcdefghij", 10), head(b"abcdefgh", 8));
        assert_ne!(head(b"ab", 2), head(b"abc", 3));
    }

    #[test]
    fn reader() {
        let v = parse(
            br#" {"a" : "x\"y", "b":[1, "\u00e9", {"c": true}], "n": -1.5e3, "z":null} "#,
            8,
        )
        .unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(o.len(), 4);
        assert_eq!(o.get("a").unwrap().as_jstr().unwrap().to_cow(), "x\"y");
        let b: Vec<_> = match o.get("b").unwrap() {
            Value::Array(a) => a.iter().map(|v| v.raw()).collect(),
            _ => panic!(),
        };
        assert_eq!(b, ["1", "\\u00e9", "{\"c\": true}"]);
        assert!(matches!(o.get("n"), Some(Value::Number("-1.5e3"))));
        assert!(matches!(o.get("z"), Some(Value::Null)));
        assert!(o.get("q").is_none());
        // The root's text is exactly the value, without surrounding whitespace.
        assert_eq!(parse(b" [1, [2]] ", 8).unwrap().raw(), "[1, [2]]");
        assert_eq!(parse(b"\t{\"a\":{}}\n", 8).unwrap().raw(), "{\"a\":{}}");
        assert!(matches!(parse(b" -0.5 ", 8), Ok(Value::Number("-0.5"))));
        assert!(matches!(parse(b"true", 8), Ok(Value::Bool(true))));
        assert!(matches!(parse(b"null ", 8), Ok(Value::Null)));
        assert_eq!(parse(b"[1] x", 8).unwrap_err(), Error::Syntax);
        let s = parse(br#""\ud83d\ude00\n\/""#, 1).unwrap();
        assert_eq!(s.as_jstr().unwrap().to_cow(), "\u{1f600}\n/");
    }

    #[test]
    fn uint_claims() {
        assert_eq!(number_to_u64("1234.5678"), UintClaim::Value(1234));
        assert_eq!(
            number_to_u64("18446744073709551615"),
            UintClaim::Value(u64::MAX)
        );
        assert_eq!(number_to_u64("18446744073709551616"), UintClaim::OutOfRange);
        assert_eq!(number_to_u64("-1"), UintClaim::OutOfRange);
        assert_eq!(number_to_u64("1e3"), UintClaim::Value(1000));
        assert_eq!(number_to_u64("1e20"), UintClaim::OutOfRange);
        assert_eq!(number_to_u64("-0"), UintClaim::Value(0));
        // More digits than a u64 holds, brought back into range by the exponent (read as a
        // double, as Envoy does: 999999999999999.99999 rounds to 1e15).
        assert_eq!(
            number_to_u64("99999999999999999999e-5"),
            UintClaim::Value(1_000_000_000_000_000)
        );
        assert_eq!(number_to_u64("0"), UintClaim::Value(0));
        assert_eq!(number_to_u64(""), UintClaim::OutOfRange);
    }
}
