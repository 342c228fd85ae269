//! What OpenSBI programs into each hart's M-level CSRs at boot (`sbi_hart_init`:
//! `mstatus_init` and `delegate_traps`), for a hart with S-mode and the H extension.

use super::SbiEnv;
use crate::riscv::cause::{exc, irq};
use crate::riscv::csr_num;

const fn bit(n: u64) -> u64 {
    1 << n
}

/// Exceptions delegated to HS-mode. OpenSBI delegates instruction-address-misaligned,
/// breakpoint, ecall from U and (with the platform's "medeleg" feature, set on QEMU `virt`)
/// the three page faults; with the H extension it adds ecall from VS, the three guest-page
/// faults and virtual-instruction. It keeps illegal-instruction, the access faults and the
/// load/store misaligned exceptions in M (to emulate them, else to redirect them to S; see
/// `mtrap`), and ecall from HS (the SBI itself). Value 0xf0b509.
pub const MEDELEG: u64 = bit(exc::INSTRUCTION_ADDRESS_MISALIGNED)
    | bit(exc::BREAKPOINT)
    | bit(exc::ECALL_FROM_U)
    | bit(exc::ECALL_FROM_VS)
    | bit(exc::INSTRUCTION_PAGE_FAULT)
    | bit(exc::LOAD_PAGE_FAULT)
    | bit(exc::STORE_PAGE_FAULT)
    | bit(exc::INSTRUCTION_GUEST_PAGE_FAULT)
    | bit(exc::LOAD_GUEST_PAGE_FAULT)
    | bit(exc::VIRTUAL_INSTRUCTION)
    | bit(exc::STORE_GUEST_PAGE_FAULT);

/// Interrupts delegated to HS-mode: SSI, STI, SEI. With H, the VS-level bits and SGEI are
/// read-only one in mideleg (norm:mideleg_hroz — the hart forces them), so reading it
/// back gives 0x1666.
pub const MIDELEG: u64 = bit(irq::SSI) | bit(irq::STI) | bit(irq::SEI);

/// mie bits the firmware keeps on: MSIE, for IPIs through the ACLINT MSWI. MTIE is set only
/// while an SBI timer is armed (see `timer`).
const MIE_BOOT: u64 = bit(irq::MSI);

/// mcounteren: all counters visible to S (OpenSBI writes all ones), so `time`, `cycle` and
/// `instret` read from HS; HS's hcounteren/scounteren decide for the guest.
const MCOUNTEREN_ALL: u64 = 0xffff_ffff;

/// menvcfg.STCE: Sstc's stimecmp/vstimecmp enabled for S and VS (norm:menvcfg_stce_op1).
const MENVCFG_STCE: u64 = 1 << 63;

/// Programs one hart as OpenSBI's warm-boot path does (`sstc`: the hart has Sstc and the
/// firmware enables it, as OpenSBI's `mstatus_init` does).
pub(crate) fn init_hart<E: SbiEnv + ?Sized>(env: &mut E, hart: usize, sstc: bool) {
    if sstc {
        let menvcfg = env.csr_read(hart, csr_num::MENVCFG);
        env.csr_write(hart, csr_num::MENVCFG, menvcfg | MENVCFG_STCE);
    }
    env.csr_write(hart, csr_num::MEDELEG, MEDELEG);
    env.csr_write(hart, csr_num::MIDELEG, MIDELEG);
    env.csr_write(hart, csr_num::MIE, MIE_BOOT);
    env.csr_write(hart, csr_num::MCOUNTEREN, MCOUNTEREN_ALL);
    env.set_msip(hart, false);
    env.set_mtimecmp(hart, u64::MAX);
}
