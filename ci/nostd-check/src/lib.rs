//! A `#![no_std]` consumer of meshauth-core: proves the core links without std.
#![no_std]

extern crate alloc;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

const ARENA_SIZE: usize = 1 << 20;

/// A bump allocator over a static arena (never frees); enough to link and run small checks.
struct Bump {
    arena: UnsafeCell<[u8; ARENA_SIZE]>,
    next: AtomicUsize,
}

unsafe impl Sync for Bump {}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.arena.get() as usize;
        let mut cur = self.next.load(Ordering::Relaxed);
        loop {
            let start = (base + cur + layout.align() - 1) & !(layout.align() - 1);
            let end = start - base + layout.size();
            if end > ARENA_SIZE {
                return core::ptr::null_mut();
            }
            match self
                .next
                .compare_exchange(cur, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return start as *mut u8,
                Err(v) => cur = v,
            }
        }
    }
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOC: Bump = Bump {
    arena: UnsafeCell::new([0; ARENA_SIZE]),
    next: AtomicUsize::new(0),
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Verifies `token` against the JWKS `jwks` at `now`; returns the status code (0 = OK).
#[no_mangle]
pub extern "C" fn nostd_check_verify(
    jwks: *const u8,
    jwks_len: usize,
    token: *const u8,
    token_len: usize,
    now: i64,
) -> u16 {
    if jwks.is_null() || token.is_null() {
        return meshauth_core::Status::InvalidArgument.code();
    }
    // SAFETY: the caller passes valid (pointer, length) pairs.
    let (jwks, token) = unsafe {
        (
            core::slice::from_raw_parts(jwks, jwks_len),
            core::slice::from_raw_parts(token, token_len),
        )
    };
    let keys = match meshauth_core::Jwks::from_json(jwks) {
        Ok(k) => k,
        Err(s) => return s.code(),
    };
    let v = meshauth_core::Validation::new();
    match meshauth_core::verify(token, &keys, &v, now) {
        Ok(_) => 0,
        Err(s) => s.code(),
    }
}
