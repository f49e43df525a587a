//! A compact JWS split and decoded (not verified): header, registered claims and the raw payload,
//! with jwt_verify_lib's parse rules, checks and statuses, in its order.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::alg::Alg;
use crate::b64;
use crate::json::{self, JStr, Object, UintClaim, Value};
use crate::Status;

/// JSON nesting limit for token headers and payloads.
const MAX_DEPTH: usize = json::DEFAULT_MAX_DEPTH;
/// Decoded header + payload up to this size live inside the token value (no heap allocation).
const INLINE: usize = 2048;
/// The longest signature any supported key can produce (RSA-8192).
pub(crate) const MAX_SIG: usize = 1024;

/// Storage for the decoded header and payload. The inline variant is large on purpose: typical
/// tokens verify without touching the heap.
/// Only the bytes in use are ever written (a `heapless::Vec` does not zero its capacity).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
enum Buf {
    Inline(heapless::Vec<u8, INLINE>),
    Heap(Vec<u8>),
}

impl Buf {
    fn bytes(&self) -> &[u8] {
        match self {
            Buf::Inline(v) => v,
            Buf::Heap(v) => v,
        }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Buf::Inline(v) => v,
            Buf::Heap(v) => v,
        }
    }

    /// Makes the buffer `n` zero bytes long: inline when they fit, else on the heap.
    fn set_len(&mut self, n: usize) {
        match self {
            Buf::Inline(v) if n <= INLINE => {
                v.clear();
                // Cannot fail: `n` is within the capacity.
                let _ = v.resize(n, 0);
            }
            _ => *self = Buf::Heap(alloc::vec![0; n]),
        }
    }
}

/// A string claim: a range of the decoded payload, or decoded text when it had escapes.
#[derive(Clone, Debug)]
enum Text {
    Span(usize, usize),
    Owned(String),
}

/// A decoded signature: up to [`MAX_SIG`] bytes in the caller's stack buffer (so the large
/// buffer is never moved), longer ones on the heap.
pub(crate) enum Sig<'b> {
    Stack(&'b [u8]),
    Heap(Vec<u8>),
}

impl Sig<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Sig::Stack(b) => b,
            Sig::Heap(v) => v,
        }
    }
}

/// The caller-provided buffer [`parse_into`] decodes a signature into.
pub(crate) type SigBuf = heapless::Vec<u8, MAX_SIG>;

/// A parsed, **unverified** token. Use [`crate::verify`] to get a verified one.
#[derive(Clone)]
pub struct Token<'t> {
    /// The token text: ASCII once parsed (every byte base64url or a dot).
    token: &'t [u8],
    signed_len: usize,
    buf: Buf,
    header_len: usize,
    alg: Alg,
    kid: Option<Text>,
    typ: Option<Text>,
    reg: Registered,
    /// Whether the payload was read as JWT claims (false for an opaque JWS payload).
    claims: bool,
}

/// How the payload is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    /// A JWT claims set: a JSON object with Envoy's registered-claim checks.
    Claims,
    /// Any bytes (a plain JWS).
    Opaque,
}

impl<'t> Token<'t> {
    /// Splits and decodes `token` (without verifying its signature).
    pub fn parse(token: &'t str) -> Result<Token<'t>, Status> {
        let mut t = Token::unparsed(token.as_bytes());
        parse_into(&mut t, Payload::Claims, &mut SigBuf::new())?;
        Ok(t)
    }

    /// `token` with nothing decoded yet, for [`parse_into`] to fill in place: the inline buffer
    /// is large, so the token is built where it will live instead of being moved there.
    pub(crate) fn unparsed(token: &'t [u8]) -> Token<'t> {
        Token {
            token,
            signed_len: 0,
            buf: Buf::Inline(heapless::Vec::new()),
            header_len: 0,
            alg: Alg::HS256,
            kid: None,
            typ: None,
            reg: Registered::default(),
            claims: false,
        }
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.buf.bytes()[self.header_len..]
    }

    /// The token text as given.
    pub fn as_str(&self) -> &'t str {
        core::str::from_utf8(self.token).unwrap_or_default()
    }

    /// `header.payload`: the signed bytes.
    pub fn signing_input(&self) -> &'t [u8] {
        &self.token[..self.signed_len]
    }

