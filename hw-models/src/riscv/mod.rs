//! The RISC-V hart model: RV64IMAC with Zicsr, Zifencei, Zicntr, M/S/U modes and the
//! H extension, its MMU and its boards.

pub mod board;
pub mod cause;
pub mod csr_num;
pub mod firmware;
pub mod hart;
pub mod hw;
pub mod isa;
pub mod mmu;
// Real instructions instead of the model: only where they exist. On any other target the
// feature compiles to nothing (docs/native.md).
#[cfg(all(feature = "native", target_arch = "riscv64"))]
pub mod native;
pub mod platform;
pub mod privilege;
pub mod virt;

pub use privilege::{Mode, PrivLevel};
