//! rotation (in progress).
