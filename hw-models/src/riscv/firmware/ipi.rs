//! The IPI extension (SBI v2.0 §7) and the M-level software-interrupt handler.
//!
//! OpenSBI sends an IPI by writing the target's ACLINT `msip`; the target's M-mode handler
//! clears `msip` and sets mip.SSIP. The model delivers directly: the target's mip.SSIP is
//! set at once, which is the state the target reaches after its handler runs — in a
//! single-threaded board the target cannot observe the instant in between. An `msip` raised
//! by anything else (M-mode code, a test) still goes through [`handle_msi`].

use super::{SbiEnv, fail, hart_mask, ok};
use crate::riscv::cause::irq;
use crate::riscv::csr_num;
use crate::riscv::hw::SbiRet;

const MIP_SSIP: u64 = 1 << irq::SSI;

/// Sets mip.SSIP on `hart` (an S-level software interrupt).
fn raise_ssip<E: SbiEnv + ?Sized>(env: &mut E, hart: usize) {
    let mip = env.csr_read(hart, csr_num::MIP);
    env.csr_write(hart, csr_num::MIP, mip | MIP_SSIP);
}

/// sbi_send_ipi(hart_mask, hart_mask_base): SBI_SUCCESS, or SBI_ERR_INVALID_PARAM when a
/// hart id built from the pair is not a hart of the board (nothing is sent then).
pub(crate) fn send_ipi<E: SbiEnv + ?Sized>(env: &mut E, mask: u64, base: u64) -> SbiRet {
    match hart_mask::resolve(mask, base, env.hart_count()) {
        Ok(targets) => {
            for t in targets {
                raise_ssip(env, t);
            }
            ok(0)
        }
        Err(e) => fail(e),
    }
}

/// The M-level MSI handler: acknowledges the ACLINT `msip` and forwards it as SSIP.
pub(crate) fn handle_msi<E: SbiEnv + ?Sized>(env: &mut E, hart: usize) {
    env.set_msip(hart, false);
    raise_ssip(env, hart);
}
