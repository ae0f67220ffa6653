//! VCA: GET_VERSION / VERSION, GET_CAPABILITIES / CAPABILITIES, NEGOTIATE_ALGORITHMS /
//! ALGORITHMS (DSP0274 1.2 §10.2-§10.4), and the checks on the responder's capabilities.

use super::*;

/// GET_VERSION sent; VERSION expected.
#[derive(Debug)]
pub struct AwaitingVersion {
    pub(super) base: Base,
    pub(super) pending: Pending,
}

impl AwaitingVersion {
    pub(super) fn send(base: Base) -> Next {
        // GET_VERSION is four fixed bytes; encoding cannot fail.
        let request = GetVersion
            .to_vec()
            .unwrap_or_else(|_| vec![0x10, 0x84, 0, 0]);
        Next::Send {
            requester: Requester::AwaitingVersion(Box::new(Self {
                base,
                pending: Pending::new(
                    request.clone(),
                    RequestCode::GetVersion,
                    ResponseCode::Version,
                ),
            })),
            request,
        }
    }
}

awaiting_state!(AwaitingVersion, base);

impl Awaiting for AwaitingVersion {
    fn handle(self: Box<Self>, _: &CryptoProvider, bytes: &[u8]) -> Result<Next, RequesterError> {
        let config = &self.base.config;
        let (response, len) =
            decode_expected(&self.pending, config, bytes, &DecodeContext::default())?;
        let v = expect_response!(response, Version);
        let offered = v
            .entries
            .iter()
            .map(|e| e.spdm_version())
            .filter(|v| v.is_known());
        let highest_offered = offered.clone().max();
        let chosen = offered
            .filter(|v| *v >= config.min_version && *v <= config.max_version)
            .max();
        let Some(version) = chosen else {
            return Err(match highest_offered {
                Some(h) if h < config.min_version => RequesterError::Downgrade {
                    offered: Some(h),
                    required: config.min_version,
                },
                None => RequesterError::Downgrade {
                    offered: None,
                    required: config.min_version,
                },
                Some(_) => RequesterError::NoCommonVersion,
            });
        };
        let mut vca = VcaTranscript::new();
        vca.append(&self.pending.request)?;
        vca.append(exact(bytes, len))?;
        let has_core = version.at_least(SpdmVersion::V11);
        let sizes = version.at_least(SpdmVersion::V12);
        let get_caps = GetCapabilities {
            version,
            supported_algorithms_requested: false,
            ct_exponent: if has_core { config.ct_exponent } else { 0 },
            ext_flags: crate::codec::ExtCapabilityFlags::empty(),
            flags: if has_core {
                config.flags
            } else {
                RequesterCapabilityFlags::empty()
            },
            data_transfer_size: sizes.then_some(config.data_transfer_size),
            max_spdm_msg_size: sizes.then_some(config.max_spdm_msg_size),
        };
        let request = get_caps.to_vec()?;
        Ok(Next::Send {
            requester: Requester::AwaitingCapabilities(Box::new(AwaitingCapabilities {
                base: self.base,
                pending: Pending::new(
                    request.clone(),
                    RequestCode::GetCapabilities,
                    ResponseCode::Capabilities,
                ),
                vca,
                get_caps,
            })),
            request,
        })
    }
}

/// GET_CAPABILITIES sent; CAPABILITIES expected.
#[derive(Debug)]
pub struct AwaitingCapabilities {
    pub(super) base: Base,
    pub(super) pending: Pending,
    pub(super) vca: VcaTranscript,
    pub(super) get_caps: GetCapabilities,
}

/// DSP0274 1.2 §10.3 rules on the responder's flags.
pub(super) fn check_responder_caps(c: &Capabilities) -> Result<(), Misbehavior> {
    use ResponderCapabilityFlags as F;
    let f = c.flags;
    let bad = |m: &'static str| Err(Misbehavior::IncoherentCapabilities(m));
    if f.meas_cap() == MeasCap::Reserved {
        return bad("MEAS_CAP = 3 is reserved");
    }
    if f.contains(F::MEAS_FRESH_CAP) && f.meas_cap() == MeasCap::NotSupported {
        return bad("MEAS_FRESH_CAP without MEAS_CAP");
    }
    if f.contains(F::CHAL_CAP) && !f.intersects(F::CERT_CAP | F::PUB_KEY_ID_CAP) {
        return bad("CHAL_CAP without CERT_CAP or PUB_KEY_ID_CAP");
    }
    if c.version.at_least(SpdmVersion::V11) {
        if f.contains(F::CERT_CAP | F::PUB_KEY_ID_CAP) {
            return bad("CERT_CAP and PUB_KEY_ID_CAP together");
        }
        if f.psk_cap() == PskCap::Reserved {
            return bad("PSK_CAP = 3 is reserved");
        }
        let session = f.contains(F::KEY_EX_CAP) || f.psk_cap() != PskCap::NotSupported;
        let protect = f.intersects(F::ENCRYPT_CAP | F::MAC_CAP);
        if session != protect {
            return bad("ENCRYPT_CAP/MAC_CAP and KEY_EX_CAP/PSK_CAP must come together");
        }
        if f.contains(F::HANDSHAKE_IN_THE_CLEAR_CAP) && !f.contains(F::KEY_EX_CAP) {
            return bad("HANDSHAKE_IN_THE_CLEAR_CAP without KEY_EX_CAP");
        }
    }
    if c.version.at_least(SpdmVersion::V12) {
        let (Some(dts), Some(max)) = (c.data_transfer_size, c.max_spdm_msg_size) else {
            return bad("DataTransferSize / MaxSPDMmsgSize missing");
        };
        if dts < MIN_DATA_TRANSFER_SIZE {
            return bad("DataTransferSize below MinDataTransferSize");
        }
        if max < dts {
            return bad("MaxSPDMmsgSize below DataTransferSize");
        }
        if !f.contains(F::CHUNK_CAP) && max != dts {
            return bad("MaxSPDMmsgSize differs from DataTransferSize without CHUNK_CAP");
        }
    }
    Ok(())
}

