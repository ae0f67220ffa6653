//! Response codes (TPM_RC, TPM 2.0 Part 2 §6.6) and the composition of format-one codes
//! with a handle, parameter or session number.

/// TPM_RC_SUCCESS.
pub const TPM_RC_SUCCESS: u32 = 0x000;
/// TPM_RC_BAD_TAG: the command tag is neither TPM_ST_NO_SESSIONS nor TPM_ST_SESSIONS.
pub const TPM_RC_BAD_TAG: u32 = 0x01E;
/// TPM_RC_INITIALIZE: TPM not initialized by TPM2_Startup or already initialized.
pub const TPM_RC_INITIALIZE: u32 = 0x100;
/// TPM_RC_FAILURE: the TPM is in failure mode.
pub const TPM_RC_FAILURE: u32 = 0x101;
/// TPM_RC_SEQUENCE: improper use of a sequence handle.
pub const TPM_RC_SEQUENCE: u32 = 0x103;
/// TPM_RC_DISABLED: the command is disabled.
pub const TPM_RC_DISABLED: u32 = 0x120;
/// TPM_RC_AUTH_TYPE: authorization handle is not correct for the command.
pub const TPM_RC_AUTH_TYPE: u32 = 0x124;
/// TPM_RC_AUTH_MISSING: the command requires an authorization session.
pub const TPM_RC_AUTH_MISSING: u32 = 0x125;
/// TPM_RC_AUTH_UNAVAILABLE: authValue or authPolicy is not available for the entity.
pub const TPM_RC_AUTH_UNAVAILABLE: u32 = 0x12F;
/// TPM_RC_COMMAND_SIZE: command size value is inconsistent with the command's bytes.
pub const TPM_RC_COMMAND_SIZE: u32 = 0x142;
/// TPM_RC_COMMAND_CODE: command code not supported.
pub const TPM_RC_COMMAND_CODE: u32 = 0x143;
/// TPM_RC_AUTHSIZE: the authorizationSize is out of range or the number of sessions is wrong.
pub const TPM_RC_AUTHSIZE: u32 = 0x144;
/// TPM_RC_AUTH_CONTEXT: a session was given for a command that cannot have one.
pub const TPM_RC_AUTH_CONTEXT: u32 = 0x145;
/// TPM_RC_BAD_CONTEXT: the context blob does not unmarshal.
pub const TPM_RC_BAD_CONTEXT: u32 = 0x150;
/// TPM_RC_NO_RESULT: the TPM could not produce a result (e.g. a crypto failure).
pub const TPM_RC_NO_RESULT: u32 = 0x154;

/// Format-one base (bit 7).
pub const RC_FMT1: u32 = 0x080;
/// TPM_RC_ATTRIBUTES (format one).
pub const TPM_RC_ATTRIBUTES: u32 = 0x082;
/// TPM_RC_HASH (format one).
pub const TPM_RC_HASH: u32 = 0x083;
/// TPM_RC_VALUE (format one).
pub const TPM_RC_VALUE: u32 = 0x084;
/// TPM_RC_HIERARCHY (format one).
pub const TPM_RC_HIERARCHY: u32 = 0x085;
/// TPM_RC_TYPE (format one).
pub const TPM_RC_TYPE: u32 = 0x08A;
/// TPM_RC_HANDLE (format one).
pub const TPM_RC_HANDLE: u32 = 0x08B;
/// TPM_RC_KDF (format one).
pub const TPM_RC_KDF: u32 = 0x08C;
/// TPM_RC_RANGE (format one).
pub const TPM_RC_RANGE: u32 = 0x08D;
/// TPM_RC_AUTH_FAIL (format one): the authorization HMAC check or password failed.
pub const TPM_RC_AUTH_FAIL: u32 = 0x08E;
/// TPM_RC_SCHEME (format one).
pub const TPM_RC_SCHEME: u32 = 0x092;
/// TPM_RC_SIZE (format one).
pub const TPM_RC_SIZE: u32 = 0x095;
/// TPM_RC_SYMMETRIC (format one).
pub const TPM_RC_SYMMETRIC: u32 = 0x096;
/// TPM_RC_TAG (format one): incorrect structure tag.
pub const TPM_RC_TAG: u32 = 0x097;
/// TPM_RC_INSUFFICIENT (format one): the input buffer ended early.
pub const TPM_RC_INSUFFICIENT: u32 = 0x09A;
/// TPM_RC_SIGNATURE (format one): the signature is not valid.
pub const TPM_RC_SIGNATURE: u32 = 0x09B;
/// TPM_RC_KEY (format one): key fields are not compatible with the selected use.
pub const TPM_RC_KEY: u32 = 0x09C;
/// TPM_RC_INTEGRITY (format one): integrity check failed.
pub const TPM_RC_INTEGRITY: u32 = 0x09F;
/// TPM_RC_TICKET (format one): invalid ticket.
pub const TPM_RC_TICKET: u32 = 0x0A0;
/// TPM_RC_BAD_AUTH (format one): authorization failure without DA implications.
pub const TPM_RC_BAD_AUTH: u32 = 0x0A2;
/// TPM_RC_CURVE (format one).
pub const TPM_RC_CURVE: u32 = 0x0A6;

