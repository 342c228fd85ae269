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
pub mod platform;
pub mod privilege;

pub use privilege::{Mode, PrivLevel};
