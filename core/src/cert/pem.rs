//! Finds PEM blocks in text that may have anything before, between and after them, and decodes
//! each with `pem-rfc7468` (RFC 7468 strict grammar, any uniform line width, LF or CRLF).

use crate::Status;
use alloc::vec::Vec;

/// One `-----BEGIN <label>-----` … `-----END <label>-----` block found in the input.
pub(crate) struct RawBlock<'a> {
    /// Byte offset of the BEGIN line.
    pub start: usize,
    /// Byte offset just past the END line's last `-` (or the end of input if there is no END).
    pub end: usize,
    /// The label of the BEGIN line.
    pub label: &'a [u8],
    /// The block text (BEGIN line to END line) to decode, or `CertBadPem` if it has no END line
    /// or the END label differs.
    pub text: Result<&'a [u8], Status>,
}

impl RawBlock<'_> {
    /// The decoded body, or `CertBadPem`.
    pub fn decode(&self) -> Result<Vec<u8>, Status> {
        decode(self.text?)
    }
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// `(start, end_without_newline, next_line_start)` for each line.
fn lines(data: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    core::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let start = pos;
        let end = match data[pos..].iter().position(|&b| b == b'\n') {
            Some(i) => start + i,
            None => data.len(),
        };
        pos = end + 1;
        Some((start, end))
    })
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [head @ .., b' ' | b'\t' | b'\r'] = l {
        l = head;
    }
    l
}

/// The label of a boundary line `<prefix><label>-----`, if `line` is one.
fn boundary<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let line = trim_end(line);
    let rest = line.strip_prefix(prefix)?;
    rest.strip_suffix(DASHES)
}

/// Every PEM block in `data`, in order. A BEGIN line with no matching END line gives a
/// `CertBadPem` block that runs to the next BEGIN line or the end of input.
pub(crate) fn blocks(data: &[u8]) -> Vec<RawBlock<'_>> {
    let mut out = Vec::new();
    // (start offset, label) of the block being read.
    let mut open: Option<(usize, &[u8])> = None;
    for (ls, le) in lines(data) {
        let line = &data[ls..le];
        if let Some(label) = boundary(line, BEGIN) {
            if let Some((start, old)) = open.take() {
                out.push(RawBlock {
                    start,
                    end: ls,
                    label: old,
                    text: Err(Status::CertBadPem),
                });
            }
            open = Some((ls, label));
        } else if let Some(label) = boundary(line, END) {
            if let Some((start, begin_label)) = open.take() {
                let end = ls + trim_end(line).len();
                let text = if label == begin_label {
                    Ok(&data[start..end])
                } else {
                    Err(Status::CertBadPem)
                };
                out.push(RawBlock {
                    start,
                    end,
                    label: begin_label,
                    text,
                });
            }
        }
    }
    if let Some((start, label)) = open {
        out.push(RawBlock {
            start,
            end: data.len(),
            label,
            text: Err(Status::CertBadPem),
        });
    }
    out
}

fn decode(pem: &[u8]) -> Result<Vec<u8>, Status> {
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(pem).map_err(|_| Status::CertBadPem)?;
    let mut buf = Vec::new();
    decoder
        .decode_to_end(&mut buf)
        .map_err(|_| Status::CertBadPem)?;
    Ok(buf)
}
