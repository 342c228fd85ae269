//! hvsim's RISC-V disassembler against capstone's (capstone 0.13, RV64 + RVC), as an
//! independent check of both the decoder (operands, immediates) and the printer.
//!
//! Sample (deterministic): every 16-bit halfword, and 300 000 32-bit words drawn from a
//! fixed-seed xorshift generator with their major opcode forced to one hvsim implements.
//! Only words hvsim decodes to a legal, non-privileged, non-H instruction are compared
//! (MRET/SRET/WFI/SFENCE.VMA/HFENCE/HLV/HSV are excluded as the brief asks).
//!
//! Known formatting differences, normalised before comparing:
//! - numbers: capstone prints small values in decimal and others in hex, hvsim prints
//!   immediates in decimal; both are parsed back to integers.
//! - branch/jump targets: capstone prints the pc-relative offset, hvsim the absolute target;
//!   everything is disassembled at pc 0 and hvsim's target is read as a signed offset.
//! - `addi rd, zero, 0`: capstone prints `mv rd, zero`, hvsim (like GNU objdump) `li rd, 0`.
//! - trailing blanks after operand-less mnemonics in capstone.
//!
//! Conversely, every word hvsim decodes as Illegal must be one capstone rejects too, or an
//! F/D/Q instruction (hvsim has FS = Off), `c.unimp`, or C.LUI with imm = 0 (capstone accepts
//! it; the spec reserves it, norm:c-lui_rsv).
//!
//! Exclusions where capstone disagrees with the spec (the spec wins, see docs/riscv-isa.md):
//! - FENCE with non-zero rd/rs1 or a reserved fm: capstone rejects them, but the spec says
//!   implementations "shall ignore these fields" and treat reserved fm as a normal fence.
//! - FENCE with an empty predecessor or successor set (incl. PAUSE): capstone prints
//!   `unknown` for the empty set; hvsim prints `0` (and `pause` for PAUSE).
//! - Compressed HINTs that capstone rejects or prints without operands: C.NOP with imm ≠ 0,
//!   and the rd = x0 forms of C.LI, C.LUI, C.MV, C.ADD, C.SLLI (norm:Zca_hints).
//! - CSR numbers 0x001–0x003 (fflags/frm/fcsr): capstone prints F-extension
//!   pseudo-instructions (`frcsr` ...); hvsim has no F, so it prints plain CSR forms.
//! - CSR names: the two name tables cover different CSR sets, so CSR operands are compared
//!   by number; `csr_names_agree_where_both_know_them` checks the names themselves, and
//!   records that capstone swaps pmpaddr13/pmpaddr14.

use capstone::prelude::*;
use hw_models::riscv::csr_num;
use hw_models::riscv::isa::{Insn, Op, decode, disasm::disasm};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

fn capstone() -> Capstone {
    let cs = Capstone::new()
        .riscv()
        .mode(arch::riscv::ArchMode::RiscV64)
        .extra_mode([arch::riscv::ArchExtraMode::RiscVC].iter().copied())
        .build();
    match cs {
        Ok(cs) => cs,
        Err(e) => panic!("capstone init: {e}"),
    }
}

fn cs_text(cs: &Capstone, bytes: &[u8]) -> Option<String> {
    let insns = cs.disasm_count(bytes, 0, 1).ok()?;
    let i = insns.as_ref().first()?;
    if i.len() != bytes.len() {
        return None;
    }
    Some(format!(
        "{} {}",
        i.mnemonic().unwrap_or(""),
        i.op_str().unwrap_or("")
    ))
}

/// Rewrites every numeric token as a signed decimal; collapses blanks.
fn normalise(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let b = s.as_bytes();
    let mut out = String::new();
    let mut k = 0;
    while k < b.len() {
        let prev_word = k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'.');
        let neg = b[k] == b'-' && k + 1 < b.len() && b[k + 1].is_ascii_digit();
        if !prev_word && (b[k].is_ascii_digit() || neg) {
            let start = k;
            k += usize::from(neg);
            let hex = b.get(k..k + 2) == Some(b"0x");
            if hex {
                k += 2;
            }
            let digits = k;
            while k < b.len() && b[k].is_ascii_hexdigit() && (hex || b[k].is_ascii_digit()) {
                k += 1;
            }
            let text = &s[digits..k];
            let mag = u64::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u64::MAX);
            // Absolute targets at pc 0 wrap to the top of the address space: read as i64.
            let v = mag as i64;
            let v = if neg { v.wrapping_neg() } else { v };
            out.push_str(&v.to_string());
            debug_assert!(start < k);
        } else {
            out.push(char::from(b[k]));
            k += 1;
        }
    }
    out
}

