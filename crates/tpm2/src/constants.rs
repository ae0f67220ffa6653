//! Code points from TPM 2.0 Library Part 2 (version 1.85): structure tags, command codes,
//! algorithm identifiers, handles and capabilities. Only the values this TPM uses.

/// TPM_ST_NO_SESSIONS (Part 2 §6.9).
pub const TPM_ST_NO_SESSIONS: u16 = 0x8001;
/// TPM_ST_SESSIONS (Part 2 §6.9).
pub const TPM_ST_SESSIONS: u16 = 0x8002;
/// TPM_ST_CREATION (Part 2 §6.9): tag of a creation ticket.
pub const TPM_ST_CREATION: u16 = 0x8021;
/// TPM_ST_VERIFIED (Part 2 §6.9): tag of a verification ticket.
pub const TPM_ST_VERIFIED: u16 = 0x8022;
/// TPM_ST_HASHCHECK (Part 2 §6.9): tag of a hash-check ticket.
pub const TPM_ST_HASHCHECK: u16 = 0x8024;
/// TPM_ST_DIGEST_VERIFIED (Part 2 §6.9, 1.85): tag of the VerifyDigestSignature ticket.
pub const TPM_ST_DIGEST_VERIFIED: u16 = 0x8027;

/// TPM_GENERATED_VALUE (Part 2 §6.2): data starting with it gets no hash-check ticket.
pub const TPM_GENERATED_VALUE: u32 = 0xff54_4347;

/// Command codes (TPM_CC, Part 2 §6.5.2).
pub mod cc {
    /// TPM2_CreatePrimary.
    pub const CREATE_PRIMARY: u32 = 0x131;
    /// TPM2_PCR_Event.
    pub const PCR_EVENT: u32 = 0x13C;
    /// TPM2_SequenceComplete.
    pub const SEQUENCE_COMPLETE: u32 = 0x13E;
    /// TPM2_SelfTest.
    pub const SELF_TEST: u32 = 0x143;
    /// TPM2_Startup.
    pub const STARTUP: u32 = 0x144;
    /// TPM2_Shutdown.
    pub const SHUTDOWN: u32 = 0x145;
    /// TPM2_StirRandom.
    pub const STIR_RANDOM: u32 = 0x146;
    /// TPM2_SequenceUpdate.
    pub const SEQUENCE_UPDATE: u32 = 0x15C;
    /// TPM2_Sign.
    pub const SIGN: u32 = 0x15D;
    /// TPM2_ContextLoad.
    pub const CONTEXT_LOAD: u32 = 0x161;
    /// TPM2_ContextSave.
    pub const CONTEXT_SAVE: u32 = 0x162;
    /// TPM2_FlushContext.
    pub const FLUSH_CONTEXT: u32 = 0x165;
    /// TPM2_ReadPublic.
    pub const READ_PUBLIC: u32 = 0x173;
    /// TPM2_StartAuthSession.
    pub const START_AUTH_SESSION: u32 = 0x176;
    /// TPM2_VerifySignature.
    pub const VERIFY_SIGNATURE: u32 = 0x177;
    /// TPM2_GetCapability.
    pub const GET_CAPABILITY: u32 = 0x17A;
    /// TPM2_GetRandom.
    pub const GET_RANDOM: u32 = 0x17B;
    /// TPM2_Hash.
    pub const HASH: u32 = 0x17D;
    /// TPM2_PCR_Read.
    pub const PCR_READ: u32 = 0x17E;
    /// TPM2_PCR_Extend.
    pub const PCR_EXTEND: u32 = 0x182;
    /// TPM2_HashSequenceStart.
    pub const HASH_SEQUENCE_START: u32 = 0x186;
    /// TPM2_TestParms.
    pub const TEST_PARMS: u32 = 0x18A;
    /// TPM2_VerifyDigestSignature (1.85).
    pub const VERIFY_DIGEST_SIGNATURE: u32 = 0x1A5;
    /// TPM2_SignDigest (1.85).
    pub const SIGN_DIGEST: u32 = 0x1A6;
    /// TPM2_Encapsulate (1.85).
    pub const ENCAPSULATE: u32 = 0x1A7;
    /// TPM2_Decapsulate (1.85).
    pub const DECAPSULATE: u32 = 0x1A8;
}

