//! ECDSA verification (ES256, ES384, ES512) with precomputed tables.
//!
//! A verification computes `u1·G + u2·Q` (SEC 1 §4.1.4). ring (P-256, P-384) and RustCrypto's
//! `ecdsa` (P-521) do it with hundreds of point doublings per call. Here the generator `G` and
//! each prepared key `Q` get a [`Table`] of their multiples `j · 2^(w·i) · P` (`j` in
//! 1..=2^(w-1), every position `i` of a signed base-2^w digit of a scalar) in affine form, built
//! once: a verification recodes `u1` and `u2` into signed digits and adds one entry per nonzero
//! digit, with no doubling. The window `w` is per curve ([`TableCurve::WINDOW`]): 6 bits for
//! P-256 (2 × 43 additions; ring's P-256 is assembly, so it takes the wider window to beat it),
//! 5 for P-384 (2 × 77), 4 for P-521 (2 × 132: its points are the largest). Everything a
//! verification handles is public (key, message, signature), so variable time is fine.
//!
//! The arithmetic is [`crate::ec_field`]'s (variable-time Montgomery arithmetic, Jacobian
//! points), 2–3× faster than RustCrypto's constant-time field code here. A table is built from
//! its point's bases `2^(w·i)·P` (doublings), their multiples (mixed additions) and one batch
//! inversion to affine form; a verification sums entries and compares the sum's x-coordinate
//! with `r` without an inversion. RustCrypto (`p256`, `p384`, `p521`) still checks that a key's
//! point is on the curve and does the scalar arithmetic (`s⁻¹`, `e·w`, `r·w`).
//!
//! Cost of a key's table, built when its key set is loaded (for at most
//! [`crate::JwksOptions::ec_tables`] keys of a set; one AMD EPYC core): P-256 44 × 32 points
//! (~100 KiB, ~0.8 ms); P-384 78 × 16 (~130 KiB, ~1.6 ms); P-521 133 × 8 (~160 KiB, ~1.9 ms).
//! The generator's table is built once per process.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::marker::PhantomData;

use elliptic_curve::array::typenum::Unsigned;
use elliptic_curve::ops::{Invert, Reduce};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::{Field as _, FieldBytes, FieldBytesSize, PrimeField as _};
use once_cell::race::OnceBox;
use primeorder::{AffinePoint, PrimeCurveParams, Scalar};

use crate::ec_field::{Affine, Fp, Jacobian};

/// A curve verified through tables, whose field elements take `N` 64-bit limbs.
pub(crate) trait TableCurve<const N: usize>: PrimeCurveParams {
    /// Bits per signed digit; a table holds `2^(WINDOW-1)` multiples per digit position.
    const WINDOW: usize;

    /// The generator's table, built on first use (`None` only if the field did not fit `N`).
    fn generator_table() -> Option<&'static Table<Self, N>>;
}

/// The signed base-`2^w` digits of the big-endian integer `be`, least significant first: each
/// in `-2^(w-1)..2^(w-1)` except the last (the final carry, 0 or 1), and
/// `sum(d_i · 2^(w·i))` equals the integer. `w` is 2..=8.
fn signed_digits(be: &[u8], w: usize) -> impl Iterator<Item = i32> + '_ {
    let bits = 8 * be.len();
    let byte = move |k: usize| -> u32 {
        if k < be.len() {
            u32::from(be[be.len() - 1 - k])
        } else {
            0
        }
    };
    let mut carry = 0;
    (0..positions(be.len(), w)).map(move |i| {
        let b = w * i;
        let chunk = if b < bits {
            let (k, shift) = (b / 8, b % 8);
            ((byte(k) | (byte(k + 1) << 8)) >> shift) & ((1 << w) - 1)
        } else {
            0
        };
        let v = chunk as i32 + carry;
        if v >= 1 << (w - 1) {
            carry = 1;
            v - (1 << w)
        } else {
            carry = 0;
            v
        }
    })
}

/// Digit positions of a scalar of `len` bytes in base `2^w`, with one for the final carry.
fn positions(len: usize, w: usize) -> usize {
    (8 * len).div_ceil(w) + 1
}

/// Multiples `j · 2^(w·i) · P` of one point, `j` in 1..=2^(w-1), for every digit position `i` of
/// a scalar, in affine form: entry `i · 2^(w-1) + j - 1`; with the field they are summed in.
pub(crate) struct Table<C: TableCurve<N>, const N: usize> {
    points: Vec<Affine<N>>,
    field: Fp<N>,
    curve: PhantomData<C>,
}

