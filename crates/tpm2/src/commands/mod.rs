//! The command layer: one file per command family (TPM 2.0 Part 3), each an `impl Tpm`
//! block of handlers. A handler reads its parameters (numbered as Part 3 numbers them, for
//! the response code), checks them, changes state and writes the response parameters.

mod capability;
mod context;
mod hash;
mod kem;
mod object;
mod pcr;
mod random;
mod session;
mod sign;
mod startup;
