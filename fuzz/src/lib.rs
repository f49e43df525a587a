//! Shared helpers for the meshauth fuzz targets: input splitting and the reference key set
//! (public test keys of RFC 7515 A.1-A.3 and RFC 8037 A.1, as in the shared attack corpus).

/// Splits `data` into two parts: a little-endian `u16` length, that many bytes, and the rest.
/// Short inputs give an empty first part.
pub fn split2(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (&[], data);
    }
    let n = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let rest = &data[2..];
    let n = n.min(rest.len());
    rest.split_at(n)
}

/// The inverse of [`split2`], for seeds.
pub fn join2(a: &[u8], b: &[u8]) -> Vec<u8> {
    let n = u16::try_from(a.len()).expect("first part under 64 KiB");
    let mut out = n.to_le_bytes().to_vec();
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out
}

/// RFC 7515 A.1 HMAC key (the corpus's `hs-1`).
pub const HS_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
/// RFC 7515 A.2 RSA modulus (`rsa-1`, e = 65537).
pub const RSA_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
/// RFC 7515 A.3 P-256 public point (`ec-1`).
pub const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
/// See [`EC_X`].
pub const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
/// RFC 8037 A.1 Ed25519 public key (`ed-1`).
pub const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
/// RFC 8037 A.1 Ed25519 private seed.
pub const ED_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

/// The corpus's `ref` JWKS, with the oct key without `alg` so HS384/HS512 reach it too.
pub fn ref_jwks_json() -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"hs-1","k":"{HS_K}"}},{{"kty":"RSA","kid":"rsa-1","n":"{RSA_N}","e":"AQAB"}},{{"kty":"EC","kid":"ec-1","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"}},{{"kty":"OKP","kid":"ed-1","crv":"Ed25519","x":"{ED_X}"}}]}}"#
    )
}

/// Strict base64url decoding (no padding) for the constants above.
pub fn unb64(s: &str) -> Vec<u8> {
    meshauth_core::b64::decode(s.as_bytes()).expect("valid base64url constant")
}
