//! The architectural state of one hart: everything a CSR handler or an instruction may read
//! or write, and nothing of the simulator's caches.

use super::config::Features;
use super::csr::CsrFile;
use crate::riscv::privilege::Mode;

/// Architectural state.
#[derive(Clone, Debug)]
pub(crate) struct ArchState {
    /// x0..x31; x[0] is kept 0 by the executor.
    pub x: [u64; 32],
    /// The pc of the instruction being executed (the next one between instructions).
    pub pc: u64,
    /// Current privilege mode and V bit.
    pub mode: Mode,
    /// The CSR file.
    pub csr: CsrFile,
    /// Monotonic retired-instruction count (the base `minstret`/`mcycle` derive from).
    pub retired: u64,
    /// The LR reservation: the naturally aligned 8-byte physical block reserved by the most
    /// recent LR, if still valid.
    pub reservation: Option<u64>,
    /// Implemented optional features.
    pub features: Features,
    /// `time` latched from the board just before a CSR instruction that names it.
    pub time: u64,
}

impl ArchState {
    pub(crate) fn new(hart_id: u64, reset_pc: u64, features: Features) -> Self {
        Self {
            x: [0; 32],
            pc: reset_pc,
            // norm:M_mode_at_rst
            mode: Mode::M,
            csr: CsrFile::new(hart_id, features),
            retired: 0,
            // norm:ld_rsv_rst: no valid reservation after reset.
            reservation: None,
            features,
            time: 0,
        }
    }
}