    /// The payload segment as sent (base64url), e.g. for Envoy's `forward_payload_header`.
    pub fn payload_b64(&self) -> &'t str {
        let h = self.token.iter().position(|&c| c == b'.').unwrap_or(0);
        core::str::from_utf8(&self.token[h + 1..self.signed_len]).unwrap_or_default()
    }

    /// The decoded header JSON.
    pub fn header_json(&self) -> &str {
        core::str::from_utf8(&self.buf.bytes()[..self.header_len]).unwrap_or("")
    }

    /// The decoded payload JSON (the claims), exactly as signed; `{}` for a plain JWS whose
    /// payload was not read as claims.
    pub fn payload_json(&self) -> &str {
        if !self.claims {
            return "{}";
        }
        core::str::from_utf8(self.payload()).unwrap_or("{}")
    }

    /// The header's `alg`.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    fn text<'s>(&'s self, t: &'s Option<Text>) -> Option<&'s str> {
        core::str::from_utf8(self.text_bytes(t)?).ok()
    }

    /// The bytes of a string member, without the UTF-8 check of [`Self::text`] (the whole
    /// document was checked when parsed): for comparisons on the verify path.
    fn text_bytes<'s>(&'s self, t: &'s Option<Text>) -> Option<&'s [u8]> {
        match t.as_ref()? {
            Text::Span(a, b) => self.buf.bytes().get(*a..*b),
            Text::Owned(s) => Some(s.as_bytes()),
        }
    }

    /// The header's `kid` as bytes (see [`Self::text_bytes`]).
    pub(crate) fn kid_bytes(&self) -> Option<&[u8]> {
        self.text_bytes(&self.kid)
    }

    /// Whether the `iss` claim equals `issuer`, compared as bytes.
    pub(crate) fn iss_is(&self, issuer: &str) -> bool {
        self.text_bytes(&self.reg.iss) == Some(issuer.as_bytes())
    }

    /// Whether `aud` holds an audience that, sanitised, is one of `allowed` (already sanitised).
    /// A plain string `aud` (the common case) is compared as bytes; others go through
    /// [`Self::audiences`].
    pub(crate) fn audience_in(&self, allowed: &[String]) -> bool {
        let raw = self.reg.aud.and_then(|(a, b)| self.buf.bytes().get(a..b));
        if let Some([b'"', inner @ .., b'"']) = raw {
            if !inner.contains(&b'\\') {
                let (s, e) = crate::verify::sanitized_range(inner);
                return allowed.iter().any(|c| c.as_bytes() == &inner[s..e]);
            }
        }
        self.audiences().any(|a| {
            allowed
                .iter()
                .any(|c| c == crate::verify::sanitize_audience(&a))
        })
    }

    /// The header's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.text(&self.kid)
    }

    /// The header's `typ`, if it is a string.
    pub fn typ(&self) -> Option<&str> {
        self.text(&self.typ)
    }

    /// The `iss` claim.
    pub fn iss(&self) -> Option<&str> {
        self.text(&self.reg.iss)
    }

    /// The `sub` claim.
    pub fn sub(&self) -> Option<&str> {
        self.text(&self.reg.sub)
    }

    /// The `jti` claim.
    pub fn jti(&self) -> Option<&str> {
        self.text(&self.reg.jti)
    }

    /// The `iat` claim (Unix seconds, fractions truncated).
    pub fn iat(&self) -> Option<u64> {
        self.reg.iat
    }

    /// The `nbf` claim (Unix seconds, fractions truncated).
    pub fn nbf(&self) -> Option<u64> {
        self.reg.nbf
    }

    /// The `exp` claim (Unix seconds, fractions truncated).
    pub fn exp(&self) -> Option<u64> {
        self.reg.exp
    }

    /// The `aud` claim as a list (a single string is a list of one; absent is empty).
    pub fn audiences(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let raw = self
            .reg
            .aud
            .and_then(|(a, b)| core::str::from_utf8(&self.buf.bytes()[a..b]).ok());
        let value = raw.map(json::reread);
        let (single, list) = match value {
            Some(Value::String(s)) => (Some(s.to_cow()), None),
            Some(Value::Array(a)) => (None, Some(a.iter())),
            _ => (None, None),
        };
        single.into_iter().chain(
            list.into_iter()
                .flatten()
                .filter_map(|v| v.as_jstr().map(|s| s.to_cow())),
        )
    }

    /// The payload as a JSON object.
    pub fn claims(&self) -> Object<'_> {
        json::reread_object(self.payload_json())
    }

    /// The header as a JSON object.
    pub fn header(&self) -> Object<'_> {
        json::reread_object(self.header_json())
    }

    /// A claim by dotted path (`a.b.c` walks nested objects, as Envoy's `StructUtils::GetValue`).
    pub fn claim(&self, path: &str) -> Option<Value<'_>> {
        crate::claims::lookup(self.claims(), path.split('.'))
    }

    /// `iss/sub`, Istio's request principal, when both claims are present.
    pub fn principal(&self) -> Option<String> {
        Some(alloc::format!("{}/{}", self.iss()?, self.sub()?))
    }

    /// The `scope` claim split on spaces (empty pieces dropped); a list-valued `scope` gives its
    /// string elements.
    pub fn scopes(&self) -> Vec<Cow<'_, str>> {
        crate::claims::split_claim(self.claims().get("scope"))
    }
}

