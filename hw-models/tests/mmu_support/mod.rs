//! Shared helpers for the MMU tests: a deterministic PRNG, a word-granular reference memory,
//! an independent reference walker written from the priv spec's translation algorithm, and a
//! random page-table builder.
#![allow(dead_code)]

use std::collections::BTreeMap;

use hw_models::riscv::PrivLevel;
use hw_models::riscv::mmu::{AccessType, Fault, TranslateCtx};
use sim_core::HostPhysAddr;
use sim_core::mem::PhysMem;
use sim_core::width::AccessWidth;

/// Host RAM: 1 GiB at 1 GiB (so one gigapage of it can back a G-stage gigapage).
pub const RAM_BASE: u64 = 0x4000_0000;
pub const RAM_SIZE: u64 = 0x4000_0000;
/// GPA `g` lives at host `RAM_BASE + (g mod 1 GiB)` in every G-stage mapping the builder makes.
pub const GPA_WINDOW: u64 = RAM_SIZE;
/// Where the builder puts VS-level tables (GPA; inside RAM so that hgatp Bare reaches them
/// too), G-stage tables and HS-level tables (host).
pub const VS_TABLES_GPA: u64 = RAM_BASE + 0x0010_0000;
pub const G_TABLES: u64 = RAM_BASE + 0x2000_0000;
pub const S_TABLES: u64 = RAM_BASE + 0x3000_0000;

pub const PTE_V: u64 = 1;
pub const PTE_R: u64 = 2;
pub const PTE_W: u64 = 4;
pub const PTE_X: u64 = 8;
pub const PTE_U: u64 = 16;
pub const PTE_G: u64 = 32;
pub const PTE_A: u64 = 64;
pub const PTE_D: u64 = 128;

pub const SV39: u64 = 8;
pub const SV48: u64 = 9;

pub fn atp(mode: u64, id: u64, ppn: u64) -> u64 {
    (mode << 60) | (id << 44) | ppn
}

/// splitmix64.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// Host memory as a map of 8-byte words; RAM is [RAM_BASE, RAM_BASE + RAM_SIZE), zero unless
/// written.
#[derive(Clone, Debug, Default)]
pub struct RefMem {
    pub words: BTreeMap<u64, u64>,
}

impl RefMem {
    pub fn is_ram(pa: u64) -> bool {
        pa >= RAM_BASE && pa - RAM_BASE < RAM_SIZE
    }
    pub fn read(&self, pa: u64) -> Option<u64> {
        Self::is_ram(pa).then(|| self.words.get(&pa).copied().unwrap_or(0))
    }
    pub fn write(&mut self, pa: u64, v: u64) {
        assert!(Self::is_ram(pa) && pa % 8 == 0, "builder wrote outside RAM");
        self.words.insert(pa, v);
    }
    /// A PhysMem with the same RAM and contents.
    pub fn to_phys(&self) -> PhysMem {
        let mut m = PhysMem::new(RAM_SIZE);
        m.add_ram(HostPhysAddr::new(RAM_BASE), RAM_SIZE).unwrap();
        for (&a, &v) in &self.words {
            m.write(HostPhysAddr::new(a), AccessWidth::Qword, v)
                .unwrap();
        }
        m
    }
    /// Asserts that `m` holds exactly these words (and no other page was touched).
    pub fn assert_same(&self, m: &PhysMem) {
        for (&a, &v) in &self.words {
            let got = m.read(HostPhysAddr::new(a), AccessWidth::Qword).unwrap();
            assert_eq!(got, v, "word at {a:#x}");
        }
        let pages: std::collections::BTreeSet<u64> = self.words.keys().map(|a| a >> 12).collect();
        assert_eq!(m.resident_pages(), pages.len(), "pages touched");
    }
}

// ---------------------------------------------------------------------------------------------
// Reference walker. Written straight from "Virtual Address Translation Process" (priv spec,
// supervisor.adoc) and "Two-Stage Address Translation" (hypervisor.adoc), sharing no code with
// the implementation.
// ---------------------------------------------------------------------------------------------

/// Successful reference translation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RefOk {
    pub pa: u64,
    pub gpa: u64,
    pub global: bool,
    /// log2 of the first-stage page (None: Bare) and of the G-stage page (None: V=0/Bare).
    pub s1_shift: Option<u32>,
    pub g_shift: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    Data,
    ReadPte,
    WritePte,
}

fn levels_of(mode: u64) -> Option<u32> {
    match mode {
        8 => Some(3),
        9 => Some(4),
        _ => None,
    }
}