fn cs_normalise(s: &str) -> String {
    let n = normalise(s);
    let ops: Vec<&str> = n.split_once(' ').map_or("", |x| x.1).split(", ").collect();
    let mnemonic = n.split(' ').next().unwrap_or("");
    match (mnemonic, ops.as_slice()) {
        // `addi rd, zero, imm`: capstone has no `li` alias and uses `mv` for imm 0.
        ("mv", [rd, "zero"]) => format!("li {rd}, 0"),
        ("addi", [rd, "zero", imm]) => format!("li {rd}, {imm}"),
        // capstone's old LLVM syntax `jalr rd, rs1, imm` for binutils' `jalr rd, imm(rs1)`.
        ("jalr", [rd, rs1, imm]) => format!("jalr {rd}, {imm}({rs1})"),
        _ => n,
    }
}

fn excluded(i: &Insn) -> bool {
    use Op::*;
    match i.op {
        Mret | Sret | Wfi | SfenceVma | HfenceVvma | HfenceGvma | HlvB | HlvBu | HlvH | HlvHu
        | HlvW | HlvWu | HlvD | HlvxHu | HlvxWu | HsvB | HsvH | HsvW | HsvD => true,
        FenceI => i.rd != 0 || i.rs1 != 0 || i.imm != 0,
        Fence => {
            i.rd != 0
                || i.rs1 != 0
                || i.fence_pred() == 0
                || i.fence_succ() == 0
                || !(i.fence_fm() == 0 || i.imm == 0x833)
        }
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => (1..=3).contains(&i.csr()),
        _ if i.len == 2 => compressed_hint_capstone_rejects(i),
        _ => false,
    }
}

fn compressed_hint_capstone_rejects(i: &Insn) -> bool {
    let x = i.raw;
    let (quadrant, f3) = (x & 3, (x >> 13) & 7);
    match (quadrant, f3) {
        (1, 0b000) => i.rd == 0 && i.imm != 0,      // c.nop imm
        (1, 0b010) | (1, 0b011) => i.rd == 0,       // c.li x0 / c.lui x0
        (2, 0b000) => i.rd == 0,                    // c.slli x0
        (2, 0b100) => i.op == Op::Add && i.rd == 0, // c.mv / c.add x0
        _ => false,
    }
}

/// The CSR operand as capstone prints it, for every CSR number.
fn capstone_csr_names(cs: &Capstone) -> Vec<String> {
    (0u32..4096)
        .map(|csr| {
            // csrrs a1, csr, a2
            let w = 0x0000_2073 | (11 << 7) | (12 << 15) | (csr << 20);
            let text = cs_text(cs, &w.to_le_bytes())
                .map(|t| normalise(&t))
                .unwrap_or_default();
            text.split(", ").nth(1).unwrap_or("").to_string()
        })
        .collect()
}

/// Replaces the operand equal to `name` by the CSR number.
fn csr_operand_to_number(text: &str, name: &str, num: u16) -> String {
    let (m, ops) = text.split_once(' ').unwrap_or((text, ""));
    let ops: Vec<String> = ops
        .split(", ")
        .map(|o| {
            if o == name {
                num.to_string()
            } else {
                o.to_string()
            }
        })
        .collect();
    format!("{m} {}", ops.join(", "))
}

/// Encodings capstone decodes that hvsim treats as illegal: F/D/Q (FS is Off in hvsim),
/// `c.unimp` (capstone's name for the all-zero halfword, norm:Zca_illegal), and C.LUI with
/// imm = 0, which capstone accepts although the spec reserves it (norm:c-lui_rsv).
fn capstone_extra(text: &str) -> bool {
    let n = normalise(text);
    let m = n.split(' ').next().unwrap_or("");
    if m == "c.unimp" || (m == "c.lui" && n.ends_with(", 0")) {
        return true;
    }
    let m = m.strip_prefix("c.").unwrap_or(m);
    m.starts_with('f') && !m.starts_with("fence")
}

fn is_csr_op(op: Op) -> bool {
    matches!(
        op,
        Op::Csrrw | Op::Csrrs | Op::Csrrc | Op::Csrrwi | Op::Csrrsi | Op::Csrrci
    )
}

