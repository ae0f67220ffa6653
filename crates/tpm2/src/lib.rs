//! Embedded TPM 2.0 command processor (being written).
#![forbid(unsafe_code)]
