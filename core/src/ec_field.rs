//! The arithmetic of the ECDSA table sums ([`crate::ec_table`]): integers modulo the field
//! prime `p` of P-256, P-384 or P-521 as `N` little-endian 64-bit limbs in Montgomery form
//! (`x·R mod p`, `R = 2^(64·N)`), and Jacobian points `(X, Y, Z)` (affine `X/Z², Y/Z³`) to which
//! affine table entries are added; and the building of those tables (doubling, mixed addition,
//! batch conversion to affine form).
//!
//! Variable time, without the masking of constant-time code: every input of a verification (key,
//! message, signature) is public. RustCrypto's field code, which computed these sums before,
//! spent ~40 % of a P-256 verification in its masked additions and subtractions. The curves'
//! `a = -3` is built into the doubling. Tested against RustCrypto's point arithmetic through the
//! tables (`ec_table` tests) and against ring, RustCrypto `ecdsa` and Wycheproof through ES256,
//! ES384 and ES512 verification.

use alloc::vec::Vec;

/// Integers modulo an odd prime of `N` limbs, with its Montgomery constants. P-521's prime
/// `2^521 - 1` is the exception: its elements are kept as plain integers and reduced by folding
/// (`2^521 ≡ 1`), half the multiplications of a Montgomery product.
#[derive(Clone)]
pub(crate) struct Fp<const N: usize> {
    p: [u64; N],
    /// `p = 2^521 - 1`: plain representation, `r2 = one = 1`.
    mersenne521: bool,
    /// `-p⁻¹ mod 2^64`.
    n0: u64,
    /// `R² mod p`: `mul(x, r2)` puts `x` into Montgomery form.
    r2: [u64; N],
    /// `R mod p`: 1 in Montgomery form.
    one: [u64; N],
    /// The group order `n` (plain, not Montgomery): `x mod n` is compared with ECDSA's `r`.
    order: [u64; N],
}

/// An affine table entry `(x, y)`, both in Montgomery form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Affine<const N: usize> {
    x: [u64; N],
    y: [u64; N],
}

/// A Jacobian point; `infinity` marks the identity (its coordinates are then meaningless).
#[derive(Clone, Copy)]
pub(crate) struct Jacobian<const N: usize> {
    x: [u64; N],
    y: [u64; N],
    z: [u64; N],
    infinity: bool,
}

impl<const N: usize> Jacobian<N> {
    /// The identity.
    pub(crate) const INFINITY: Self = Jacobian {
        x: [0; N],
        y: [0; N],
        z: [0; N],
        infinity: true,
    };

    /// The affine point `e` with `Z = 1` in the field `f`.
    pub(crate) fn from_affine(f: &Fp<N>, e: &Affine<N>) -> Self {
        Jacobian {
            x: e.x,
            y: e.y,
            z: f.one,
            infinity: false,
        }
    }

    /// Whether this is the identity.
    #[cfg(test)]
    pub(crate) fn is_infinity(&self) -> bool {
        self.infinity
    }
}

/// The big-endian integer `be` as `N` little-endian limbs, or `None` if it needs more.
fn limbs<const N: usize>(be: &[u8]) -> Option<[u64; N]> {
    let mut out = [0u64; N];
    for (k, &b) in be.iter().rev().enumerate() {
        if b != 0 {
            *out.get_mut(k / 8)? |= u64::from(b) << (8 * (k % 8));
        }
    }
    Some(out)
}