fn compare(
    cs: &Capstone,
    cs_csr: &[String],
    raw: u32,
    bytes: &[u8],
    mismatches: &mut Vec<String>,
) -> bool {
    let i = decode(raw);
    if i.op == Op::Illegal {
        // The converse check: what capstone accepts must be an extension hvsim leaves out.
        if let Some(t) = cs_text(cs, bytes) {
            if !capstone_extra(&t) {
                mismatches.push(format!("{raw:#010x}: hvsim illegal, capstone `{t}`"));
            }
        }
        return false;
    }
    if excluded(&i) {
        return false;
    }
    let mut ours = normalise(&disasm(&i, 0).to_string());
    let mut theirs = cs_text(cs, bytes).map(|t| cs_normalise(&t));
    if is_csr_op(i.op) {
        // The two CSR name tables differ (see `csr_names_agree_where_both_know_them`); compare
        // CSR operands by number.
        let csr = i.csr();
        if let Some(name) = csr_num::name(csr) {
            ours = csr_operand_to_number(&ours, name, csr);
        }
        let cs_name = cs_csr
            .get(usize::from(csr))
            .map(String::as_str)
            .unwrap_or("");
        theirs = theirs.map(|t| csr_operand_to_number(&t, cs_name, csr));
    }
    if theirs.as_deref() != Some(ours.as_str()) {
        mismatches.push(format!("{raw:#010x}: hvsim `{ours}` capstone `{theirs:?}`"));
    }
    true
}

fn report(mismatches: &[String], compared: usize, min: usize) {
    assert!(compared >= min, "only {compared} instructions compared");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_compressed_halfword_matches_capstone() {
    let cs = capstone();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    let cs_csr = Vec::new();
    for x in 0u32..=0xffff {
        if x & 3 == 3 {
            continue;
        }
        if compare(&cs, &cs_csr, x, &(x as u16).to_le_bytes(), &mut mismatches) {
            compared += 1;
        }
    }
    report(&mismatches, compared, 38_000);
}

#[test]
fn random_32bit_words_match_capstone() {
    const OPCODES: [u32; 14] = [
        0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73,
    ];
    let cs = capstone();
    let cs_csr = capstone_csr_names(&cs);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for _ in 0..300_000 {
        let r = rng.next();
        let opcode = OPCODES[(r >> 40) as usize % OPCODES.len()];
        let mut raw = ((r as u32) & !0x7f) | opcode;
        // Bias the R-type funct7 towards the defined values so OP/OP-32/AMO/SYSTEM
        // encodings are well represented.
        if (r >> 50) & 1 == 1 {
            let f7 = [0x00u32, 0x20, 0x01][(r >> 52) as usize % 3];
            raw = (raw & 0x01ff_ffff) | (f7 << 25);
        }
        if compare(&cs, &cs_csr, raw, &raw.to_le_bytes(), &mut mismatches) {
            compared += 1;
        }
    }
    report(&mismatches, compared, 150_000);
}

const CAPSTONE_CSR_NAME_BUGS: [(u16, &str); 2] = [(0x3bd, "pmpaddr14"), (0x3be, "pmpaddr13")];

/// Where both disassemblers name a CSR, the names agree. Capstone's table (LLVM of its era)
/// also names the retired N-extension CSRs (ustatus, uie, utvec ...), sedeleg/sideleg,
/// tdata3 and the RV32-only `*h` counters, and lacks the H-extension CSRs and pmpcfg4+/
/// pmpaddr16+; those are printed by number on one side and are not compared.
///
/// Capstone swaps the names of pmpaddr13 (0x3bd) and pmpaddr14 (0x3be); hvsim follows the
/// spec's numbering.
#[test]
fn csr_names_agree_where_both_know_them() {
    let cs = capstone();
    let cs_csr = capstone_csr_names(&cs);
    let mut both = 0;
    for csr in 0u16..4096 {
        let theirs = cs_csr[usize::from(csr)].as_str();
        let theirs_named = !theirs.is_empty() && !theirs.starts_with(|c: char| c.is_ascii_digit());
        if let (Some(ours), true) = (csr_num::name(csr), theirs_named) {
            if let Some((_, wrong)) = CAPSTONE_CSR_NAME_BUGS.iter().find(|(n, _)| *n == csr) {
                // priv "CSR Listing": pmpaddr0..63 are 0x3B0..0x3EF in order.
                assert_eq!(ours, format!("pmpaddr{}", csr - 0x3b0), "CSR {csr:#x}");
                assert_eq!(theirs, *wrong, "capstone's table changed for CSR {csr:#x}");
            } else {
                assert_eq!(ours, theirs, "CSR {csr:#x}");
            }
            both += 1;
        }
    }
    // mstatus, sstatus, satp, the counters ...: a substantial common set.
    assert!(both >= 100, "only {both} CSR names in common");
}
