//! ECDSA verification for P-384 (ES384) and P-521 (ES512) with precomputed tables.
//!
//! A verification computes `u1·G + u2·Q` (SEC 1 §4.1.4). ring (P-384) and RustCrypto's `ecdsa`
//! (P-521) do it with hundreds of point doublings per call. Here the generator `G` and each
//! prepared key `Q` get a [`Table`] of their multiples `j · 16^i · P` (`j` in 1..=8, every
//! radix-16 position `i`) in affine form, built once: a verification recodes `u1` and `u2` into
//! signed radix-16 digits and adds one entry per nonzero digit, about 2 × 97 mixed additions
//! for P-384 (2 × 133 for P-521) and no doubling. Everything a verification handles is public
//! (key, message, signature), so variable time is fine.
//!
//! The field and point arithmetic is RustCrypto's (`p384`, `p521`, complete addition formulas
//! of `primeorder`); this module only arranges the additions.
//!
//! Cost of a table: P-384 97 × 8 points (~80 KiB) and ~1.3 ms to build; P-521 133 × 8 points
//! (~150 KiB) and ~1.1 ms. The generator's table is built once per process, a key's when its
//! key set is loaded (for at most [`crate::JwksOptions::ec_tables`] keys of a set).

use alloc::boxed::Box;
use alloc::vec::Vec;

use elliptic_curve::array::typenum::Unsigned;
use elliptic_curve::group::{Curve as _, Group as _};
use elliptic_curve::ops::{Invert, Reduce};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::{Field as _, FieldBytes, FieldBytesSize, PrimeField as _};
use once_cell::race::OnceBox;
use primeorder::{
    AffinePoint, PrimeCurveParams, ProjectivePoint, Radix16Decomposition, Radix16Digits, Scalar,
};

/// Multiples `j · 16^i · P` of one point, `j` in 1..=8, for every radix-16 digit position `i`
/// of a scalar, in affine form: entry `8 i + j - 1`.
pub(crate) struct Table<C: PrimeCurveParams> {
    points: Vec<AffinePoint<C>>,
}

impl<C: PrimeCurveParams> Table<C> {
    /// The table of `p` (a point of the prime-order group, not the identity).
    pub(crate) fn new(p: &ProjectivePoint<C>) -> Table<C> {
        let positions = Radix16Digits::<C>::USIZE;
        let mut projective = Vec::with_capacity(positions * 8);
        let mut base = *p;
        for _ in 0..positions {
            let mut multiple = base;
            projective.push(multiple);
            for _ in 1..8 {
                multiple += &base;
                projective.push(multiple);
            }
            for _ in 0..4 {
                base = base.double();
            }
        }
        let mut points = alloc::vec![AffinePoint::<C>::IDENTITY; projective.len()];
        ProjectivePoint::<C>::batch_normalize(&projective, &mut points);
        Table { points }
    }

    /// Adds `k · P` to `acc`: one table entry per nonzero signed radix-16 digit of `k`.
    fn mul_add(&self, k: &Scalar<C>, acc: &mut ProjectivePoint<C>) {
        let digits = Radix16Decomposition::<Radix16Digits<C>>::new(k);
        for i in 0..Radix16Digits::<C>::USIZE {
            // Digits are in -8..=8 (the last one, the carry, in 0..=1).
            let d = digits[i];
            if d == 0 {
                continue;
            }
            let entry = &self.points[8 * i + usize::from(d.unsigned_abs()) - 1];
            if d > 0 {
                *acc += entry;
            } else {
                *acc -= entry;
            }
        }
    }

    /// `k · P` (for tests against the plain scalar multiplication).
    #[cfg(test)]
    fn mul(&self, k: &Scalar<C>) -> ProjectivePoint<C> {
        let mut acc = ProjectivePoint::<C>::IDENTITY;
        self.mul_add(k, &mut acc);
        acc
    }
}

