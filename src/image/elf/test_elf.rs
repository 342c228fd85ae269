//! A tiny ELF64 little-endian writer for unit tests. It writes the gABI layouts by hand
//! (not through goblin), so the parser is checked against an independent encoding.

/// `e_machine` of RISC-V (gABI registry).
pub const EM_RISCV: u16 = 243;
/// `e_type` of an executable.
pub const ET_EXEC: u16 = 2;
/// `p_type` of a loadable segment.
const PT_LOAD: u32 = 1;
/// `p_type` of a note segment.
pub const PT_NOTE: u32 = 4;

const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;
const SHDR_SIZE: usize = 64;
const SYM_SIZE: usize = 24;
const SHT_SYMTAB: u32 = 2;
const SHT_STRTAB: u32 = 3;

/// One program header; `offset` is filled in by [`TestElf::build`] unless overridden.
#[derive(Clone, Debug)]
pub struct TestSeg {
    pub p_type: u32,
    pub flags: u32,
    pub vaddr: u64,
    pub paddr: u64,
    pub data: Vec<u8>,
    pub memsz: u64,
    /// Replaces the computed p_offset.
    pub offset: Option<u64>,
    /// Replaces p_filesz (normally `data.len()`).
    pub filesz: Option<u64>,
}

impl TestSeg {
    /// A PT_LOAD segment at `addr` (virtual = physical) holding `data`, `memsz` in memory.
    pub fn load(addr: u64, data: &[u8], memsz: u64, flags: u32) -> Self {
        TestSeg {
            p_type: PT_LOAD,
            flags,
            vaddr: addr,
            paddr: addr,
            data: data.to_vec(),
            memsz,
            offset: None,
            filesz: None,
        }
    }
}

/// A symbol: (name, value, st_info, st_shndx).
pub type TestSym = (&'static str, u64, u8, u16);

/// An ELF64 LE executable under construction.
#[derive(Clone, Debug)]
pub struct TestElf {
    pub machine: u16,
    pub e_type: u16,
    pub entry: u64,
    pub segments: Vec<TestSeg>,
    pub symbols: Vec<TestSym>,
}

impl TestElf {
    /// An executable for `machine` with no segments and no symbols.
    pub fn new(machine: u16, entry: u64) -> Self {
        TestElf {
            machine,
            e_type: ET_EXEC,
            entry,
            segments: Vec::new(),
            symbols: Vec::new(),
        }
    }

    /// Layout: Ehdr, Phdrs, segment data, [strtab, symtab, Shdrs (null, symtab, strtab)].
    pub fn build(&self) -> Vec<u8> {
        let mut out = vec![0u8; EHDR_SIZE + PHDR_SIZE * self.segments.len()];
        let mut offsets = Vec::new();
        for seg in &self.segments {
            align8(&mut out);
            offsets.push(out.len() as u64);
            out.extend_from_slice(&seg.data);
        }
        let (shoff, shnum) = if self.symbols.is_empty() {
            (0u64, 0u16)
        } else {
            align8(&mut out);
            let strtab_off = out.len();
            let mut names = Vec::new();
            out.push(0);
            for (name, ..) in &self.symbols {
                names.push((out.len() - strtab_off) as u32);
                out.extend_from_slice(name.as_bytes());
                out.push(0);
            }
            let strtab_size = out.len() - strtab_off;
            align8(&mut out);
            let symtab_off = out.len();
            out.extend_from_slice(&[0u8; SYM_SIZE]); // null symbol
            for ((_, value, info, shndx), name) in self.symbols.iter().zip(&names) {
                put32(&mut out, *name);
                out.push(*info);
                out.push(0);
                put16(&mut out, *shndx);
                put64(&mut out, *value);
                put64(&mut out, 0);
            }
            let symtab_size = out.len() - symtab_off;
            align8(&mut out);
            let shoff = out.len() as u64;
            out.extend_from_slice(&[0u8; SHDR_SIZE]);
            shdr(&mut out, SHT_SYMTAB, symtab_off, symtab_size, 2, SYM_SIZE);
            shdr(&mut out, SHT_STRTAB, strtab_off, strtab_size, 0, 0);
            (shoff, 3)
        };

        let mut h = Vec::with_capacity(EHDR_SIZE);
        h.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
        h.extend_from_slice(&[0; 8]);
        put16(&mut h, self.e_type);
        put16(&mut h, self.machine);
        put32(&mut h, 1);
        put64(&mut h, self.entry);
        put64(
            &mut h,
            if self.segments.is_empty() {
                0
            } else {
                EHDR_SIZE as u64
            },
        );
        put64(&mut h, shoff);
        put32(&mut h, 0);
        put16(&mut h, EHDR_SIZE as u16);
        put16(&mut h, PHDR_SIZE as u16);
        put16(&mut h, self.segments.len() as u16);
        put16(&mut h, SHDR_SIZE as u16);
        put16(&mut h, shnum);
        put16(&mut h, 0);
        out[..EHDR_SIZE].copy_from_slice(&h);

        for (i, (seg, computed)) in self.segments.iter().zip(offsets).enumerate() {
            let mut p = Vec::with_capacity(PHDR_SIZE);
            put32(&mut p, seg.p_type);
            put32(&mut p, seg.flags);
            put64(&mut p, seg.offset.unwrap_or(computed));
            put64(&mut p, seg.vaddr);
            put64(&mut p, seg.paddr);
            put64(&mut p, seg.filesz.unwrap_or(seg.data.len() as u64));
            put64(&mut p, seg.memsz);
            put64(&mut p, 8);
            let at = EHDR_SIZE + i * PHDR_SIZE;
            out[at..at + PHDR_SIZE].copy_from_slice(&p);
        }
        out
    }
}

fn shdr(out: &mut Vec<u8>, ty: u32, off: usize, size: usize, link: u32, entsize: usize) {
    put32(out, 0); // sh_name
    put32(out, ty);
    put64(out, 0); // sh_flags
    put64(out, 0); // sh_addr
    put64(out, off as u64);
    put64(out, size as u64);
    put32(out, link);
    put32(out, 0); // sh_info
    put64(out, 8); // sh_addralign
    put64(out, entsize as u64);
}

fn align8(out: &mut Vec<u8>) {
    while out.len() % 8 != 0 {
        out.push(0);
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
