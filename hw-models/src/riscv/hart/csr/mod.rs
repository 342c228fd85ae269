//! The CSR file.
//!
//! Each CSR is a `CsrDef`: a read function and (unless read-only) a write function that
//! owns the CSR's write mask and side effects, in the manner of Spike's CSR objects. `lookup`
//! maps a CSR number to its definition for the implemented features; a number with no
//! definition does not exist and raises illegal-instruction. The access rules common to all
//! CSRs (privilege, read-only, counter enables) live in `access`.

pub(crate) mod access;
pub mod counters;
pub mod envcfg;
pub mod hstatus;
pub(crate) mod hypervisor;
mod machine;
pub(crate) mod supervisor;
mod table;
mod trigger;
/// Constants of the M-mode CSRs.
pub mod machine_consts {
    pub use super::machine::{
        MARCHID, MENVCFG_FIOM, MIMPID, MTVEC_MODE_MASK, MTVEC_VECTORED, MVENDORID,
    };
}
pub mod mip;
pub mod mstatus;
pub mod pmp;

use super::config::Features;
use super::state::ArchState;
use counters::Counter;
use pmp::Pmp;
pub(crate) use table::CsrTable;

/// Reads a CSR.
pub(crate) type ReadFn = fn(&ArchState) -> u64;
/// Writes a CSR: applies the WARL mask and any side effect.
pub(crate) type WriteFn = fn(&mut ArchState, u64);

/// One CSR's behaviour.
#[derive(Clone, Copy)]
pub(crate) struct CsrDef {
    /// Read.
    pub read: ReadFn,
    /// Write; `None` for read-only CSRs.
    pub write: Option<WriteFn>,
    /// For the unprivileged counter shadows: the mcounteren/scounteren bit that gates access
    /// from below M (norm:mcounteren_clr_ill_inst_exc).
    pub counter_bit: Option<u32>,
    /// The value a read-modify-write (CSRRS/CSRRC) starts from, when it differs from what a
    /// read returns: `mip`.SEIP reads as the OR with the external signal, but CSRRS/CSRRC
    /// modify only the software-writable bit (norm:mip_seip_rdcsr).
    pub rmw_read: Option<ReadFn>,
}

impl core::fmt::Debug for CsrDef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CsrDef")
            .field("writable", &self.write.is_some())
            .field("counter_bit", &self.counter_bit)
            .finish()
    }
}

/// Storage for the CSRs that hold state. Reset values follow the priv spec's reset rules
/// (norm:warl_rst: WARL fields reset to legal values).
#[derive(Clone, Debug)]
pub(crate) struct CsrFile {
    pub mhartid: u64,
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// Software-written mip bits (SSIP, STIP, the software SEIP).
    pub mip_sw: u64,
    /// Interrupt lines driven by the board (MSIP, MTIP, MEIP, external SEIP).
    pub lines: u64,
    /// The lines that reach mip: SEIP only when S exists (absent interrupts read 0,
    /// norm:mip_bits_rdonly_op).
    pub line_mask: u64,
    pub mtvec: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub mcounteren: u64,
    pub menvcfg: u64,
    pub mcountinhibit: u64,
    pub mcycle: Counter,
    pub minstret: Counter,
    pub pmp: Pmp,
    pub mtval2: u64,
    pub mtinst: u64,
    // Supervisor.
    pub stvec: u64,
    pub sscratch: u64,
    pub sepc: u64,
    pub scause: u64,
    pub stval: u64,
    pub satp: u64,
    pub scounteren: u64,
    pub senvcfg: u64,
    pub stimecmp: u64,
    // Hypervisor.
    pub hstatus: u64,
    pub hedeleg: u64,
    pub hideleg: u64,
    /// `hvip`: VSSIP, VSTIP, VSEIP as written by software (VSSIP also via `mip`/`hip`/`vsip`).
    pub hvip: u64,
    pub hgeie: u64,
    /// `hgeip`: the guest external interrupt lines, driven by the board.
    pub hgeip: u64,
    pub hcounteren: u64,
    pub htimedelta: u64,
    pub htval: u64,
    pub htinst: u64,
    pub hgatp: u64,
    pub henvcfg: u64,
    // Virtual supervisor.
    pub vsstatus: u64,
    pub vstvec: u64,
    pub vsscratch: u64,
    pub vsepc: u64,
    pub vscause: u64,
    pub vstval: u64,
    pub vsatp: u64,
    pub vstimecmp: u64,
    /// Sstc timer outputs: STIP when `time` >= `stimecmp`, VSTIP when `time` + `htimedelta`
    /// >= `vstimecmp`, each only while enabled by STCE (see [`CsrFile::refresh_timers`]).
    pub timer_bits: u64,
    /// Number → definition for this hart's features (built from [`lookup`]).
    pub table: CsrTable,
}

