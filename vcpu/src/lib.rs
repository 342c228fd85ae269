//! The vCPU layer: an architecture-independent manager ([`VCpu`]) over one architecture
//! vCPU per ISA, written only against hw-models' hardware traits.
#![no_std]

extern crate alloc;

pub mod riscv;