/// Algorithm identifiers (TPM_ALG_ID, Part 2 §6.3; TCG Algorithm Registry; 1.85 PQC ids as
/// transcribed by pqctoday-tpm and wolfTPM, see `/work/shared/tpm-crb.md` §6).
pub mod alg {
    /// TPM_ALG_SHA1.
    pub const SHA1: u16 = 0x0004;
    /// TPM_ALG_HMAC.
    pub const HMAC: u16 = 0x0005;
    /// TPM_ALG_AES.
    pub const AES: u16 = 0x0006;
    /// TPM_ALG_KEYEDHASH.
    pub const KEYEDHASH: u16 = 0x0008;
    /// TPM_ALG_SHA256.
    pub const SHA256: u16 = 0x000B;
    /// TPM_ALG_SHA384.
    pub const SHA384: u16 = 0x000C;
    /// TPM_ALG_SHA512.
    pub const SHA512: u16 = 0x000D;
    /// TPM_ALG_NULL.
    pub const NULL: u16 = 0x0010;
    /// TPM_ALG_ECDSA.
    pub const ECDSA: u16 = 0x0018;
    /// TPM_ALG_KDF1_SP800_108.
    pub const KDF1_SP800_108: u16 = 0x0022;
    /// TPM_ALG_ECC.
    pub const ECC: u16 = 0x0023;
    /// TPM_ALG_SYMCIPHER.
    pub const SYMCIPHER: u16 = 0x0025;
    /// TPM_ALG_CFB.
    pub const CFB: u16 = 0x0043;
    /// TPM_ALG_MLKEM (1.85).
    pub const MLKEM: u16 = 0x00A0;
    /// TPM_ALG_MLDSA (1.85).
    pub const MLDSA: u16 = 0x00A1;
}

/// Permanent handles (TPM_RH / TPM_RS, Part 2 §7.4) and handle ranges (§7.2).
pub mod handle {
    /// TPM_RH_OWNER.
    pub const OWNER: u32 = 0x4000_0001;
    /// TPM_RH_NULL.
    pub const NULL: u32 = 0x4000_0007;
    /// TPM_RS_PW: the password session.
    pub const PW: u32 = 0x4000_0009;
    /// TPM_RH_LOCKOUT.
    pub const LOCKOUT: u32 = 0x4000_000A;
    /// TPM_RH_ENDORSEMENT.
    pub const ENDORSEMENT: u32 = 0x4000_000B;
    /// TPM_RH_PLATFORM.
    pub const PLATFORM: u32 = 0x4000_000C;
    /// First HMAC session handle (TPM_HT_HMAC_SESSION).
    pub const HMAC_SESSION_FIRST: u32 = 0x0200_0000;
    /// First transient object handle (TPM_HT_TRANSIENT).
    pub const TRANSIENT_FIRST: u32 = 0x8000_0000;
    /// savedHandle of a saved sequence object (Part 2 §14.3 TPMS_CONTEXT).
    pub const SAVED_SEQUENCE: u32 = 0x8000_0001;
}

/// Capabilities (TPM_CAP, Part 2 §6.12).
pub mod cap {
    /// TPM_CAP_ALGS.
    pub const ALGS: u32 = 0;
    /// TPM_CAP_HANDLES.
    pub const HANDLES: u32 = 1;
    /// TPM_CAP_COMMANDS.
    pub const COMMANDS: u32 = 2;
    /// TPM_CAP_PCRS.
    pub const PCRS: u32 = 5;
    /// TPM_CAP_TPM_PROPERTIES.
    pub const TPM_PROPERTIES: u32 = 6;
}

/// TPM properties (TPM_PT, Part 2 §6.13).
pub mod pt {
    /// TPM_PT_INPUT_BUFFER.
    pub const INPUT_BUFFER: u32 = 0x10D;
    /// TPM_PT_MAX_COMMAND_SIZE.
    pub const MAX_COMMAND_SIZE: u32 = 0x11E;
    /// TPM_PT_MAX_RESPONSE_SIZE.
    pub const MAX_RESPONSE_SIZE: u32 = 0x11F;
    /// TPM_PT_ML_PARAMETER_SETS (1.85). **Assumption**: PT_FIXED + 47 = 0x12F; the value is
    /// the bitmap of tpm-crb.md §6 (bits 0-2 ML-KEM-512/768/1024, bits 3-5 ML-DSA-44/65/87,
    /// bit 6 external µ).
    pub const ML_PARAMETER_SETS: u32 = 0x12F;
}
