//! The RISC-V hart model: RV64IMAC with Zicsr, Zifencei, Zicntr, M/S/U modes and the
//! H extension, its MMU and its boards.

pub mod isa;