awaiting_state!(AwaitingCapabilities, base);

impl Awaiting for AwaitingCapabilities {
    fn handle(
        mut self: Box<Self>,
        _: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let config = Arc::clone(&self.base.config);
        let (response, len) =
            decode_expected(&self.pending, &config, bytes, &DecodeContext::default())?;
        let caps = expect_response!(response, Capabilities);
        check_responder_caps(&caps)?;
        let version = self.get_caps.version;
        self.vca.append(&self.pending.request)?;
        self.vca.append(exact(bytes, len))?;
        let negotiate = NegotiateAlgorithms {
            version,
            supported: config.offer_for(version),
        };
        let request = negotiate.to_vec()?;
        let s = *self;
        Ok(Next::Send {
            requester: Requester::AwaitingAlgorithms(Box::new(AwaitingAlgorithms {
                base: s.base,
                pending: Pending::new(
                    request.clone(),
                    RequestCode::NegotiateAlgorithms,
                    ResponseCode::Algorithms,
                ),
                vca: s.vca,
                get_caps: s.get_caps,
                caps,
                negotiate,
            })),
            request,
        })
    }
}

/// NEGOTIATE_ALGORITHMS sent; ALGORITHMS expected.
#[derive(Debug)]
pub struct AwaitingAlgorithms {
    pub(super) base: Base,
    pub(super) pending: Pending,
    pub(super) vca: VcaTranscript,
    pub(super) get_caps: GetCapabilities,
    pub(super) caps: Capabilities,
    pub(super) negotiate: NegotiateAlgorithms,
}

awaiting_state!(AwaitingAlgorithms, base);

impl Awaiting for AwaitingAlgorithms {
    fn handle(
        mut self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let config = Arc::clone(&self.base.config);
        let (response, len) =
            decode_expected(&self.pending, &config, bytes, &DecodeContext::default())?;
        let algorithms = expect_response!(response, Algorithms);
        let negotiated =
            Negotiated::from_vca(&self.get_caps, &self.caps, &self.negotiate, &algorithms)?;
        check_plan_capabilities(&config, &negotiated)?;
        self.vca.append(&self.pending.request)?;
        self.vca.append(exact(bytes, len))?;
        let s = *self;
        let transcript = s.vca.finish(
            provider,
            negotiated.version,
            negotiated.base_hash,
            config.record_cap,
        );
        let conn = Conn {
            base: s.base,
            plan: config.plan.iter().copied().collect(),
            negotiated,
            transcript,
            digests: None,
            slots: Vec::new(),
            authenticated: false,
            challenges: Vec::new(),
            measurements: Vec::new(),
            measurement_signatures: Vec::new(),
        };
        conn.next_step(provider)
    }
}

pub(super) fn check_plan_capabilities(
    config: &RequesterConfig,
    n: &Negotiated,
) -> Result<(), RequesterError> {
    use ResponderCapabilityFlags as F;
    let f = n.responder_caps.flags;
    for s in &config.plan {
        let (ok, what) = match s {
            Step::Digests | Step::Certificate(_) => (f.contains(F::CERT_CAP), "CERT_CAP"),
            Step::Challenge(_) => (f.contains(F::CHAL_CAP), "CHAL_CAP"),
            Step::Measurements => (
                f.meas_cap() == MeasCap::Signature,
                "MEAS_CAP with signatures",
            ),
        };
        if !ok {
            return Err(Misbehavior::MissingCapability(what).into());
        }
    }
    if config.plan.iter().any(|s| !matches!(s, Step::Measurements)) && n.asym.is_none() {
        return Err(Misbehavior::MissingCapability("an asymmetric algorithm").into());
    }
    Ok(())
}
