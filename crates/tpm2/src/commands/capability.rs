//! TPM2_GetCapability (Part 3 §30.2) and TPM2_TestParms (§30.3).

use vtrust_wire::{Reader, Writer};

use crate::codec::alg_of_hash;
use crate::codec::pcr::{PcrSelection, write_selection};
use crate::codec::public::read_public_parms;
use crate::constants::{alg, cap, cc, handle, pt};
use crate::rc::*;
use crate::tpm::{
    COMMANDS, MAX_LOADED_SESSIONS, MAX_OBJECTS, Out, PCR_BANKS, PCR_COUNT, Tpm, command_spec, enc,
    end, p,
};

/// TPMA_ALGORITHM bits (Part 2 §8.2).
const ASYMMETRIC: u32 = 0x1;
const SYMMETRIC: u32 = 0x2;
const HASH: u32 = 0x4;
const OBJECT: u32 = 0x8;
const SIGNING: u32 = 0x100;
const ENCRYPTING: u32 = 0x200;

/// The algorithms this TPM implements with their TPMA_ALGORITHM, in id order.
const ALGS: [(u16, u32); 12] = [
    (alg::SHA1, HASH),
    (alg::HMAC, HASH | SIGNING),
    (alg::AES, SYMMETRIC),
    (alg::SHA256, HASH),
    (alg::SHA384, HASH),
    (alg::SHA512, HASH),
    (alg::NULL, 0),
    (alg::ECDSA, ASYMMETRIC | SIGNING),
    (alg::ECC, ASYMMETRIC | OBJECT),
    (alg::CFB, SYMMETRIC | ENCRYPTING),
    (alg::MLKEM, ASYMMETRIC | OBJECT | ENCRYPTING),
    (alg::MLDSA, ASYMMETRIC | OBJECT | SIGNING),
];

/// TPM_CAP_TPM_PROPERTIES count limit per response.
const MAX_PROPERTIES: usize = 127;

/// `s` as a big-endian u32 of 4 ASCII characters (vendor strings).
const fn chars(s: &[u8; 4]) -> u32 {
    u32::from_be_bytes(*s)
}

