//! The bare-machine board: one hart in M-mode with RAM, a CLINT, a 16550 UART, the SiFive
//! test finisher and HTIF, as `hvsim run --bare` runs it. See docs/bare-machine.md.

pub mod htif;