/// A member name of 3 or 4 bytes as 4 bytes (`*b"alg\0"`, `*b"crit"`), escapes decoded, so the
/// registered names are matched by one integer compare; `None` for other lengths.
fn short_name(k: JStr<'_>) -> Option<[u8; 4]> {
    let decoded;
    let b = match k.as_str() {
        Some(raw) => raw.as_bytes(),
        None => {
            decoded = k.to_cow();
            decoded.as_bytes()
        }
    };
    match *b {
        [a, b, c] => Some([a, b, c, 0]),
        [a, b, c, d] => Some([a, b, c, d]),
        _ => None,
    }
}

/// A string member read with Envoy's `GetString`: absent is fine, another type is an error.
fn string_member(v: Option<Value<'_>>, base: usize, wrong: Status) -> Result<Option<Text>, Status> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(text_of(s, base))),
        Some(_) => Err(wrong),
    }
}

fn text_of(s: JStr<'_>, base: usize) -> Text {
    match s.as_str() {
        Some(raw) => {
            let start = raw.as_ptr() as usize - base;
            Text::Span(start, start + raw.len())
        }
        None => Text::Owned(s.to_cow().into_owned()),
    }
}

fn uint_member(
    v: Option<Value<'_>>,
    not_integer: Status,
    out_of_range: Status,
) -> Result<Option<u64>, Status> {
    match v {
        None => Ok(None),
        Some(Value::Number(n)) => match json::number_to_u64(n) {
            UintClaim::Value(x) => Ok(Some(x)),
            UintClaim::OutOfRange => Err(out_of_range),
        },
        Some(_) => Err(not_integer),
    }
}