impl<C: TableCurve<N>, const N: usize> Table<C, N> {
    /// The table of `p` (a point of the prime-order group, not the identity), or `None` if the
    /// curve's field does not fit `N` limbs (not for the three curves here).
    pub(crate) fn new(p: &AffinePoint<C>) -> Option<Table<C, N>> {
        let per = 1 << (C::WINDOW - 1);
        let n = positions(FieldBytesSize::<C>::USIZE, C::WINDOW);
        // p - 1 and n - 1 are the negations of 1 in the field and in the scalars.
        let plus_one = |be: &mut [u8]| {
            for b in be.iter_mut().rev() {
                *b = b.wrapping_add(1);
                if *b != 0 {
                    break;
                }
            }
        };
        let mut p_be = (-C::FieldElement::ONE).to_repr();
        plus_one(&mut p_be);
        let mut n_be = (-Scalar::<C>::ONE).to_repr();
        plus_one(&mut n_be);
        let field = Fp::new(&p_be, &n_be)?;
        // The bases 2^(w·i)·P of every position, by doubling, then in affine form.
        let mut bases = Vec::with_capacity(n);
        let mut base = Jacobian::from_affine(&field, &field.affine(&p.x(), &p.y())?);
        for _ in 0..n {
            bases.push(base);
            for _ in 0..C::WINDOW {
                field.double(&mut base);
            }
        }
        let bases = field.to_affine(&bases)?;
        // Each base's multiples 1..=2^(w-1) by mixed additions (the first is a doubling). None
        // is the identity: j · 2^(w·i) is not a multiple of the prime order n.
        let mut multiples = Vec::with_capacity(n * per);
        for b in &bases {
            let mut m = Jacobian::from_affine(&field, b);
            multiples.push(m);
            for _ in 1..per {
                field.add_affine(&mut m, b, false);
                multiples.push(m);
            }
        }
        Some(Table {
            points: field.to_affine(&multiples)?,
            field,
            curve: PhantomData,
        })
    }

    /// Adds `k · P` to `acc`: one table entry per nonzero signed digit of `k`.
    fn mul_add(&self, k: &Scalar<C>, acc: &mut Jacobian<N>) {
        let per = 1 << (C::WINDOW - 1);
        let repr = k.to_repr();
        for (i, d) in signed_digits(&repr, C::WINDOW).enumerate() {
            if d == 0 {
                continue;
            }
            // |d| is at most 2^(w-1): an entry of position i.
            let Some(entry) = self.points.get(i * per + d.unsigned_abs() as usize - 1) else {
                continue;
            };
            self.field.add_affine(acc, entry, d < 0);
        }
    }
}

static P256_G: OnceBox<Option<Table<p256::NistP256, 4>>> = OnceBox::new();
static P384_G: OnceBox<Option<Table<p384::NistP384, 6>>> = OnceBox::new();
static P521_G: OnceBox<Option<Table<p521::NistP521, 9>>> = OnceBox::new();

impl TableCurve<4> for p256::NistP256 {
    const WINDOW: usize = 6;
    fn generator_table() -> Option<&'static Table<Self, 4>> {
        P256_G
            .get_or_init(|| Box::new(Table::new(&AffinePoint::<Self>::GENERATOR)))
            .as_ref()
    }
}

impl TableCurve<6> for p384::NistP384 {
    const WINDOW: usize = 5;
    fn generator_table() -> Option<&'static Table<Self, 6>> {
        P384_G
            .get_or_init(|| Box::new(Table::new(&AffinePoint::<Self>::GENERATOR)))
            .as_ref()
    }
}

impl TableCurve<9> for p521::NistP521 {
    const WINDOW: usize = 4;
    fn generator_table() -> Option<&'static Table<Self, 9>> {
        P521_G
            .get_or_init(|| Box::new(Table::new(&AffinePoint::<Self>::GENERATOR)))
            .as_ref()
    }
}