/// Algorithm step 8 for one stage: R/W/X check.
fn rwx_ok(pte: u64, acc: AccessType, hlvx: bool, mxr: bool) -> bool {
    let r = pte & PTE_R != 0;
    let w = pte & PTE_W != 0;
    let x = pte & PTE_X != 0;
    match acc {
        AccessType::Fetch => x,
        AccessType::Store => w,
        AccessType::Load => {
            if hlvx {
                x
            } else {
                r || (mxr && x)
            }
        }
    }
}

/// Steps 3 (validity/reserved) as a predicate on a PTE value.
fn pte_bad(pte: u64) -> bool {
    let v = pte & PTE_V != 0;
    let r = pte & PTE_R != 0;
    let w = pte & PTE_W != 0;
    let x = pte & PTE_X != 0;
    let high_reserved = pte >> 54 != 0;
    let pointer = !r && !x;
    let pointer_reserved = pointer && pte & (PTE_A | PTE_D | PTE_U) != 0;
    !v || (w && !r) || high_reserved || pointer_reserved
}

fn ref_g(
    mem: &mut RefMem,
    ctx: &TranslateCtx,
    acc: AccessType,
    gpa: u64,
    why: Why,
) -> Result<(u64, Option<u32>), Fault> {
    let gpf = Fault::GuestPage {
        access: acc,
        gpa,
        implicit: why != Why::Data,
        pte_write: why == Why::WritePte,
    };
    let mode = ctx.hgatp >> 60;
    if mode == 0 {
        return Ok((gpa, None));
    }
    let levels = levels_of(mode).ok_or(gpf)?;
    let width = 12 + 9 * levels + 2;
    if gpa >> width != 0 {
        return Err(gpf);
    }
    let root = (ctx.hgatp & ((1 << 44) - 1) & !3) << 12;
    let mut a = root;
    let mut i = levels as i64 - 1;
    loop {
        let idx_bits = if i == levels as i64 - 1 { 11 } else { 9 };
        let idx = (gpa >> (12 + 9 * i)) & ((1 << idx_bits) - 1);
        let addr = a + idx * 8;
        let Some(pte) = mem.read(addr) else {
            return Err(Fault::Access {
                access: acc,
                pa: addr,
            });
        };
        if pte_bad(pte) {
            return Err(gpf);
        }
        if pte & (PTE_R | PTE_X) == 0 {
            i -= 1;
            if i < 0 {
                return Err(gpf);
            }
            a = ((pte >> 10) & ((1 << 44) - 1)) << 12;
            continue;
        }
        let ppn = (pte >> 10) & ((1 << 44) - 1);
        if i > 0 && ppn & ((1 << (9 * i)) - 1) != 0 {
            return Err(gpf);
        }
        // G-stage: always a U-mode access.
        if pte & PTE_U == 0 {
            return Err(gpf);
        }
        let (ok, store) = match why {
            Why::Data => (
                rwx_ok(pte, acc, ctx.hlvx, ctx.hs_mxr),
                acc == AccessType::Store,
            ),
            Why::ReadPte => (pte & PTE_R != 0, false),
            Why::WritePte => (pte & PTE_W != 0, true),
        };
        if !ok {
            return Err(gpf);
        }
        let mut pte = pte;
        if pte & PTE_A == 0 || (store && pte & PTE_D == 0) {
            if !ctx.g_adue {
                return Err(gpf);
            }
            pte |= PTE_A;
            if store {
                pte |= PTE_D;
            }
            mem.write(addr, pte);
        }
        let shift = 12 + 9 * i as u32;
        let pa = ((ppn << 12) & !((1u64 << shift) - 1)) | (gpa & ((1u64 << shift) - 1));
        return Ok((pa, Some(shift)));
    }
}

