//! `make demo`: verifies Istio's sample token against its JWKS, then shows how each kind of bad
//! token is rejected, with Envoy's status names and messages. Embedded data, no network.

use meshauth_core::{b64, verify, Jwks, Status, Validation};

const JWKS: &str = include_str!("../../tests/vectors/istio/jwks.json");
const TOKEN: &str = include_str!("../../tests/vectors/istio/demo.jwt");
const NOW: i64 = 1_800_000_000; // 2027-01-15

fn show(label: &str, token: &str, jwks: &Jwks, v: &Validation, now: i64) {
    match verify(token.as_bytes(), jwks, v, now) {
        Ok(t) => println!(
            "  ACCEPT {label:<28} principal={} alg={} kid={}",
            t.principal().unwrap_or_default(),
            t.alg(),
            t.kid().unwrap_or("-")
        ),
        Err(s) => println!(
            "  REJECT {label:<28} {:<34} {} (HTTP {})",
            format!("{}[{}]", s.name(), s.code()),
            s.message(),
            s.http_status()
        ),
    }
}

fn main() {
    let token = TOKEN.trim_end();
    let jwks = Jwks::from_json(JWKS.as_bytes()).expect("embedded JWKS");
    println!("meshauth demo: Istio sample JWKS ({} key)", jwks.len());
    for k in jwks.keys() {
        println!(
            "  key kid={} kty={} {} bits",
            k.kid().unwrap_or("-"),
            k.kty().name(),
            k.bits()
        );
    }
    let mut v = Validation::new();
    v.set_issuer("testing@secure.istio.io");
    println!("\nverify (issuer testing@secure.istio.io, now {NOW}):");
    show("demo.jwt", token, &jwks, &v, NOW);
    show("demo.jwt in 2119", token, &jwks, &v, 4_685_989_700 + 61);

    let mut other = Validation::new();
    other.set_issuer("https://accounts.example.com");
    show("other issuer", token, &jwks, &other, NOW);
    let mut aud = v.clone();
    aud.add_audience("https://bookinfo.example/productpage");
    show("audience required", token, &jwks, &aud, NOW);

    let (signed, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = b64::decode(sig.as_bytes()).unwrap();
    bytes[10] ^= 1;
    show(
        "tampered signature",
        &format!("{signed}.{}", b64::encode(&bytes)),
        &jwks,
        &v,
        NOW,
    );
    let payload = signed.split_once('.').unwrap().1;
    let none = format!("{}.{payload}.", b64::encode(br#"{"alg":"none"}"#));
    show("alg none", &none, &jwks, &v, NOW);
    let hs = format!(
        "{}.{payload}.{sig}",
        b64::encode(br#"{"alg":"HS256","kid":"DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ"}"#)
    );
    show("RS256 -> HS256 swap", &hs, &jwks, &v, NOW);
    show("not a JWT", "Bearer abc", &jwks, &v, NOW);
    let crit = format!(
        "{}.{payload}.{sig}",
        b64::encode(br#"{"alg":"RS256","crit":["exp"]}"#)
    );
    show("unknown crit", &crit, &jwks, &v, NOW);

    println!(
        "\n{} statuses (0-72 are Envoy's, byte-exact): see docs/status.md",
        Status::all().count()
    );
}
