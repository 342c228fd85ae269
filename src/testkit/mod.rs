//! `hvsim::testkit`: property-based tests of exit semantics.
//!
//! - [`Program`]: a guest program built in Rust with the ISA encoder (no cross toolchain),
//!   or an ELF from disk; data blocks; MMIO windows left unmapped.
//! - [`TestMachine`]: a one-line machine over the vCPU layer, driven exit by exit: run to
//!   the next exit, to a predicate or to completion; answer an `MmioRead`; read and write
//!   registers, CSRs and guest memory; inject interrupts; the trace digest.
//! - [`strategies`]: proptest strategies (any MMIO access, any SBI call, interrupt vectors,
//!   random terminating programs).
//! - [`trace`]: exit lines, search, and the first divergence of two traces.
//!
//! ```
//! use hvsim::testkit::{Program, TestMachine};
//! use hw_models::riscv::isa::encode::{self, Reg};
//! use vcpu::ExitReason;
//!
//! // lw a0, 4(t0) with t0 = an MMIO window: one MmioRead exit.
//! let prog = Program::riscv(0x8000_0000, |a| {
//!     a.li(Reg::T0, 0x4000_0000);
//!     a.put(encode::lw(Reg::A0, Reg::T0, 4)?);
//!     a.put(encode::wfi());
//!     Ok(())
//! })?
//! .mmio_window(0x4000_0000, 0x1000);
//! let mut m = TestMachine::riscv().vcpus(1).ram_mib(16).program(prog).build()?;
//! let exit = m.run_to_exit()?;
//! assert!(matches!(exit, ExitReason::MmioRead { reg: 10, .. }));
//! m.complete_mmio_read(0xffff_fff0)?;          // lw sign-extends
//! assert_eq!(m.gpr(10), 0xffff_ffff_ffff_fff0);
//! assert!(matches!(m.run_to_exit()?, ExitReason::Halt));
//! # Ok::<(), hvsim::testkit::TestkitError>(())
//! ```
//!
//! See docs/testing-guide.md.

mod fdt;
mod machine;
mod program;
pub mod strategies;
pub mod trace;

pub use machine::{DEFAULT_SLICE, RiscvTestMachine, TestArch, TestMachine, TestMachineBuilder};
pub use program::Program;

/// Why a test machine could not be built or driven.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// `build` without a program.
    #[error("no program given to the test machine")]
    NoProgram,
    /// An impossible configuration.
    #[error("test machine configuration: {0}")]
    Config(&'static str),
    /// The board or its memory refused.
    #[error("test machine board: {0}")]
    Board(String),
    /// A malformed ELF.
    #[error("ELF: {0}")]
    Elf(String),
    /// A file could not be read.
    #[error("{path}: {msg}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        msg: String,
    },
    /// An address (or range) outside guest RAM.
    #[error("guest-physical {0:#x} is not RAM")]
    NotRam(u64),
    /// No such vCPU.
    #[error("no vCPU {0}")]
    NoSuchVCpu(usize),
    /// The vCPU is not bound to its physical CPU (its hart state is not live).
    #[error("vCPU {0} is not bound")]
    NotBound(usize),
    /// `run_until`/`run_to_completion` saw this many exits without finishing.
    #[error("no matching exit within {0} exits")]
    ExitLimit(usize),
    /// A CSR access trapped on the hart.
    #[error("CSR {csr:#x} access trapped (cause {cause})")]
    CsrTrap {
        /// The CSR.
        csr: u16,
        /// The trap cause.
        cause: u64,
    },
    /// The vCPU layer refused.
    #[error("vCPU: {0}")]
    VCpu(#[from] vcpu::VCpuError),
    /// An instruction could not be encoded.
    #[error("encoding: {0}")]
    Encode(#[from] hw_models::riscv::isa::encode::EncodeError),
}