pub fn ref_translate(
    mem: &mut RefMem,
    ctx: &TranslateCtx,
    va: u64,
    acc: AccessType,
) -> Result<RefOk, Fault> {
    if ctx.privilege == PrivLevel::Machine {
        return Ok(RefOk {
            pa: va,
            gpa: va,
            global: false,
            s1_shift: None,
            g_shift: None,
        });
    }
    let hlvx = ctx.hlvx && acc == AccessType::Load;
    let c = TranslateCtx { hlvx, ..*ctx };
    let ctx = &c;
    let pf = Fault::Page(acc);
    let mode = ctx.atp >> 60;
    let (gpa, global, s1_shift) = if mode == 0 {
        (va, false, None)
    } else {
        let levels = levels_of(mode).ok_or(pf)?;
        let vabits = 12 + 9 * levels;
        let top = (va as i64) >> (vabits - 1);
        if top != 0 && top != -1 {
            return Err(pf);
        }
        let mut a = (ctx.atp & ((1 << 44) - 1)) << 12;
        let mut i = levels as i64 - 1;
        let mut global = false;
        loop {
            let pte_addr = a + ((va >> (12 + 9 * i)) & 511) * 8;
            let host = if ctx.virt {
                ref_g(mem, ctx, acc, pte_addr, Why::ReadPte)?.0
            } else {
                pte_addr
            };
            let Some(pte) = mem.read(host) else {
                return Err(Fault::Access {
                    access: acc,
                    pa: host,
                });
            };
            if pte_bad(pte) {
                return Err(pf);
            }
            if pte & PTE_G != 0 {
                global = true;
            }
            if pte & (PTE_R | PTE_X) == 0 {
                i -= 1;
                if i < 0 {
                    return Err(pf);
                }
                a = ((pte >> 10) & ((1 << 44) - 1)) << 12;
                continue;
            }
            let ppn = (pte >> 10) & ((1 << 44) - 1);
            if i > 0 && ppn & ((1 << (9 * i)) - 1) != 0 {
                return Err(pf);
            }
            // Step 6: the U bit against the privilege, SUM and MXR.
            let u = pte & PTE_U != 0;
            let allowed_by_u = if ctx.privilege == PrivLevel::User {
                u
            } else if u {
                ctx.sum && acc != AccessType::Fetch
            } else {
                true
            };
            if !allowed_by_u || !rwx_ok(pte, acc, hlvx, ctx.mxr) {
                return Err(pf);
            }
            let store = acc == AccessType::Store;
            if pte & PTE_A == 0 || (store && pte & PTE_D == 0) {
                if !ctx.adue {
                    return Err(pf);
                }
                let whost = if ctx.virt {
                    ref_g(mem, ctx, acc, pte_addr, Why::WritePte)?.0
                } else {
                    host
                };
                let now = mem.read(whost).ok_or(Fault::Access {
                    access: acc,
                    pa: whost,
                })?;
                if now != pte {
                    // The G-stage update changed it: start this level again.
                    continue;
                }
                let mut new = pte | PTE_A;
                if store {
                    new |= PTE_D;
                }
                mem.write(whost, new);
            }
            let shift = 12 + 9 * i as u32;
            let out = ((ppn << 12) & !((1u64 << shift) - 1)) | (va & ((1u64 << shift) - 1));
            break (out, global, Some(shift));
        }
    };
    if !ctx.virt {
        return Ok(RefOk {
            pa: gpa,
            gpa,
            global,
            s1_shift,
            g_shift: None,
        });
    }
    let (pa, g_shift) = ref_g(mem, ctx, acc, gpa, Why::Data)?;
    Ok(RefOk {
        pa,
        gpa,
        global,
        s1_shift,
        g_shift,
    })
}

// ---------------------------------------------------------------------------------------------
// Random page-table builder.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
    /// HS-level (V=0) first stage: table addresses are host addresses.
    S,
    /// VS-stage: table addresses are GPAs, reached through the G-stage.
    Vs,
    /// G-stage.
    G,
}

#[derive(Debug)]
pub struct Builder {
    pub rng: Rng,
    pub mem: RefMem,
    pub s_mode: u64,
    pub g_mode: u64,
    pub s_root: u64,
    pub g_root: u64,
    next_s: u64,
    next_g: u64,
    next_vs: u64,
    /// Percent chance that any written PTE gets a random defect.
    pub defect_pct: u64,
    /// Building the G-stage mapping of a VS-level table page.
    for_table: bool,
}

impl Builder {
    /// `s_mode`: satp/vsatp MODE, `g_mode`: hgatp MODE (0 with V=0). Roots are allocated.
    pub fn new(seed: u64, s_mode: u64, g_mode: u64, virt: bool) -> Self {
        let mut b = Builder {
            rng: Rng(seed),
            mem: RefMem::default(),
            s_mode,
            g_mode,
            s_root: 0,
            g_root: 0,
            next_s: S_TABLES,
            next_g: G_TABLES,
            next_vs: VS_TABLES_GPA,
            defect_pct: 4,
            for_table: false,
        };
        if g_mode != 0 {
            b.g_root = b.next_g;
            b.next_g += 0x4000;
        }
        if s_mode != 0 {
            b.s_root = if virt {
                b.alloc_vs_table()
            } else {
                b.alloc_s_table()
            };
        }
        b
    }

    pub fn satp(&self, asid: u64) -> u64 {
        if self.s_mode == 0 {
            0
        } else {
            atp(self.s_mode, asid, self.s_root >> 12)
        }
    }

