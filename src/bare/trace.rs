//! `--trace insn`: one line per retired instruction, exception and interrupt.
//!
//! ```text
//! 0x0000000080000000  00000297  auipc t0, 0x0                  t0=0x0000000080000000
//! 0x00000000800000aa  5501      c.li a0, -32                   a0=0xffffffffffffffe0
//! 0x00000000800002a4  00000073  ecall                          exception 11 (tval 0x0)
//! 0x00000000800002e4                                           interrupt 7
//! ```
//!
//! An interrupt line carries the pc of the instruction that had not started yet.

use std::fmt::Write;

use hw_models::riscv::hart::HartEvent;
use hw_models::riscv::isa::Insn;
use hw_models::riscv::isa::disasm::{ABI_NAMES, disasm};

/// Width of the disassembly column.
const DISASM_COLUMN: usize = 30;

fn encoding(insn: &Insn) -> String {
    if insn.len == 2 {
        format!("{:04x}    ", insn.raw & 0xffff)
    } else {
        format!("{:08x}", insn.raw)
    }
}

/// The disassembly of one instruction (`c.` mnemonics for compressed encodings).
fn disassemble(insn: &Insn, pc: u64) -> String {
    disasm(insn, pc).to_string()
}

/// Formats one event as a trace line (no trailing newline).
pub fn format_event(ev: &HartEvent) -> String {
    let mut s = String::with_capacity(96);
    match *ev {
        HartEvent::Retired { pc, insn, rd } => {
            let text = disassemble(&insn, pc);
            let _ = write!(s, "{pc:#018x}  {}  {text:<DISASM_COLUMN$}", encoding(&insn));
            if let Some((r, v)) = rd {
                let name = ABI_NAMES.get(usize::from(r)).copied().unwrap_or("?");
                let _ = write!(s, " {name}={v:#018x}");
            }
        }
        HartEvent::Exception {
            pc,
            insn,
            cause,
            tval,
        } => {
            let (enc, text) = match insn {
                Some(i) => (encoding(&i), disassemble(&i, pc)),
                None => ("        ".to_string(), "<fetch failed>".to_string()),
            };
            let _ = write!(
                s,
                "{pc:#018x}  {enc}  {text:<DISASM_COLUMN$} exception {cause} (tval {tval:#x})"
            );
        }
        HartEvent::Interrupt { pc, cause } => {
            let _ = write!(
                s,
                "{pc:#018x}  {:8}  {:<DISASM_COLUMN$} interrupt {cause}",
                "", ""
            );
        }
    }
    s.trim_end().to_string()
}