impl Tpm {
    fn properties(&self) -> Vec<(u32, u32)> {
        let objects = u32::try_from(self.vol.entities.len()).unwrap_or(0);
        let sessions = u32::try_from(self.vol.sessions.len()).unwrap_or(0);
        let max_obj = u32::try_from(MAX_OBJECTS).unwrap_or(0);
        let max_sess = u32::try_from(MAX_LOADED_SESSIONS).unwrap_or(0);
        let max = u32::try_from(Tpm::MAX_COMMAND_SIZE).unwrap_or(0);
        let commands = u32::try_from(COMMANDS.len()).unwrap_or(0);
        vec![
            (0x100, chars(b"2.0\0")),                   // TPM_PT_FAMILY_INDICATOR
            (0x101, 0),                                 // TPM_PT_LEVEL
            (0x102, 185),                               // TPM_PT_REVISION (1.85)
            (0x103, 1),                                 // TPM_PT_DAY_OF_YEAR
            (0x104, 2025),                              // TPM_PT_YEAR
            (0x105, chars(b"VTRS")),                    // TPM_PT_MANUFACTURER
            (0x106, chars(b"vtru")),                    // TPM_PT_VENDOR_STRING_1
            (0x107, chars(b"st\0\0")),                  // TPM_PT_VENDOR_STRING_2
            (0x108, 0),                                 // TPM_PT_VENDOR_STRING_3
            (0x109, 0),                                 // TPM_PT_VENDOR_STRING_4
            (0x10A, 0),                                 // TPM_PT_VENDOR_TPM_TYPE
            (0x10B, 0x0001_0000),                       // TPM_PT_FIRMWARE_VERSION_1
            (0x10C, 0),                                 // TPM_PT_FIRMWARE_VERSION_2
            (pt::INPUT_BUFFER, 1024),                   // TPM_PT_INPUT_BUFFER
            (0x10E, max_obj),                           // TPM_PT_HR_TRANSIENT_MIN
            (0x10F, 0),                                 // TPM_PT_HR_PERSISTENT_MIN
            (0x110, max_obj),                           // TPM_PT_HR_LOADED_MIN
            (0x111, max_sess),                          // TPM_PT_ACTIVE_SESSIONS_MAX
            (0x112, 24),                                // TPM_PT_PCR_COUNT
            (0x113, 3),                                 // TPM_PT_PCR_SELECT_MIN
            (0x114, 0xFFFF),                            // TPM_PT_CONTEXT_GAP_MAX
            (0x116, 0),                                 // TPM_PT_NV_COUNTERS_MAX
            (0x117, 0),                                 // TPM_PT_NV_INDEX_MAX
            (0x118, 0),                                 // TPM_PT_MEMORY
            (0x119, 0),                                 // TPM_PT_CLOCK_UPDATE
            (0x11A, u32::from(alg::SHA256)),            // TPM_PT_CONTEXT_HASH
            (0x11B, u32::from(alg::AES)),               // TPM_PT_CONTEXT_SYM
            (0x11C, 256),                               // TPM_PT_CONTEXT_SYM_SIZE
            (0x11D, 0),                                 // TPM_PT_ORDERLY_COUNT
            (pt::MAX_COMMAND_SIZE, max),                // TPM_PT_MAX_COMMAND_SIZE
            (pt::MAX_RESPONSE_SIZE, max),               // TPM_PT_MAX_RESPONSE_SIZE
            (0x120, 64),                                // TPM_PT_MAX_DIGEST
            (0x121, 6160),                              // TPM_PT_MAX_OBJECT_CONTEXT
            (0x122, 0),                                 // TPM_PT_MAX_SESSION_CONTEXT (not saved)
            (0x123, 1),                                 // TPM_PT_PS_FAMILY_INDICATOR (PC Client)
            (0x124, 0),                                 // TPM_PT_PS_LEVEL
            (0x125, 0),                                 // TPM_PT_PS_REVISION
            (0x126, 0),                                 // TPM_PT_PS_DAY_OF_YEAR
            (0x127, 0),                                 // TPM_PT_PS_YEAR
            (0x128, 0),                                 // TPM_PT_SPLIT_MAX
            (0x129, commands),                          // TPM_PT_TOTAL_COMMANDS
            (0x12A, commands),                          // TPM_PT_LIBRARY_COMMANDS
            (0x12B, 0),                                 // TPM_PT_VENDOR_COMMANDS
            (0x12C, 1024),                              // TPM_PT_NV_BUFFER_MAX
            (0x12D, 0),                                 // TPM_PT_MODES
            (0x12E, 4096),                              // TPM_PT_MAX_CAP_BUFFER
            (pt::ML_PARAMETER_SETS, 0x3F),              // TPM_PT_ML_PARAMETER_SETS (no external µ)
            (0x200, 0),                                 // TPM_PT_PERMANENT
            (0x201, 0x8000_000F), // TPM_PT_STARTUP_CLEAR: ph/sh/eh/phNV enabled, orderly
            (0x202, 0),           // TPM_PT_HR_NV_INDEX
            (0x203, sessions),    // TPM_PT_HR_LOADED
            (0x204, max_sess.saturating_sub(sessions)), // TPM_PT_HR_LOADED_AVAIL
            (0x205, sessions),    // TPM_PT_HR_ACTIVE
            (0x206, max_sess.saturating_sub(sessions)), // TPM_PT_HR_ACTIVE_AVAIL
            (0x207, max_obj.saturating_sub(objects)), // TPM_PT_HR_TRANSIENT_AVAIL
            (0x208, 0),           // TPM_PT_HR_PERSISTENT
            (0x209, 0),           // TPM_PT_HR_PERSISTENT_AVAIL
            (0x20A, 0),           // TPM_PT_NV_COUNTERS
            (0x20B, 0),           // TPM_PT_NV_COUNTERS_AVAIL
            (0x20C, 0),           // TPM_PT_ALGORITHM_SET
            (0x20D, 2),           // TPM_PT_LOADED_CURVES
            (0x20E, 0),           // TPM_PT_LOCKOUT_COUNTER
            (0x20F, 3),           // TPM_PT_MAX_AUTH_FAIL
            (0x210, 1000),        // TPM_PT_LOCKOUT_INTERVAL
            (0x211, 1000),        // TPM_PT_LOCKOUT_RECOVERY
            (0x212, 0),           // TPM_PT_NV_WRITE_RECOVERY
            (0x213, 0),           // TPM_PT_AUDIT_COUNTER_0
            (0x214, 0),           // TPM_PT_AUDIT_COUNTER_1
        ]
    }

