//! A port of Go's `encoding/pem.Decode` (Go 1.22+), which Istio's trust-bundle code splits
//! blocks with. It is text scanning only; the DER inside is never looked at here.

use alloc::vec::Vec;

const PEM_START: &[u8] = b"\n-----BEGIN ";
const PEM_END: &[u8] = b"\n-----END ";
const PEM_END_OF_LINE: &[u8] = b"-----";

/// A decoded block: its type and body bytes.
pub(crate) struct GoBlock<'a> {
    #[allow(dead_code)]
    pub label: &'a [u8],
    pub bytes: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go's `getLine`: the line without its `\n` (and one `\r` before it), right-trimmed of spaces and
/// tabs, and the rest after the `\n`.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut i, j) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if j > i && i > 0 && data[i - 1] == b'\r' {
        i -= 1;
    }
    let mut line = &data[..i];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[j..])
}

/// Go's `base64.StdEncoding.Decode` after `removeSpacesAndTabs`: ' ', '\t', '\r', '\n' are
/// ignored, padding is required, trailing bits need not be zero.
fn std_b64(src: &[u8]) -> Option<Vec<u8>> {
    let chars: Vec<u8> = src
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (qi, q) in chars.chunks_exact(4).enumerate() {
        let last = qi + 1 == quads;
        let pad = match (q[2], q[3]) {
            (b'=', b'=') if last => 2,
            (_, b'=') if last && q[2] != b'=' => 1,
            _ => 0,
        };
        let mut n: u32 = 0;
        for &c in &q[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        out.push((n >> 16) as u8);
        if pad < 2 {
            out.push((n >> 8) as u8);
        }
        if pad < 1 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// Go's `pem.Decode`: the first well-formed block and the offset of the rest of `data`.
pub(crate) fn decode(data: &[u8]) -> Option<(GoBlock<'_>, usize)> {
    let off = |s: &[u8]| data.len() - s.len();
    let mut rest = data;
    loop {
        if rest.starts_with(&PEM_START[1..]) {
            rest = &rest[PEM_START.len() - 1..];
        } else if let Some(i) = find(rest, PEM_START) {
            rest = &rest[i + PEM_START.len()..];
        } else {
            return None;
        }
        let (type_line, r) = get_line(rest);
        rest = r;
        let Some(label) = type_line.strip_suffix(PEM_END_OF_LINE) else {
            continue;
        };
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            has_headers = true;
            rest = next;
        }
        let (end_index, end_trailer_index) = if !has_headers && rest.starts_with(&PEM_END[1..]) {
            (0, PEM_END.len() - 1)
        } else {
            match find(rest, PEM_END) {
                Some(i) => (i, i + PEM_END.len()),
                None => continue,
            }
        };
        let end_trailer = &rest[end_trailer_index..];
        let trailer_len = label.len() + PEM_END_OF_LINE.len();
        if end_trailer.len() < trailer_len {
            continue;
        }
        let rest_of_end_line = &end_trailer[trailer_len..];
        let end_trailer = &end_trailer[..trailer_len];
        if !end_trailer.starts_with(label) || !end_trailer.ends_with(PEM_END_OF_LINE) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let Some(bytes) = std_b64(&rest[..end_index]) else {
            continue;
        };
        let (_, after) = get_line(&rest[end_index + PEM_END.len() - 1..]);
        return Some((GoBlock { label, bytes }, off(after)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_go() {
        assert_eq!(std_b64(b"TWFu").unwrap(), b"Man");
        assert_eq!(std_b64(b"TW E=\r\n").unwrap(), b"Ma");
        assert_eq!(std_b64(b"TQ==").unwrap(), b"M");
        assert_eq!(std_b64(b"TR==").unwrap(), b"M"); // non-zero trailing bits are accepted
        assert!(std_b64(b"TQ").is_none());
        assert!(std_b64(b"TQ==TWFu").is_none());
        assert!(std_b64(b"T===").is_none());
        assert!(std_b64(b"TW-u").is_none());
        assert_eq!(std_b64(b"").unwrap(), b"");
    }

    #[test]
    fn decode_blocks() {
        let d = b"junk\n-----BEGIN X-----\nTWFu\n-----END X-----\nrest";
        let (b, off) = decode(d).unwrap();
        assert_eq!((b.label, &b.bytes[..]), (&b"X"[..], &b"Man"[..]));
        assert_eq!(&d[off..], b"rest");
        // Mismatched END label: no block.
        assert!(decode(b"-----BEGIN X-----\nTWFu\n-----END Y-----\n").is_none());
        // A bad block is skipped and the next one is used.
        let d =
            b"-----BEGIN X-----\n!!!!\n-----END X-----\n-----BEGIN Y-----\nTWFu\n-----END Y-----";
        let (b, off) = decode(d).unwrap();
        assert_eq!(b.label, b"Y");
        assert_eq!(off, d.len());
        // Headers are allowed.
        let d = b"-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nTWFu\n-----END X-----\n";
        assert_eq!(decode(d).unwrap().0.bytes, b"Man");
        // Empty body directly followed by END.
        let (b, _) = decode(b"-----BEGIN X-----\n-----END X-----\n").unwrap();
        assert!(b.bytes.is_empty());
    }
}
