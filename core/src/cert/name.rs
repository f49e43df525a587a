//! RFC 4514 string form of an X.509 `Name`, in OpenSSL's `-nameopt RFC2253` spelling
//! (most-specific RDN first, `,` between RDNs, `+` inside a multi-valued RDN).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use der::asn1::ObjectIdentifier as Oid;
use der::{Encode, Tag, Tagged};
use x509_cert::name::Name;

/// Short names for the attribute types RFC 4514 §3 lists, plus the ones OpenSSL prints by name.
const NAMES: &[(Oid, &str)] = &[
    (Oid::new_unwrap("2.5.4.3"), "CN"),
    (Oid::new_unwrap("2.5.4.6"), "C"),
    (Oid::new_unwrap("2.5.4.7"), "L"),
    (Oid::new_unwrap("2.5.4.8"), "ST"),
    (Oid::new_unwrap("2.5.4.9"), "street"),
    (Oid::new_unwrap("2.5.4.10"), "O"),
    (Oid::new_unwrap("2.5.4.11"), "OU"),
    (Oid::new_unwrap("2.5.4.4"), "SN"),
    (Oid::new_unwrap("2.5.4.5"), "serialNumber"),
    (Oid::new_unwrap("2.5.4.12"), "title"),
    (Oid::new_unwrap("2.5.4.15"), "businessCategory"),
    (Oid::new_unwrap("2.5.4.17"), "postalCode"),
    (Oid::new_unwrap("2.5.4.20"), "telephoneNumber"),
    (Oid::new_unwrap("2.5.4.42"), "GN"),
    (Oid::new_unwrap("2.5.4.43"), "initials"),
    (Oid::new_unwrap("2.5.4.44"), "generationQualifier"),
    (Oid::new_unwrap("2.5.4.46"), "dnQualifier"),
    (Oid::new_unwrap("2.5.4.65"), "pseudonym"),
    (Oid::new_unwrap("2.5.4.97"), "organizationIdentifier"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.1"), "UID"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
    (Oid::new_unwrap("1.2.840.113549.1.9.1"), "emailAddress"),
];

fn short_name(oid: &Oid) -> Option<&'static str> {
    NAMES
        .iter()
        .find(|(known, _)| known == oid)
        .map(|(_, short)| *short)
}

/// Decodes a string attribute value into text; `None` for non-string or undecodable values.
fn value_text(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            core::str::from_utf8(bytes).ok().map(String::from)
        }
        // T.61 in theory; in practice Latin-1, which is how OpenSSL reads it.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => None,
    }
}

fn escape_into(out: &mut String, value: &str) {
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\0'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:02X}", c as u32);
            }
            _ => out.push(c),
        }
    }
}

/// Formats `name` as an RFC 4514 string. Unknown attribute types are written as a dotted OID,
/// and values that are not strings as `#` + hex of their DER (RFC 4514 §2.4).
pub(crate) fn format(name: &Name) -> String {
    let mut out = String::new();
    // An empty RDN (seen in the wild) is left out, as OpenSSL does.
    let rdns: Vec<_> = name.as_ref().iter().filter(|r| !r.is_empty()).collect();
    for (i, rdn) in rdns.into_iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let short = short_name(&atv.oid);
            match short {
                Some(s) => out.push_str(s),
                None => {
                    let _ = write!(out, "{}", atv.oid);
                }
            }
            out.push('=');
            match (short, value_text(atv.value.tag(), atv.value.value())) {
                (Some(_), Some(text)) => escape_into(&mut out, &text),
                _ => {
                    out.push('#');
                    if let Ok(der) = atv.value.to_der() {
                        for b in der {
                            let _ = write!(out, "{b:02X}");
                        }
                    }
                }
            }
        }
    }
    out
}