impl CsrFile {
    pub(crate) fn new(hart_id: u64, f: Features) -> Self {
        Self {
            mhartid: hart_id,
            mstatus: mstatus::fixed_bits(f),
            medeleg: 0,
            mideleg: mip::mideleg_ones(f),
            mie: 0,
            mip_sw: 0,
            lines: 0,
            line_mask: if f.s { mip::LINE_BITS } else { mip::M_BITS },
            mtvec: 0,
            mscratch: 0,
            mepc: 0,
            // norm:mcause_rst_zero
            mcause: 0,
            mtval: 0,
            mcounteren: 0,
            menvcfg: 0,
            mcountinhibit: 0,
            mcycle: Counter::default(),
            minstret: Counter::default(),
            pmp: Pmp::default(),
            mtval2: 0,
            mtinst: 0,
            stvec: 0,
            sscratch: 0,
            sepc: 0,
            scause: 0,
            stval: 0,
            satp: 0,
            scounteren: 0,
            senvcfg: 0,
            // Reset value unspecified; all ones so no timer interrupt is pending until
            // software programs the comparator.
            stimecmp: u64::MAX,
            hstatus: hstatus::RESET,
            hedeleg: 0,
            hideleg: 0,
            hvip: 0,
            hgeie: 0,
            hgeip: 0,
            hcounteren: 0,
            htimedelta: 0,
            htval: 0,
            htinst: 0,
            hgatp: 0,
            henvcfg: 0,
            vsstatus: mstatus::VSSTATUS_FIXED,
            vstvec: 0,
            vsscratch: 0,
            vsepc: 0,
            vscause: 0,
            vstval: 0,
            vsatp: 0,
            vstimecmp: u64::MAX,
            timer_bits: 0,
            table: CsrTable::new(f),
        }
    }

    /// The effective `mip` value, the single source of truth for pending interrupts
    /// (priv "Machine Interrupt Registers", hypervisor "hvip, hip and hie"):
    /// - MSIP/MTIP/MEIP: the board's lines;
    /// - SSIP: software; SEIP: software OR the board's line (norm:mip_seip_rdcsr);
    /// - STIP: software while `menvcfg`.STCE = 0, else the `stimecmp` comparator;
    /// - VSSIP: `hvip`.VSSIP; VSTIP: `hvip`.VSTIP OR the `vstimecmp` comparator;
    ///   VSEIP: `hvip`.VSEIP OR the `hgeip` bit selected by `hstatus`.VGEIN;
    /// - SGEIP: `hgeip` AND `hgeie` nonzero.
    #[inline]
    pub(crate) fn mip(&self) -> u64 {
        let stce = self.menvcfg & envcfg::STCE != 0;
        let sw = if stce {
            self.mip_sw & !mip::STI_BIT
        } else {
            self.mip_sw
        };
        let mut v =
            (self.lines & self.line_mask) | sw | self.timer_bits | (self.hvip & mip::HVIP_MASK);
        if (self.hgeip >> hstatus::vgein(self.hstatus)) & 1 != 0
            && hstatus::vgein(self.hstatus) != 0
        {
            v |= mip::VSEI_BIT;
        }
        if self.hgeip & self.hgeie != 0 {
            v |= mip::SGEI_BIT;
        }
        v
    }

    /// Recomputes the Sstc comparator outputs for `time` (norm:mip_sip_stip_op; hypervisor
    /// "vstimecmp": VSTIP from `time` + `htimedelta`, truncated to 64 bits).
    pub(crate) fn refresh_timers(&mut self, time: u64) {
        let mut t = 0;
        if self.menvcfg & envcfg::STCE != 0 {
            if time >= self.stimecmp {
                t |= mip::STI_BIT;
            }
            if self.henvcfg_effective() & envcfg::STCE != 0
                && time.wrapping_add(self.htimedelta) >= self.vstimecmp
            {
                t |= mip::VSTI_BIT;
            }
        }
        self.timer_bits = t;
    }

    /// `henvcfg` as read: ADUE and STCE are read-only zero while clear in `menvcfg`
    /// (norm:menvcfg_adue_rdonly0 and the Sstc rule for STCE).
    #[inline]
    pub(crate) fn henvcfg_effective(&self) -> u64 {
        self.henvcfg & (envcfg::FIOM | (self.menvcfg & (envcfg::ADUE | envcfg::STCE)))
    }
}

/// The definition of CSR `num` on a hart with features `f`, or `None` if it does not exist.
pub(crate) fn lookup(num: u16, f: Features) -> Option<CsrDef> {
    machine::lookup(num, f)
        .or_else(|| supervisor::lookup(num, f))
        .or_else(|| hypervisor::lookup(num, f))
        .or_else(|| trigger::lookup(num))
}

/// A read/write CSR definition.
pub(crate) const fn rw(read: ReadFn, write: WriteFn) -> CsrDef {
    CsrDef {
        read,
        write: Some(write),
        counter_bit: None,
        rmw_read: None,
    }
}

/// A read-only CSR definition.
pub(crate) const fn ro(read: ReadFn) -> CsrDef {
    CsrDef {
        read,
        write: None,
        counter_bit: None,
        rmw_read: None,
    }
}
