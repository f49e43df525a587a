//! sds (in progress).
