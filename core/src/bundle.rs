//! bundle (in progress).