/// TPM_RC_CONTEXT_GAP (warning).
pub const TPM_RC_CONTEXT_GAP: u32 = 0x901;
/// TPM_RC_OBJECT_MEMORY (warning): out of memory for object contexts.
pub const TPM_RC_OBJECT_MEMORY: u32 = 0x902;
/// TPM_RC_SESSION_MEMORY (warning): out of memory for session contexts.
pub const TPM_RC_SESSION_MEMORY: u32 = 0x903;
/// TPM_RC_REFERENCE_H0 (warning): the first handle references a transient object or session
/// that is not loaded.
pub const TPM_RC_REFERENCE_H0: u32 = 0x910;
/// TPM_RC_REFERENCE_S0 (warning): the first authorization session is not loaded.
pub const TPM_RC_REFERENCE_S0: u32 = 0x918;

/// A response code as the command layer returns it (a newtype so `?` works).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rc(pub u32);

impl Rc {
    /// A format-one `rc` attributed to parameter `n` (1-based): `rc + TPM_RC_P + (n << 8)`.
    pub(crate) const fn param(rc: u32, n: u32) -> Self {
        Self(rc | 0x040 | ((n & 0xF) << 8))
    }
    /// A format-one `rc` attributed to handle `n` (1-based).
    pub(crate) const fn handle(rc: u32, n: u32) -> Self {
        Self(rc | ((n & 0x7) << 8))
    }
    /// A format-one `rc` attributed to session `n` (1-based): `rc + TPM_RC_S + (n << 8)`.
    pub(crate) const fn session(rc: u32, n: u32) -> Self {
        Self(rc | 0x800 | ((n & 0x7) << 8))
    }
}

/// Maps a decode failure of parameter `n` to the response code libtpms gives for it:
/// truncated input is TPM_RC_INSUFFICIENT, a length above its limit TPM_RC_SIZE, anything
/// else TPM_RC_VALUE.
pub(crate) fn decode_rc(e: vtrust_wire::DecodeError, n: u32) -> Rc {
    use vtrust_wire::DecodeErrorKind as K;
    let rc = match e.kind {
        K::Truncated { .. } => TPM_RC_INSUFFICIENT,
        K::TooLong { .. } | K::TrailingBytes { .. } => TPM_RC_SIZE,
        _ => match e.field {
            "hashAlg" | "nameAlg" | "hash" => TPM_RC_HASH,
            "scheme" => TPM_RC_SCHEME,
            "curveID" => TPM_RC_CURVE,
            "type" => TPM_RC_TYPE,
            "symmetric" | "keyBits" | "mode" => TPM_RC_SYMMETRIC,
            "kdf" => TPM_RC_KDF,
            "objectAttributes" => TPM_RC_ATTRIBUTES,
            "tag" => TPM_RC_TAG,
            _ => TPM_RC_VALUE,
        },
    };
    Rc::param(rc, n)
}