/// Checks an ECDSA signature `r || s` (each as long as a field element, big-endian) over a
/// message whose hash is `hash` (no longer than a field element: SHA-256, SHA-384 and SHA-512
/// for P-256, P-384 and P-521), against the key whose table is `key`. `r` and `s` must be in `1..n`; high `s` is
/// accepted, as by ring and RustCrypto.
pub(crate) fn verify<C: TableCurve<N>, const N: usize>(
    key: &Table<C, N>,
    hash: &[u8],
    sig: &[u8],
) -> bool {
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
    let Some(g) = C::generator_table() else {
        return false;
    };
    let mut sum = Jacobian::INFINITY;
    g.mul_add(&(e * w), &mut sum);
    key.mul_add(&(r * w), &mut sum);
    key.field.x_mod_n_is(&sum, &sig[..n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use elliptic_curve::group::Group as _;
    use primeorder::ProjectivePoint;

    /// Whether `k · P` (summed from `table`) is the point `q`.
    fn mul_is<C: TableCurve<N>, const N: usize>(
        table: &Table<C, N>,
        k: &Scalar<C>,
        q: &ProjectivePoint<C>,
    ) -> bool {
        let mut acc = Jacobian::INFINITY;
        table.mul_add(k, &mut acc);
        if bool::from(q.is_identity()) {
            return acc.is_infinity();
        }
        let q = q.to_affine();
        table.field.is_point(&acc, &q.x(), &q.y())
    }

    /// The table's multiples equal RustCrypto's own scalar multiplication, for scalars with
    /// every digit pattern the recoding meets (zero, one, small, negative-heavy, n - 1, random).
    fn table_matches<C: TableCurve<N>, const N: usize>() {
        let g = ProjectivePoint::<C>::GENERATOR;
        let q = g * Scalar::<C>::from(0x1234_5678_9abc_def0u64);
        let table = Table::<C, N>::new(&q.to_affine()).unwrap();
        let gt = C::generator_table().unwrap();
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
            assert!(mul_is(&table, k, &(q * *k)));
            assert!(mul_is(gt, k, &(g * *k)));
        }
    }

    /// The special cases of the mixed addition, which random sums do not reach: adding a point
    /// to itself (the doubling), to its negation (the identity), and to the identity.
    fn addition_special_cases<C: TableCurve<N>, const N: usize>() {
        let q = ProjectivePoint::<C>::GENERATOR * Scalar::<C>::from(0x5eed_u64);
        let table = Table::<C, N>::new(&q.to_affine()).unwrap();
        let (f, e) = (&table.field, &table.points[0]);
        let is = |acc: &Jacobian<N>, p: ProjectivePoint<C>| {
            let a = p.to_affine();
            f.is_point(acc, &a.x(), &a.y())
        };
        let mut acc = Jacobian::INFINITY;
        f.add_affine(&mut acc, e, false);
        assert!(is(&acc, q));
        f.add_affine(&mut acc, e, false);
        assert!(is(&acc, q.double()));
        f.add_affine(&mut acc, e, true);
        assert!(is(&acc, q));
        f.add_affine(&mut acc, e, true);
        assert!(acc.is_infinity());
        f.add_affine(&mut acc, e, true);
        assert!(is(&acc, -q));
        f.add_affine(&mut acc, e, true);
        assert!(is(&acc, -q.double()));
    }

    #[test]
    fn addition_special_cases_match() {
        addition_special_cases::<p256::NistP256, 4>();
        addition_special_cases::<p384::NistP384, 6>();
        addition_special_cases::<p521::NistP521, 9>();
    }

    /// Entries `j · 2^(w·i) · Q` of the first, a middle and the last position, against
    /// RustCrypto's scalar multiplication and conversion to affine form.
    fn entries_match<C: TableCurve<N>, const N: usize>() {
        let q = ProjectivePoint::<C>::GENERATOR * Scalar::<C>::from(0xfeed_u64);
        let table = Table::<C, N>::new(&q.to_affine()).unwrap();
        let per = 1usize << (C::WINDOW - 1);
        let last = table.points.len() / per - 1;
        for i in [0, last / 2, last] {
            let mut shift = Scalar::<C>::ONE;
            for _ in 0..C::WINDOW * i {
                shift = shift.double();
            }
            for j in [1, 2, 3, per - 1, per] {
                let a = (q * (shift * Scalar::<C>::from(j as u64))).to_affine();
                let want = table.field.affine(&a.x(), &a.y()).unwrap();
                assert!(
                    table.points[i * per + j - 1] == want,
                    "position {i} multiple {j}"
                );
            }
        }
    }

    #[test]
    fn entries_match_scalar_multiplication() {
        entries_match::<p256::NistP256, 4>();
        entries_match::<p384::NistP384, 6>();
        entries_match::<p521::NistP521, 9>();
    }

    #[test]
    fn p256_table_matches_scalar_multiplication() {
        table_matches::<p256::NistP256, 4>();
    }

    /// The signed digits add up to the integer, stay in range, and carry out of the top.
    #[test]
    fn signed_digits_sum_to_the_integer() {
        for w in 2..=8 {
            for x in [
                0u64,
                1,
                0x7f,
                0x80,
                0xff,
                0xdead_beef,
                u64::MAX,
                0x8000_0000_0000_0000,
            ] {
                let be = x.to_be_bytes();
                let digits: Vec<i32> = signed_digits(&be, w).collect();
                assert_eq!(digits.len(), positions(8, w));
                let half = 1 << (w - 1);
                let mut sum = 0i128;
                for (i, &d) in digits.iter().enumerate() {
                    assert!(d >= -half && d < half, "w {w} digit {d}");
                    sum += i128::from(d) << (w * i);
                }
                assert_eq!(sum, i128::from(x), "w {w} x {x:#x}");
                assert!((0..=1).contains(digits.last().unwrap()));
            }
        }
    }

    #[test]
    fn p384_table_matches_scalar_multiplication() {
        table_matches::<p384::NistP384, 6>();
    }

    #[test]
    fn p521_table_matches_scalar_multiplication() {
        table_matches::<p521::NistP521, 9>();
    }
}