    fn handles_of_type(&self, first: u32) -> Vec<u32> {
        match first >> 24 {
            0x00 => (0..u32::try_from(PCR_COUNT).unwrap_or(0)).collect(),
            0x02 => self.vol.sessions.keys().copied().collect(),
            0x40 => vec![
                handle::OWNER,
                handle::NULL,
                handle::PW,
                handle::LOCKOUT,
                handle::ENDORSEMENT,
                handle::PLATFORM,
            ],
            0x80 => self.vol.entities.keys().copied().collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn get_capability(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let capability = p(1, r.u32_be("capability"))?;
        let property = p(2, r.u32_be("property"))?;
        let count = p(3, r.u32_be("propertyCount"))?;
        end(r)?;
        let count = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .min(MAX_PROPERTIES);
        let mut w = Writer::new();
        // moreData is patched once known.
        enc(w.u8("moreData", 0))?;
        enc(w.u32_be("capability", capability))?;
        let more = match capability {
            cap::ALGS => {
                let all: Vec<_> = ALGS
                    .iter()
                    .filter(|(a, _)| u32::from(*a) >= property)
                    .collect();
                let take = all.len().min(count);
                enc(w.u32_len_be("count", take))?;
                for (a, attrs) in all.iter().take(take) {
                    enc(w.u16_be("alg", *a))?;
                    enc(w.u32_be("algProperties", *attrs))?;
                }
                all.len() > take
            }
            cap::HANDLES => {
                let all: Vec<u32> = self
                    .handles_of_type(property)
                    .into_iter()
                    .filter(|h| *h >= property)
                    .collect();
                let take = all.len().min(count);
                enc(w.u32_len_be("count", take))?;
                for h in all.iter().take(take) {
                    enc(w.u32_be("handle", *h))?;
                }
                all.len() > take
            }
            cap::COMMANDS => {
                let all: Vec<u32> = COMMANDS
                    .iter()
                    .copied()
                    .filter(|c| *c >= (property & 0xFFFF))
                    .collect();
                let take = all.len().min(count);
                enc(w.u32_len_be("count", take))?;
                for c in all.iter().take(take) {
                    let spec = command_spec(*c).ok_or(Rc(TPM_RC_FAILURE))?;
                    let c_handles = u32::try_from(spec.handles).unwrap_or(0);
                    let r_handle = u32::from(matches!(
                        *c,
                        cc::CREATE_PRIMARY
                            | cc::HASH_SEQUENCE_START
                            | cc::CONTEXT_LOAD
                            | cc::START_AUTH_SESSION
                    ));
                    let flushed = u32::from(*c == cc::SEQUENCE_COMPLETE);
                    // TPMA_CC (Part 2 §8.9): commandIndex, flushed 24, cHandles 25-27, rHandle 28.
                    enc(w.u32_be(
                        "TPMA_CC",
                        (c & 0xFFFF) | (flushed << 24) | (c_handles << 25) | (r_handle << 28),
                    ))?;
                }
                all.len() > take
            }
            cap::PCRS => {
                let sel: Vec<PcrSelection> = PCR_BANKS
                    .iter()
                    .map(|h| PcrSelection {
                        hash: alg_of_hash(*h),
                        select: vec![0xFF, 0xFF, 0xFF],
                    })
                    .collect();
                enc(write_selection(&mut w, &sel))?;
                false
            }
            cap::TPM_PROPERTIES => {
                let all: Vec<(u32, u32)> = self
                    .properties()
                    .into_iter()
                    .filter(|(k, _)| *k >= property)
                    .collect();
                let take = all.len().min(count);
                enc(w.u32_len_be("count", take))?;
                for (k, v) in all.iter().take(take) {
                    enc(w.u32_be("property", *k))?;
                    enc(w.u32_be("value", *v))?;
                }
                all.len() > take
            }
            _ => return Err(Rc::param(TPM_RC_VALUE, 1)),
        };
        let mut params = w.into_vec();
        if let Some(b) = params.first_mut() {
            *b = u8::from(more);
        }
        Ok(Out {
            handles: Vec::new(),
            params,
        })
    }

    pub(crate) fn test_parms(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        p(1, read_public_parms(r))?;
        end(r)?;
        Ok(Out::default())
    }
}