/// The positions of the first three `.` in `token` and whether it is all ASCII (not looked at
/// past a fourth dot), in one pass of eight bytes at a time.
fn find_dots(token: &[u8]) -> ([Option<usize>; 3], bool) {
    let mut dots = [None; 3];
    let mut found = 0;
    let mut high = 0u64;
    let mut chunks = token.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let x = json::load8(c);
        high |= x;
        // Zero bytes of `y` are dots. Only the lowest flagged byte is exact, so take it and
        // clear it until none is left.
        let mut y = x ^ json::splat(b'.');
        loop {
            let flagged = json::bytes_below(y, 1);
            if flagged == 0 {
                break;
            }
            let byte = flagged.trailing_zeros() as usize / 8;
            if found == 3 {
                // A fourth dot: not a JWS whatever the rest holds.
                return (dots, true);
            }
            dots[found] = Some(at + byte);
            found += 1;
            y |= 0xff << (8 * byte);
        }
        at += 8;
    }
    for (i, &c) in chunks.remainder().iter().enumerate() {
        high |= u64::from(c);
        if c == b'.' && found < 3 {
            dots[found] = Some(at + i);
            found += 1;
        }
    }
    (dots, high & json::HI == 0)
}

/// Parses the text of `t` (from [`Token::unparsed`]) into `t`; returns its decoded signature (in
/// `sig_buf` when it fits) for verification. On error `t` is left partly filled.
pub(crate) fn parse_into<'t, 'b>(
    t: &mut Token<'t>,
    payload: Payload,
    sig_buf: &'b mut SigBuf,
) -> Result<Sig<'b>, Status> {
    let token = t.token;
    // Exactly two dots (a JWE has four: JwtBadFormat). Unlike Envoy, empty segments are not
    // skipped: an empty header or payload fails as bad JSON, an empty signature fails to verify.
    let (dots, ascii) = find_dots(token);
    // Text that is not UTF-8 is not a token; other non-ASCII text fails as bad base64url below.
    if !ascii && core::str::from_utf8(token).is_err() {
        return Err(Status::JwtBadFormat);
    }
    let (h, p, s) = match dots {
        [Some(a), Some(b), None] => (&token[..a], &token[a + 1..b], &token[b + 1..]),
        _ => return Err(Status::JwtBadFormat),
    };
    let hlen = b64::decoded_len(h).ok_or(Status::JwtHeaderParseErrorBadBase64)?;
    let plen = b64::decoded_len(p);
    t.buf.set_len(hlen + plen.unwrap_or(0));
    b64::decode_into(h, &mut t.buf.bytes_mut()[..hlen])
        .ok_or(Status::JwtHeaderParseErrorBadBase64)?;
    // Header.
    let (alg, kid, typ) = {
        let bytes = &t.buf.bytes()[..hlen];
        let base = bytes.as_ptr() as usize;
        let (mut alg, mut kid, mut typ, mut crit) = (None, None, None, false);
        let hdr = json::parse_with(bytes, MAX_DEPTH, |k, v| match short_name(k).as_ref() {
            Some(b"alg\0") => alg = Some(v),
            Some(b"kid\0") => kid = Some(v),
            Some(b"typ\0") => typ = Some(v),
            Some(b"crit") => crit = true,
            _ => {}
        });
        if !matches!(hdr, Ok(Value::Object(_))) {
            return Err(Status::JwtHeaderParseErrorBadJson);
        }
        let alg = match alg {
            Some(Value::String(s)) => {
                Alg::from_name(&s.to_cow()).ok_or(Status::JwtHeaderNotImplementedAlg)?
            }
            _ => return Err(Status::JwtHeaderBadAlg),
        };
        let kid = string_member(kid, base, Status::JwtHeaderBadKid)?;
        if crit {
            return Err(Status::JwtHeaderUnsupportedCrit);
        }
        let typ = match typ {
            Some(Value::String(s)) => Some(text_of(s, base)),
            _ => None,
        };
        (alg, kid, typ)
    };
    // Payload.
    plen.ok_or(Status::JwtPayloadParseErrorBadBase64)?;
    b64::decode_into(p, &mut t.buf.bytes_mut()[hlen..])
        .ok_or(Status::JwtPayloadParseErrorBadBase64)?;
    let registered = if payload == Payload::Claims {
        read_claims(&t.buf, hlen)?
    } else {
        Registered::default()
    };
    // Signature.
    let sig_len = b64::decoded_len(s).ok_or(Status::JwtSignatureParseErrorBadBase64)?;
    let sig = if sig_len <= MAX_SIG {
        sig_buf.clear();
        // Cannot fail: `sig_len` is within the capacity.
        let _ = sig_buf.resize(sig_len, 0);
        b64::decode_into(s, sig_buf).ok_or(Status::JwtSignatureParseErrorBadBase64)?;
        Sig::Stack(sig_buf)
    } else {
        Sig::Heap(b64::decode(s).ok_or(Status::JwtSignatureParseErrorBadBase64)?)
    };
    t.signed_len = h.len() + 1 + p.len();
    t.header_len = hlen;
    t.alg = alg;
    t.kid = kid;
    t.typ = typ;
    t.reg = registered;
    t.claims = payload == Payload::Claims;
    Ok(sig)
}

