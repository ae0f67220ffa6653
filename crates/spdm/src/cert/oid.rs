//! The object identifiers SPDM defines for certificates, under the DMTF arc
//! `1.3.6.1.4.1.412.274` (DSP0274 1.2+ "SPDM object identifiers" / "Definition of OIDs").

use const_oid::ObjectIdentifier;

/// `id-DMTF-device-info` (`.1`): the SubjectAltName `otherName` carrying a UTF8String
/// "manufacturer:product:serial".
pub const DMTF_DEVICE_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.1");

/// `id-DMTF-hardware-identity` (`.2`): in the SPDM extension, marks a certificate as carrying
/// a hardware identity (DeviceCert model).
pub const DMTF_HARDWARE_IDENTITY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.2");

/// `id-DMTF-eku-responder-auth` (`.3`): an extendedKeyUsage purpose, the key authenticates an
/// SPDM Responder.
pub const DMTF_EKU_RESPONDER_AUTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.3");

/// `id-DMTF-eku-requester-auth` (`.4`): an extendedKeyUsage purpose, the key authenticates an
/// SPDM Requester (mutual authentication).
pub const DMTF_EKU_REQUESTER_AUTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.4");

/// `id-DMTF-mutable-certificate` (`.5`).
pub const DMTF_MUTABLE_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.5");

/// `id-DMTF-SPDM-extension` (`.6`): the certificate extension holding a SEQUENCE of SPDM OIDs.
pub const DMTF_SPDM_EXTENSION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.412.274.6");