/// `a < b`.
fn less<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for i in (0..N).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a += b`, returning the carry out.
fn add_in_place<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
    let mut carry = false;
    for i in 0..N {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        a[i] = s;
        carry = c1 | c2;
    }
    carry
}

/// `a -= b`, returning the borrow out.
fn sub_in_place<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
    let mut borrow = false;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        a[i] = d;
        borrow = b1 | b2;
    }
    borrow
}

fn is_zero<const N: usize>(a: &[u64; N]) -> bool {
    a.iter().all(|&l| l == 0)
}

impl<const N: usize> Fp<N> {
    /// The field of the odd prime `p` and the group order `n` (big-endian), or `None` if either
    /// needs more than `N` limbs.
    pub(crate) fn new(p_be: &[u8], n_be: &[u8]) -> Option<Self> {
        let p = limbs::<N>(p_be)?;
        // p⁻¹ mod 2^64 by Newton's iteration: each step doubles the correct low bits (1 → 64).
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inv)));
        }
        let mersenne521 = N == 9 && p[8] == 0x1ff && p[..8].iter().all(|&l| l == u64::MAX);
        let mut f = Fp {
            p,
            mersenne521,
            n0: inv.wrapping_neg(),
            r2: [0; N],
            one: [0; N],
            order: limbs::<N>(n_be)?,
        };
        // 1 doubled 128·N times is 2^(128·N) = R² (mod p).
        let mut x = [0u64; N];
        x[0] = 1;
        if !mersenne521 {
            for _ in 0..128 * N {
                x = f.add(&x, &x);
            }
        }
        f.r2 = x;
        let mut one = [0u64; N];
        one[0] = 1;
        f.one = f.mul(&one, &f.r2);
        Some(f)
    }

    /// The canonical big-endian `be` (below `p`) in Montgomery form.
    fn element(&self, be: &[u8]) -> Option<[u64; N]> {
        let x = limbs::<N>(be)?;
        less(&x, &self.p).then(|| self.mul(&x, &self.r2))
    }

    /// The affine point with big-endian coordinates `x`, `y`, as a table entry.
    pub(crate) fn affine(&self, x: &[u8], y: &[u8]) -> Option<Affine<N>> {
        Some(Affine {
            x: self.element(x)?,
            y: self.element(y)?,
        })
    }

    fn add(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = *a;
        if add_in_place(&mut t, b) || !less(&t, &self.p) {
            sub_in_place(&mut t, &self.p);
        }
        t
    }

    fn sub(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = *a;
        if sub_in_place(&mut t, b) {
            add_in_place(&mut t, &self.p);
        }
        t
    }

    fn neg(&self, a: &[u64; N]) -> [u64; N] {
        if is_zero(a) {
            *a
        } else {
            let mut t = self.p;
            sub_in_place(&mut t, a);
            t
        }
    }

    /// Montgomery multiplication `a·b·R⁻¹ mod p` (CIOS, Koç et al. 1996), inputs below `p`; for
    /// P-521 the plain product mod `p`.
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        if self.mersenne521 {
            return self.mul_mersenne521(a, b);
        }
        // N + 2 words of accumulator; N is at most 9 (P-521).
        let mut t = [0u64; 11];
        for &bi in b {
            let mut c = 0u64;
            for j in 0..N {
                let uv = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + u128::from(c);
                t[j] = uv as u64;
                c = (uv >> 64) as u64;
            }
            let uv = u128::from(t[N]) + u128::from(c);
            t[N] = uv as u64;
            t[N + 1] = (uv >> 64) as u64;
            let m = t[0].wrapping_mul(self.n0);
            let uv = u128::from(t[0]) + u128::from(m) * u128::from(self.p[0]);
            let mut c = (uv >> 64) as u64;
            for j in 1..N {
                let uv = u128::from(t[j]) + u128::from(m) * u128::from(self.p[j]) + u128::from(c);
                t[j - 1] = uv as u64;
                c = (uv >> 64) as u64;
            }
            let uv = u128::from(t[N]) + u128::from(c);
            t[N - 1] = uv as u64;
            t[N] = t[N + 1] + (uv >> 64) as u64;
        }
        let mut out = [0u64; N];
        out.copy_from_slice(&t[..N]);
        // The result is below 2p: one subtraction at most.
        if t[N] != 0 || !less(&out, &self.p) {
            sub_in_place(&mut out, &self.p);
        }
        out
    }

    /// `a·b mod (2^521 - 1)` for `N = 9`: the schoolbook product, then [`Self::fold521`].
    fn mul_mersenne521(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut w = [0u64; 18];
        for (i, &bi) in b.iter().enumerate() {
            let mut c = 0u64;
            for j in 0..N {
                let uv = u128::from(w[i + j]) + u128::from(a[j]) * u128::from(bi) + u128::from(c);
                w[i + j] = uv as u64;
                c = (uv >> 64) as u64;
            }
            w[i + N] = c;
        }
        self.fold521(&w)
    }

    /// `a² mod (2^521 - 1)` for `N = 9`: each cross product `a_i·a_j` once, doubled, plus the
    /// squares `a_i²` (45 limb products instead of 81), then [`Self::fold521`].
    fn sqr_mersenne521(&self, a: &[u64; N]) -> [u64; N] {
        let mut w = [0u64; 18];
        for i in 0..N {
            let mut c = 0u64;
            for j in i + 1..N {
                let uv = u128::from(w[i + j]) + u128::from(a[i]) * u128::from(a[j]) + u128::from(c);
                w[i + j] = uv as u64;
                c = (uv >> 64) as u64;
            }
            w[i + N] = c;
        }
        // Double the cross products (below 2^1041: no bit leaves the top limb).
        let mut top = 0u64;
        for limb in w.iter_mut() {
            let next = *limb >> 63;
            *limb = (*limb << 1) | top;
            top = next;
        }
        let mut c = 0u128;
        for i in 0..N {
            let sq = u128::from(a[i]) * u128::from(a[i]);
            let lo = u128::from(w[2 * i]) + (sq as u64 as u128) + c;
            w[2 * i] = lo as u64;
            let hi = u128::from(w[2 * i + 1]) + (sq >> 64) + (lo >> 64);
            w[2 * i + 1] = hi as u64;
            c = hi >> 64;
        }
        self.fold521(&w)
    }

    /// The 18-limb product `w` (below 2^1042) mod `2^521 - 1`: `lo + hi` where `lo` is its low
    /// 521 bits and `hi` the rest (`2^521 ≡ 1`), then one more fold.
    fn fold521(&self, w: &[u64; 18]) -> [u64; N] {
        // Both inputs are below 2^521, so the product is below 2^1042 and `hi` below 2^521.
        let mut lo = [0u64; N];
        let mut hi = [0u64; N];
        for k in 0..N {
            lo[k] = w[k];
            hi[k] = (w[8 + k] >> 9) | (w[9 + k] << 55);
        }
        lo[8] &= 0x1ff;
        add_in_place(&mut lo, &hi);
        // lo < 2^522: fold bit 521 once more, then map p itself to 0.
        if lo[8] >> 9 != 0 {
            lo[8] &= 0x1ff;
            // + 1 carries at most into limb 8 (below 2^521 plus one).
            for limb in lo.iter_mut() {
                *limb = limb.wrapping_add(1);
                if *limb != 0 {
                    break;
                }
            }
        }
        if !less(&lo, &self.p) {
            sub_in_place(&mut lo, &self.p);
        }
        lo
    }

    fn sqr(&self, a: &[u64; N]) -> [u64; N] {
        if self.mersenne521 {
            return self.sqr_mersenne521(a);
        }
        self.mul(a, a)
    }

    /// `acc += e` (or `acc -= e` when `negate`): mixed Jacobian-affine addition (8M + 3S), with
    /// the doubling and the identity handled.
    pub(crate) fn add_affine(&self, acc: &mut Jacobian<N>, e: &Affine<N>, negate: bool) {
        let y2 = if negate { self.neg(&e.y) } else { e.y };
        if acc.infinity {
            *acc = Jacobian {
                x: e.x,
                y: y2,
                z: self.one,
                infinity: false,
            };
            return;
        }
        let z1z1 = self.sqr(&acc.z);
        let u2 = self.mul(&e.x, &z1z1);
        let s2 = self.mul(&y2, &self.mul(&acc.z, &z1z1));
        let h = self.sub(&u2, &acc.x);
        let r = self.sub(&s2, &acc.y);
        if is_zero(&h) {
            if is_zero(&r) {
                self.double(acc);
            } else {
                acc.infinity = true;
            }
            return;
        }
        let hh = self.sqr(&h);
        let hhh = self.mul(&h, &hh);
        let v = self.mul(&acc.x, &hh);
        let x3 = self.sub(&self.sub(&self.sqr(&r), &hhh), &self.add(&v, &v));
        let y3 = self.sub(&self.mul(&r, &self.sub(&v, &x3)), &self.mul(&acc.y, &hhh));
        acc.z = self.mul(&acc.z, &h);
        acc.x = x3;
        acc.y = y3;
    }

    /// `acc = 2·acc` for `a = -3` ("dbl-2001-b", Bernstein–Lange).
    pub(crate) fn double(&self, acc: &mut Jacobian<N>) {
        if acc.infinity {
            return;
        }
        if is_zero(&acc.y) {
            acc.infinity = true;
            return;
        }
        let delta = self.sqr(&acc.z);
        let gamma = self.sqr(&acc.y);
        let beta = self.mul(&acc.x, &gamma);
        let t = self.mul(&self.sub(&acc.x, &delta), &self.add(&acc.x, &delta));
        let alpha = self.add(&self.add(&t, &t), &t);
        let beta4 = self.add(&self.add(&beta, &beta), &self.add(&beta, &beta));
        let x3 = self.sub(&self.sqr(&alpha), &self.add(&beta4, &beta4));
        let yz = self.add(&acc.y, &acc.z);
        let z3 = self.sub(&self.sub(&self.sqr(&yz), &gamma), &delta);
        let gamma2 = self.sqr(&gamma);
        let gamma8 = {
            let g2 = self.add(&gamma2, &gamma2);
            let g4 = self.add(&g2, &g2);
            self.add(&g4, &g4)
        };
        acc.y = self.sub(&self.mul(&alpha, &self.sub(&beta4, &x3)), &gamma8);
        acc.x = x3;
        acc.z = z3;
    }

    /// `a⁻¹` for `a ≠ 0`, as `a^(p-2)` (Fermat) by left-to-right square-and-multiply.
    fn invert(&self, a: &[u64; N]) -> [u64; N] {
        let mut e = self.p;
        // The low limb of P-256's, P-384's and P-521's p is at least 2: no borrow.
        e[0] -= 2;
        let mut x = self.one;
        for bit in (0..64 * N).rev() {
            x = self.sqr(&x);
            if e[bit / 64] >> (bit % 64) & 1 == 1 {
                x = self.mul(&x, a);
            }
        }
        x
    }

    /// The affine forms of `points` (none the identity), with one inversion for all of them
    /// (Montgomery's trick); `None` if one is the identity.
    pub(crate) fn to_affine(&self, points: &[Jacobian<N>]) -> Option<Vec<Affine<N>>> {
        if points.iter().any(|q| q.infinity) {
            return None;
        }
        // prefix[k] = z_0 · … · z_k.
        let mut prefix = Vec::with_capacity(points.len());
        let mut acc = self.one;
        for q in points {
            acc = self.mul(&acc, &q.z);
            prefix.push(acc);
        }
        // Z of a point that is not the identity is nonzero, so the product is too.
        let mut inv = self.invert(&acc);
        let mut out = alloc::vec![Affine { x: [0; N], y: [0; N] }; points.len()];
        for k in (0..points.len()).rev() {
            // inv = (z_0 · … · z_k)⁻¹ here, so z_k⁻¹ = inv · prefix[k - 1].
            let zinv = match k {
                0 => inv,
                _ => self.mul(&inv, &prefix[k - 1]),
            };
            inv = self.mul(&inv, &points[k].z);
            let zz = self.sqr(&zinv);
            out[k] = Affine {
                x: self.mul(&points[k].x, &zz),
                y: self.mul(&points[k].y, &self.mul(&zz, &zinv)),
            };
        }
        Some(out)
    }

    /// Whether the affine x of `acc` (not the identity), reduced mod `n`, equals `r` (big-endian,
    /// `0 < r < n`): `X = r·Z²`, or `X = (r + n)·Z²` when `r + n < p`. No inversion.
    pub(crate) fn x_mod_n_is(&self, acc: &Jacobian<N>, r: &[u8]) -> bool {
        if acc.infinity {
            return false;
        }
        let Some(r) = limbs::<N>(r) else {
            return false;
        };
        let zz = self.sqr(&acc.z);
        let matches = |x: &[u64; N]| self.mul(&self.mul(x, &self.r2), &zz) == acc.x;
        if less(&r, &self.p) && matches(&r) {
            return true;
        }
        let mut rn = r;
        !add_in_place(&mut rn, &self.order) && less(&rn, &self.p) && matches(&rn)
    }

    /// Whether `acc` is the point with big-endian affine coordinates `x`, `y` (`X = x·Z²`,
    /// `Y = y·Z³`; for tests against RustCrypto's arithmetic).
    #[cfg(test)]
    pub(crate) fn is_point(&self, acc: &Jacobian<N>, x: &[u8], y: &[u8]) -> bool {
        let (Some(x), Some(y)) = (self.element(x), self.element(y)) else {
            return false;
        };
        let zz = self.sqr(&acc.z);
        !acc.infinity && self.mul(&x, &zz) == acc.x && self.mul(&y, &self.mul(&zz, &acc.z)) == acc.y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P-521's squaring equals its general multiplication of a value by itself, on the edges of
    /// the range (0, 1, p - 1, single high bits, all-ones limbs) and pseudo-random values.
    /// (The multiplication itself is checked against RustCrypto through the `ec_table` tests.)
    #[test]
    fn p521_squaring_matches_multiplication() {
        let mut p_be = [0xffu8; 66];
        p_be[0] = 0x01;
        // The order (second argument) is not used by the multiplications.
        let f = Fp::<9>::new(&p_be, &p_be).unwrap();
        let mut p_minus_1 = f.p;
        p_minus_1[0] -= 1;
        let mut values = alloc::vec![[0u64; 9], f.one, p_minus_1];
        let mut high = [0u64; 9];
        high[8] = 0x100;
        values.push(high);
        let mut ones = [u64::MAX; 9];
        ones[8] = 0xff;
        values.push(ones);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            let mut x = [0u64; 9];
            for limb in x.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *limb = seed;
            }
            x[8] &= 0x1ff;
            if !less(&x, &f.p) {
                continue;
            }
            values.push(x);
        }
        for x in &values {
            assert!(f.sqr(x) == f.mul_mersenne521(x, x), "{x:x?}");
        }
    }
}
