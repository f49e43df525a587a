//! Strict base64url (RFC 4648 §5).
//!
//! Stricter than Envoy (divergence D4): no whitespace, no `+` or `/`, no `.` as padding, `=` only
//! as exact padding (Envoy, PyJWT and AWS ALB tokens accept it), and the unused trailing bits must
//! be zero, so every byte string has one unpadded and at most one padded encoding.

use alloc::string::String;
use alloc::vec::Vec;

const INVALID: u8 = 0xff;

const DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = ENCODE;
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// [`DECODE`] pre-shifted for each position of a quad (`DECODE_AT[k][c]` is the sextet of `c`
/// shifted left by `18 - 6k`), so a quad is four loads and three ors. An invalid character is
/// `1 << 31`, a bit no valid quad sets.
const DECODE_AT: [[u32; 256]; 4] = {
    let mut t = [[1 << 31; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut i = 0;
        while i < 256 {
            if DECODE[i] != INVALID {
                t[k][i] = (DECODE[i] as u32) << (18 - 6 * k);
            }
            i += 1;
        }
        k += 1;
    }
    t
};

/// The 24 bits of the quad `c` (bit 31 set if a character is invalid).
#[inline(always)]
fn quad(c: &[u8]) -> u32 {
    DECODE_AT[0][usize::from(c[0])]
        | DECODE_AT[1][usize::from(c[1])]
        | DECODE_AT[2][usize::from(c[2])]
        | DECODE_AT[3][usize::from(c[3])]
}

const ENCODE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The data part of `input` (padding removed) if the padding is absent or exact.
fn strip_padding(input: &[u8]) -> Option<&[u8]> {
    let data_len = input.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
    let pad = input.len() - data_len;
    if pad == 0 {
        return Some(input);
    }
    match (data_len % 4, pad) {
        (2, 2) | (3, 1) => Some(&input[..data_len]),
        _ => None,
    }
}

/// The number of bytes `input` decodes to, or `None` if its length cannot be valid.
pub fn decoded_len(input: &[u8]) -> Option<usize> {
    let data = strip_padding(input)?;
    match data.len() % 4 {
        1 => None,
        r => Some(data.len() / 4 * 3 + r.saturating_sub(1)),
    }
}

/// Decodes `input` into the front of `out` and returns the number of bytes written, or `None` if
/// `input` is not strict base64url or `out` is too short.
pub fn decode_into(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let data = strip_padding(input)?;
    let n = decoded_len(data)?;
    let out = out.get_mut(..n)?;
    let full = data.len() / 4 * 3;
    // Whole quads, two at a time (eight characters to six bytes), zipped with their output (no
    // per-byte bounds checks); invalid characters are collected in `bad` and checked once.
    let mut bad = 0u32;
    let mut pairs = data[..data.len() / 8 * 8].chunks_exact(8);
    for (c, t) in (&mut pairs).zip(out[..full].chunks_exact_mut(6)) {
        let (a, b) = (quad(&c[..4]), quad(&c[4..]));
        bad |= a | b;
        let v = (u64::from(a) << 24 | u64::from(b)).to_be_bytes();
        t.copy_from_slice(&v[2..]);
    }
    let done = data.len() / 8 * 6;
    let mut chunks = data[data.len() / 8 * 8..].chunks_exact(4);
    for (c, t) in (&mut chunks).zip(out[done..full].chunks_exact_mut(3)) {
        let v = quad(c);
        bad |= v;
        t.copy_from_slice(&v.to_be_bytes()[1..]);
    }
    if bad >> 24 != 0 {
        return None;
    }
    let o = full;
    let rest = chunks.remainder();
    let mut v = 0u32;
    for &c in rest {
        let d = DECODE[c as usize];
        if d == INVALID {
            return None;
        }
        v = (v << 6) | u32::from(d);
    }
    match rest.len() {
        0 => {}
        2 => {
            if v & 0x0f != 0 {
                return None;
            }
            out[o] = (v >> 4) as u8;
        }
        3 => {
            if v & 0x03 != 0 {
                return None;
            }
            out[o] = (v >> 10) as u8;
            out[o + 1] = (v >> 2) as u8;
        }
        _ => return None,
    }
    Some(n)
}

/// Decodes `input` into a new vector, or `None` if it is not strict base64url.
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = alloc::vec![0u8; decoded_len(input)?];
    decode_into(input, &mut out)?;
    Some(out)
}

/// Encodes `data` as base64url without padding.
pub fn encode(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let v = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        let chars = c.len() + 1;
        for i in 0..chars {
            s.push(char::from(ENCODE[(v >> (18 - 6 * i)) as usize & 63]));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_and_strictness() {
        // RFC 4648 §10 test vectors, in the URL-safe alphabet without padding.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(decode(enc.as_bytes()).unwrap(), plain.as_bytes());
            assert_eq!(encode(plain.as_bytes()), enc);
        }
        assert_eq!(decode(b"Zg==").unwrap(), b"f");
        assert_eq!(decode(b"Zm8=").unwrap(), b"fo");
        assert_eq!(decode(b"-_8").unwrap(), [0xfb, 0xff]);
        for bad in [
            &b"Zg="[..],
            b"Zg===",
            b"Zm9v=",
            b"=",
            b"Zh==",
            b"Z",
            b"Zh",
            b"Zm9",
            b"Zm+v",
            b"Zm/v",
            b"Zm9v\n",
            b" Zm9v",
            b"Zm.v",
            b"Zm8.",
            b"Zg.=",
        ] {
            assert_eq!(decode(bad), None, "{:?}", bad);
        }
        assert_eq!(decode(&[0xff, b'A', b'A', b'A']), None);
    }

    #[test]
    fn invalid_character_in_any_quad_of_a_long_input() {
        let good = encode(&[0x5a; 300]);
        assert_eq!(decode(good.as_bytes()).unwrap(), [0x5a; 300]);
        for at in [0, 1, 5, 200, good.len() - 1] {
            for c in [b'+', b'/', b'=', b'.', 0x80, 0xff] {
                let mut bad = good.clone().into_bytes();
                bad[at] = c;
                assert_eq!(decode(&bad), None, "{at} {c}");
            }
        }
        // Every length from 0 to 40 bytes: pairs of quads, a single quad and each tail shape,
        // with an invalid character at each position.
        for len in 0..=40u8 {
            let plain: Vec<u8> = (0..len).map(|i| i.wrapping_mul(97) ^ 0xa5).collect();
            let enc = encode(&plain);
            assert_eq!(decode(enc.as_bytes()).unwrap(), plain, "{len}");
            for at in 0..enc.len() {
                let mut bad = enc.clone().into_bytes();
                bad[at] = b'+';
                assert_eq!(decode(&bad), None, "{len} {at}");
            }
        }
        // An output buffer one byte short is refused.
        assert_eq!(decode_into(good.as_bytes(), &mut [0; 299]), None);
    }
}