    pub fn hgatp(&self, vmid: u64) -> u64 {
        if self.g_mode == 0 {
            0
        } else {
            atp(self.g_mode, vmid, self.g_root >> 12)
        }
    }

    fn alloc_s_table(&mut self) -> u64 {
        let a = self.next_s;
        self.next_s += 0x1000;
        a
    }

    fn alloc_g_table(&mut self) -> u64 {
        let a = self.next_g;
        self.next_g += 0x1000;
        a
    }

    /// A new VS-level table page at a fresh GPA, G-mapped (usually validly).
    fn alloc_vs_table(&mut self) -> u64 {
        let gpa = self.next_vs;
        self.next_vs += 0x1000;
        if self.g_mode != 0 {
            self.map_g(gpa, true);
        }
        gpa
    }

    /// Host address of a table address of `stage`.
    fn host_of(&self, stage: Stage, addr: u64) -> u64 {
        match stage {
            Stage::S | Stage::G => addr,
            Stage::Vs if self.g_mode == 0 => addr,
            Stage::Vs => RAM_BASE + (addr % GPA_WINDOW),
        }
    }

    fn levels(&self, stage: Stage) -> u32 {
        let mode = if stage == Stage::G {
            self.g_mode
        } else {
            self.s_mode
        };
        if mode == SV48 { 4 } else { 3 }
    }

    fn defect(&mut self, pte: u64, leaf: bool) -> u64 {
        if !self.rng.chance(self.defect_pct) {
            return pte;
        }
        match self.rng.below(6) {
            0 => pte & !PTE_V,
            1 => (pte & !PTE_R) | PTE_W,
            2 => pte | (1 << (54 + self.rng.below(10))),
            3 if !leaf => pte | [PTE_A, PTE_D, PTE_U][self.rng.below(3) as usize],
            4 if leaf => pte | (1 << 10), // misaligns a superpage PPN
            _ => pte & !(PTE_R | PTE_W | PTE_X), // turns a leaf into a pointer (or keeps one)
        }
    }

    /// Random leaf flags for a first-stage or G-stage leaf.
    fn leaf_flags(&mut self, g: bool) -> u64 {
        // Percent chance of R, W, X, U, A, D. G-stage leaves that back VS-level tables are
        // mostly usable so that two-stage walks get deep.
        let p: [u64; 6] = match (g, self.for_table) {
            (true, true) => [88, 70, 50, 97, 90, 60],
            (true, false) => [85, 85, 85, 90, 85, 85],
            (false, _) => [65, 60, 60, 60, 70, 60],
        };
        let mut f = PTE_V;
        for (bit, pct) in [PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D]
            .into_iter()
            .zip(p)
        {
            if self.rng.chance(pct) {
                f |= bit;
            }
        }
        if self.rng.chance(15) {
            f |= PTE_G;
        }
        if f & (PTE_R | PTE_X) == 0 {
            f |= if self.rng.bool() { PTE_R } else { PTE_X };
        }
        // Mostly keep W-with-R legal; defects add the reserved combination.
        if f & PTE_W != 0 {
            f |= PTE_R;
        }
        f
    }

    /// Builds (or extends) the walk of `addr` in `stage` down to a random leaf level whose
    /// output is `out` aligned to that level. Existing valid pointers are followed.
    fn build(&mut self, stage: Stage, addr: u64, out_for: &mut dyn FnMut(&mut Self, u32) -> u64) {
        let levels = self.levels(stage);
        // G-stage leaves stay at or below 1 GiB: the GPA window is backed by 1 GiB of RAM, and
        // a kept 512 GiB G-stage leaf would cover every table (terapages: unit tests).
        let max_leaf = if stage == Stage::G {
            levels.min(3)
        } else {
            levels
        };
        let leaf_level = self.rng.below(max_leaf as u64) as u32;
        let mut table = match stage {
            Stage::G => self.g_root,
            _ => self.s_root,
        };
        let mut level = levels - 1;
        loop {
            let bits = if stage == Stage::G && level == levels - 1 {
                11
            } else {
                9
            };
            let idx = (addr >> (12 + 9 * level)) & ((1 << bits) - 1);
            let pte_addr = table + idx * 8;
            let host = self.host_of(stage, pte_addr);
            if level == leaf_level {
                let out = out_for(self, level);
                let mask = (1u64 << (12 + 9 * level)) - 1;
                let pte = ((out & !mask) >> 12 << 10) | self.leaf_flags(stage == Stage::G);
                let pte = self.defect(pte, true);
                self.mem.write(host, pte);
                return;
            }
            let cur = self.mem.read(host).unwrap_or(0);
            // Keep an existing superpage that already maps `addr` (always in the G-stage, so
            // VS-level tables stay reachable; half the time in a first stage).
            let keep = stage == Stage::G || self.rng.bool();
            if keep && cur & PTE_V != 0 && cur & (PTE_R | PTE_X) != 0 && !pte_bad(cur) {
                return;
            }
            let target = ((cur >> 10) & ((1 << 44) - 1)) << 12;
            let followable = stage == Stage::Vs || RefMem::is_ram(target);
            if cur & PTE_V != 0 && cur & (PTE_R | PTE_X) == 0 && !pte_bad(cur) && followable {
                table = target;
                level -= 1;
                continue;
            }
            let next = match stage {
                Stage::S => self.alloc_s_table(),
                Stage::G => self.alloc_g_table(),
                Stage::Vs => self.alloc_vs_table(),
            };
            let mut pte = (next >> 12 << 10) | PTE_V;
            if self.rng.chance(10) {
                pte |= PTE_G;
            }
            // A pointer outside RAM (host stages only) gives access faults.
            if stage != Stage::Vs && self.rng.chance(2) {
                pte = (0x1000_0000 >> 12 << 10) | PTE_V;
            }
            let pte = self.defect(pte, false);
            self.mem.write(host, pte);
            table = next;
            level -= 1;
        }
    }

