//! TPM2_GetRandom (Part 3 §16.1) and TPM2_StirRandom (§16.2).

use vtrust_wire::{Reader, Writer};

use crate::codec::{MAX_DIGEST, read_2b, write_2b};
use crate::rc::*;
use crate::tpm::{Out, Tpm, enc, end, p};

impl Tpm {
    pub(crate) fn get_random(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let requested = p(1, r.u16_be("bytesRequested"))?;
        end(r)?;
        // At most the size of the largest digest (Part 3 §16.1.1).
        let n = usize::from(requested).min(MAX_DIGEST);
        let mut buf = vec![0u8; n];
        self.provider
            .fill_random(&mut buf)
            .map_err(|_| Rc(TPM_RC_FAILURE))?;
        let mut w = Writer::new();
        enc(write_2b(&mut w, "randomBytes", &buf))?;
        Ok(Out::params(w))
    }

    pub(crate) fn stir_random(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        // TPM2B_SENSITIVE_DATA: at most 128 bytes. The provider's RNG (the OS CSPRNG) takes
        // no additional input, so the data is accepted and discarded.
        let _ = p(1, read_2b(r, "inData", 128))?;
        end(r)?;
        Ok(Out::default())
    }
}