/// A curve with a process-wide table of its generator.
pub(crate) trait GeneratorTable: PrimeCurveParams {
    /// The generator's table, built on first use.
    fn generator_table() -> &'static Table<Self>;
}

static P384_G: OnceBox<Table<p384::NistP384>> = OnceBox::new();
static P521_G: OnceBox<Table<p521::NistP521>> = OnceBox::new();

impl GeneratorTable for p384::NistP384 {
    fn generator_table() -> &'static Table<Self> {
        P384_G.get_or_init(|| Box::new(Table::new(&ProjectivePoint::<Self>::GENERATOR)))
    }
}

impl GeneratorTable for p521::NistP521 {
    fn generator_table() -> &'static Table<Self> {
        P521_G.get_or_init(|| Box::new(Table::new(&ProjectivePoint::<Self>::GENERATOR)))
    }
}

/// Checks an ECDSA signature `r || s` (each as long as a field element, big-endian) over a
/// message whose hash is `hash` (no longer than a field element: SHA-384 for P-384, SHA-512 for
/// P-521), against the key whose table is `key`. `r` and `s` must be in `1..n`; high `s` is
/// accepted, as by ring and RustCrypto.
pub(crate) fn verify<C: GeneratorTable>(key: &Table<C>, hash: &[u8], sig: &[u8]) -> bool {
    let n = FieldBytesSize::<C>::USIZE;
    if sig.len() != 2 * n || hash.len() > n {
        return false;
    }
    let scalar = |bytes: &[u8]| -> Option<Scalar<C>> {
        let repr = FieldBytes::<C>::try_from(bytes).ok()?;
        Option::<Scalar<C>>::from(Scalar::<C>::from_repr(repr)).filter(|x| !bool::from(x.is_zero()))
    };
    let (Some(r), Some(s)) = (scalar(&sig[..n]), scalar(&sig[n..])) else {
        return false;
    };
    // The hash as an integer (right-aligned: it is not longer than the order), reduced mod n.
    let mut e = FieldBytes::<C>::default();
    e[n - hash.len()..].copy_from_slice(hash);
    let e = <Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&e);
    let Some(w) = Option::<Scalar<C>>::from(s.invert_vartime()) else {
        return false;
    };
    let mut sum = ProjectivePoint::<C>::IDENTITY;
    C::generator_table().mul_add(&(e * w), &mut sum);
    key.mul_add(&(r * w), &mut sum);
    if bool::from(sum.is_identity()) {
        return false;
    }
    let x = sum.to_affine().x();
    <Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&x) == r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's multiples equal RustCrypto's own scalar multiplication, for scalars with
    /// every digit pattern the recoding meets (zero, one, small, negative-heavy, n - 1, random).
    fn table_matches<C: GeneratorTable>() {
        let g = ProjectivePoint::<C>::GENERATOR;
        let q = g * Scalar::<C>::from(0x1234_5678_9abc_def0u64);
        let table = Table::new(&q);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut scalars = alloc::vec![
            Scalar::<C>::ZERO,
            Scalar::<C>::ONE,
            Scalar::<C>::from(8u64),
            Scalar::<C>::from(0x8888_8888u64),
            -Scalar::<C>::ONE,
            -Scalar::<C>::from(0x8888_8888u64),
        ];
        for _ in 0..20 {
            let mut x = Scalar::<C>::ONE;
            for _ in 0..8 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                x = x * Scalar::<C>::from(seed) + Scalar::<C>::from(seed >> 7);
            }
            scalars.push(x);
        }
        for k in &scalars {
            assert_eq!(table.mul(k), q * *k);
            assert_eq!(C::generator_table().mul(k), g * *k);
        }
    }

    #[test]
    fn p384_table_matches_scalar_multiplication() {
        table_matches::<p384::NistP384>();
    }

    #[test]
    fn p521_table_matches_scalar_multiplication() {
        table_matches::<p521::NistP521>();
    }
}
