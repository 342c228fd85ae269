//! The hardware hvsim simulates: hart/PE models with their interpreters, MMUs, timers,
//! interrupt lines and plain device models.
//!
//! This crate is hardware only. It traps; it does not know about exit reasons or SBI policy
//! above the firmware it models. The vCPU layer drives it through one hardware trait per
//! architecture, which the `native` feature implements with real instructions instead.
#![no_std]

extern crate alloc;

pub mod dev;
pub mod riscv;