/// The registered claims of a JWT payload, checked in Envoy's order.
#[derive(Clone, Default)]
struct Registered {
    iss: Option<Text>,
    sub: Option<Text>,
    jti: Option<Text>,
    iat: Option<u64>,
    nbf: Option<u64>,
    exp: Option<u64>,
    /// Range of the raw `aud` value inside the decoded payload.
    aud: Option<(usize, usize)>,
}

fn read_claims(buf: &Buf, hlen: usize) -> Result<Registered, Status> {
    let bytes = buf.bytes();
    let base = bytes.as_ptr() as usize;
    let (mut iss, mut sub, mut iat, mut nbf, mut exp, mut jti, mut aud) =
        (None, None, None, None, None, None, None);
    let claims = json::parse_with(&bytes[hlen..], MAX_DEPTH, |k, v| {
        let slot = match short_name(k).as_ref() {
            Some(b"iss\0") => &mut iss,
            Some(b"sub\0") => &mut sub,
            Some(b"iat\0") => &mut iat,
            Some(b"nbf\0") => &mut nbf,
            Some(b"exp\0") => &mut exp,
            Some(b"jti\0") => &mut jti,
            Some(b"aud\0") => &mut aud,
            _ => return,
        };
        *slot = Some(v);
    });
    if !matches!(claims, Ok(Value::Object(_))) {
        return Err(Status::JwtPayloadParseErrorBadJson);
    }
    let iss = string_member(iss, base, Status::JwtPayloadParseErrorIssNotString)?;
    let sub = string_member(sub, base, Status::JwtPayloadParseErrorSubNotString)?;
    let iat = uint_member(
        iat,
        Status::JwtPayloadParseErrorIatNotInteger,
        Status::JwtPayloadParseErrorIatOutOfRange,
    )?;
    let nbf = uint_member(
        nbf,
        Status::JwtPayloadParseErrorNbfNotInteger,
        Status::JwtPayloadParseErrorNbfOutOfRange,
    )?;
    let exp = uint_member(
        exp,
        Status::JwtPayloadParseErrorExpNotInteger,
        Status::JwtPayloadParseErrorExpOutOfRange,
    )?;
    let jti = string_member(jti, base, Status::JwtPayloadParseErrorJtiNotString)?;
    let aud = match aud {
        None => None,
        Some(v @ Value::String(_)) => Some(v),
        Some(v @ Value::Array(a)) if a.iter().all(|e| matches!(e, Value::String(_))) => Some(v),
        Some(_) => return Err(Status::JwtPayloadParseErrorAudNotString),
    };
    let aud = aud.map(|v| {
        let raw = match v {
            Value::String(s) => {
                // Include the quotes so the stored range re-reads as a JSON string.
                let start = s.raw().as_ptr() as usize - base - 1;
                (start, start + s.raw().len() + 2)
            }
            other => {
                let r = other.raw();
                let start = r.as_ptr() as usize - base;
                (start, start + r.len())
            }
        };
        raw
    });
    Ok(Registered {
        iss,
        sub,
        jti,
        iat,
        nbf,
        exp,
        aud,
    })
}
