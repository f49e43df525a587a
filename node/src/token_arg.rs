//! The token argument of the verify functions (`string | Uint8Array`) as bytes, read with one
//! UTF-8 conversion into a reused per-thread buffer: napi's `String` conversion measures the
//! string first, then allocates and copies (two passes and a heap allocation per call).

use std::cell::Cell;

use napi::bindgen_prelude::{FromNapiValue, TypeName, Uint8Array, ValidateNapiValue};
use napi::{check_status, sys, Result, ValueType};

/// Room for a token of the default 16 KiB limit, the NUL napi appends, and one byte to tell a
/// token that fits from one that was cut short.
const SCRATCH: usize = 16 * 1024 + 2;

thread_local! {
    /// The buffer string tokens are read into; taken while a call uses it, put back after.
    static SCRATCH_BUF: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// A token argument's bytes.
pub enum TokenArg {
    /// A string, as UTF-8: the first `len` bytes of `buf` (the per-thread buffer).
    Scratch { buf: Vec<u8>, len: usize },
    /// A string too long for the buffer.
    Long(String),
    /// A `Uint8Array` (or `Buffer`), as given.
    Bytes(Uint8Array),
}

impl TokenArg {
    /// The token's bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            TokenArg::Scratch { buf, len } => &buf[..*len],
            TokenArg::Long(s) => s.as_bytes(),
            TokenArg::Bytes(b) => b,
        }
    }
}

impl Drop for TokenArg {
    fn drop(&mut self) {
        if let TokenArg::Scratch { buf, .. } = self {
            let buf = std::mem::take(buf);
            SCRATCH_BUF.with(|b| b.set(buf));
        }
    }
}

impl TypeName for TokenArg {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl FromNapiValue for TokenArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut kind = 0;
        // SAFETY: `env` and `value` come from napi for this call.
        check_status!(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
        if kind != sys::ValueType::napi_string {
            // SAFETY: as above.
            return match unsafe { Uint8Array::validate(env, value) } {
                Ok(_) => unsafe { Uint8Array::from_napi_value(env, value) }.map(TokenArg::Bytes),
                Err(_) => Err(crate::invalid_arg("token must be a string or a Uint8Array")),
            };
        }
        let mut buf = SCRATCH_BUF.with(Cell::take);
        if buf.len() != SCRATCH {
            // First use on this thread (or a nested call while the buffer is out).
            buf = vec![0; SCRATCH];
        }
        let mut len = 0;
        // SAFETY: `buf` is writable for `buf.len()` bytes; napi writes at most that many,
        // including its NUL, and reports the length without the NUL in `len`.
        check_status!(unsafe {
            sys::napi_get_value_string_utf8(
                env,
                value,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut len,
            )
        })?;
        if len + 2 <= buf.len() {
            return Ok(TokenArg::Scratch { buf, len });
        }
        // It filled the buffer, so it may have been cut short: read it whole.
        SCRATCH_BUF.with(|b| b.set(buf));
        // SAFETY: as above.
        unsafe { String::from_napi_value(env, value) }.map(TokenArg::Long)
    }
}
