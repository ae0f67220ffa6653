//! TPM CRB device model (being written).
#![forbid(unsafe_code)]