    /// G-maps the page of `gpa` to host `RAM_BASE + gpa mod 1 GiB` (biased valid for tables).
    pub fn map_g(&mut self, gpa: u64, table: bool) {
        let saved = self.defect_pct;
        if table {
            self.defect_pct = 1;
        }
        self.for_table = table;
        self.build(Stage::G, gpa, &mut |b, level| {
            // Gigapages and bigger are only RAM-backed at level <= 2; above that the
            // misalignment is itself a test case.
            let _ = (b, level);
            RAM_BASE + (gpa % GPA_WINDOW)
        });
        self.defect_pct = saved;
        self.for_table = false;
    }

    /// Maps `va` in the first stage to a random output; for two-stage also G-maps the output.
    pub fn map_va(&mut self, va: u64, virt: bool) {
        let stage = if virt { Stage::Vs } else { Stage::S };
        let mut outs = Vec::new();
        self.build(stage, va, &mut |b, level| {
            let out = if virt {
                b.random_gpa()
            } else {
                b.rng.next() & ((1 << 56) - 1)
            };
            let mask = (1u64 << (12 + 9 * level)) - 1;
            let out = (out & !mask) | (va & mask);
            outs.push(out);
            out
        });
        if virt && self.g_mode != 0 {
            for o in outs {
                if self.rng.chance(85) {
                    self.map_g(o, false);
                }
            }
        }
    }

    /// A random guest-physical address: mostly small, sometimes anywhere within the G-stage
    /// width (reaching the extra root-index bits of Sv39x4/Sv48x4), sometimes too wide.
    pub fn random_gpa(&mut self) -> u64 {
        let width = if self.g_mode == SV48 { 50 } else { 41 };
        match self.rng.below(10) {
            0 => self.rng.next() & ((1 << 56) - 1),
            1..=3 => self.rng.next() & ((1 << width) - 1),
            _ => self.rng.below(1 << 31),
        }
    }

    /// A random virtual address: canonical for `s_mode` (mostly), or any GPA-like value for
    /// Bare.
    pub fn random_va(&mut self) -> u64 {
        let r = self.rng.next();
        if self.s_mode == 0 {
            return if self.rng.chance(10) {
                r
            } else {
                self.random_gpa()
            };
        }
        let bits = if self.s_mode == SV48 { 48 } else { 39 };
        if self.rng.chance(8) {
            return r;
        }
        (((r << (64 - bits)) as i64) >> (64 - bits)) as u64
    }
}

/// A random context for the given translation registers.
pub fn random_ctx(rng: &mut Rng, atp: u64, hgatp: u64, virt: bool) -> TranslateCtx {
    let adue = rng.chance(50);
    TranslateCtx {
        atp,
        hgatp,
        virt,
        privilege: if rng.bool() {
            PrivLevel::User
        } else {
            PrivLevel::Supervisor
        },
        sum: rng.bool(),
        mxr: rng.bool(),
        hs_mxr: rng.bool(),
        hlvx: rng.chance(20),
        adue,
        g_adue: rng.chance(50),
    }
}

pub fn random_access(rng: &mut Rng) -> AccessType {
    [AccessType::Fetch, AccessType::Load, AccessType::Store][rng.below(3) as usize]
}
