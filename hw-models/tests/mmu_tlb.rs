//! TLB tests: tagging, hit-path checks, and the exact effect of every flush operation.

mod mmu_support;

use hw_models::riscv::PrivLevel;
use hw_models::riscv::mmu::{AccessType, Fault, Leaf, Tlb, TranslateCtx, Translation};
use mmu_support::*;
use proptest::prelude::{ProptestConfig, any, prop_assert_eq, proptest};
use sim_core::HostPhysAddr;

const ALL: u8 = (PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D) as u8;

/// One cached translation as the model sees it.
#[derive(Clone, Copy, Debug)]
struct ModelEntry {
    virt: bool,
    vmid: u64,
    asid: u64,
    global: bool,
    /// None: first stage Bare (virt only).
    s1_shift: Option<u8>,
    /// None: G-stage Bare (or V=0).
    g_shift: Option<u8>,
    va: u64,
    gpa: u64,
}

impl ModelEntry {
    fn ctx(&self) -> TranslateCtx {
        let first = match self.s1_shift {
            Some(_) => atp(SV39, self.asid, 0),
            None => 0,
        };
        let hgatp = if self.virt {
            let mode = if self.g_shift.is_some() { SV39 } else { 0 };
            atp(mode, self.vmid, 0)
        } else {
            0
        };
        TranslateCtx {
            atp: first,
            hgatp,
            virt: self.virt,
            ..TranslateCtx::bare(PrivLevel::User)
        }
    }
    fn translation(&self) -> Translation {
        let leaf = |s: u8| Leaf {
            flags: ALL,
            page_shift: s,
        };
        Translation {
            pa: HostPhysAddr::new(RAM_BASE | (self.va & 0xfff)),
            gpa: self.gpa,
            s1: self.s1_shift.map(leaf),
            g: self.g_shift.map(leaf),
            global: self.global,
        }
    }
    fn s1_covers(&self, va: u64) -> bool {
        match self.s1_shift {
            None => true,
            Some(s) => self.va >> s == va >> s,
        }
    }
    fn g_covers(&self, gpa: u64) -> bool {
        match self.g_shift {
            None => false,
            Some(s) => self.gpa >> s == gpa >> s,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Sfence {
        virt: bool,
        vmid: u64,
        va: Option<u64>,
        asid: Option<u64>,
    },
    Vvma {
        vmid: u64,
        va: Option<u64>,
        asid: Option<u64>,
    },
    Gvma {
        vmid: Option<u64>,
        gpa: Option<u64>,
    },
    All,
}

/// Whether `op` must remove `e`, from the fence definitions: norm:sfence_vma_all_asid_va,
/// norm:sfence_vma_asid_only, norm:sfence_vma_va_all_asid, norm:sfence_vma_va_asid (global
/// entries survive an ASID-specific fence), norm:sfence_vma_v0/v1 (V and VMID select the
/// structures), norm:hfence-vvma_mode, norm:hfence-gvma_op (entries whose G-stage mapping
/// covers the GPA). Documented over-flush: V=1 entries with a Bare first stage go with every
/// VS-level fence of their VMID.
fn removes(op: Op, e: &ModelEntry) -> bool {
    let vs_fence = |virt: bool, vmid: u64, va: Option<u64>, asid: Option<u64>| {
        if e.virt != virt || (virt && e.vmid != vmid) {
            return false;
        }
        if e.s1_shift.is_none() {
            return true;
        }
        let asid_hit = match asid {
            None => true,
            Some(a) => !e.global && e.asid == a,
        };
        let va_hit = va.is_none_or(|v| e.s1_covers(v));
        asid_hit && va_hit
    };
    match op {
        Op::Sfence {
            virt,
            vmid,
            va,
            asid,
        } => vs_fence(virt, vmid, va, asid),
        Op::Vvma { vmid, va, asid } => vs_fence(true, vmid, va, asid),
        Op::Gvma { vmid, gpa } => {
            e.virt && vmid.is_none_or(|v| v == e.vmid) && gpa.is_none_or(|g| e.g_covers(g))
        }
        Op::All => true,
    }
}

fn apply(tlb: &mut Tlb, op: Op) {
    match op {
        Op::Sfence {
            virt,
            vmid,
            va,
            asid,
        } => tlb.sfence_vma(virt, vmid, va, asid),
        Op::Vvma { vmid, va, asid } => tlb.hfence_vvma(vmid, va, asid),
        Op::Gvma { vmid, gpa } => tlb.hfence_gvma(vmid, gpa),
        Op::All => tlb.flush_all(),
    }
}

const CAP: usize = 64;

fn random_entries(rng: &mut Rng, only_4k: bool) -> Vec<ModelEntry> {
    let n = 1 + rng.below(40) as usize;
    // Distinct slots so the direct-mapped array never evicts.
    let mut slots: Vec<u64> = (0..CAP as u64).collect();
    for i in (1..slots.len()).rev() {
        slots.swap(i, rng.below(i as u64 + 1) as usize);
    }
    (0..n)
        .map(|i| {
            let virt = rng.bool();
            let shift = |rng: &mut Rng| -> u8 {
                if only_4k {
                    12
                } else {
                    [12u8, 12, 21, 30, 39][rng.below(5) as usize]
                }
            };
            let s1_shift = if virt && rng.chance(10) {
                None
            } else {
                Some(shift(rng))
            };
            let g_shift = if virt && !rng.chance(10) {
                Some(shift(rng).min(30))
            } else {
                None
            };
            let high = rng.below(1 << 20) << 18;
            let va = ((high | (slots[i] << 12)) & ((1 << 38) - 1)) | rng.below(0x1000);
            ModelEntry {
                virt,
                vmid: if virt { rng.below(3) } else { 0 },
                asid: rng.below(3),
                global: rng.chance(20),
                s1_shift,
                g_shift,
                va,
                // Same page offset as the VA; for V=0 the first-stage output is the PA.
                gpa: if virt {
                    (rng.below(1 << 40) & !0xfff) | (va & 0xfff)
                } else {
                    RAM_BASE | (va & 0xfff)
                },
            }
        })
        .collect()
}

fn random_op(rng: &mut Rng, es: &[ModelEntry]) -> Op {
    let pick = |rng: &mut Rng| es[rng.below(es.len() as u64) as usize];
    // An address inside (or near) some entry's page, at a random distance.
    let near = |rng: &mut Rng, base: u64| {
        let bits = rng.below(40);
        if rng.chance(10) {
            base & !0xfff
        } else {
            base ^ rng.below(1 << bits)
        }
    };
    let opt = |rng: &mut Rng, v: u64| if rng.bool() { Some(v) } else { None };
    match rng.below(7) {
        0 | 1 => {
            let e = pick(rng);
            let va = near(rng, e.va);
            let asid = rng.below(3);
            Op::Sfence {
                virt: rng.bool(),
                vmid: rng.below(3),
                va: opt(rng, va),
                asid: opt(rng, asid),
            }
        }
        2 | 3 => {
            let e = pick(rng);
            let va = near(rng, e.va);
            let asid = rng.below(3);
            Op::Vvma {
                vmid: rng.below(3),
                va: opt(rng, va),
                asid: opt(rng, asid),
            }
        }
        4 | 5 => {
            let e = pick(rng);
            let gpa = near(rng, e.gpa);
            let vmid = rng.below(3);
            Op::Gvma {
                vmid: opt(rng, vmid),
                gpa: opt(rng, gpa),
            }
        }
        _ => Op::All,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every flush removes exactly the entries its definition requires and nothing else
    /// (norm:sfence_vma_all_asid_va, norm:sfence_vma_asid_only, norm:sfence_vma_va_all_asid,
    /// norm:sfence_vma_va_asid, norm:sfence_vma_v0, norm:sfence_vma_v1, norm:hfence-vvma_mode,
    /// norm:hfence-vvma_limits, norm:hfence-gvma_op), across superpages of both stages, global
    /// entries, V, VMIDs and ASIDs; a sequence of flushes composes.
    #[test]
    fn flushes_remove_exactly_what_they_must(seed in any::<u64>(), only_4k in any::<bool>()) {
        let mut rng = Rng(seed);
        let mut model = random_entries(&mut rng, only_4k);
        let mut tlb = Tlb::new(CAP);
        for e in &model {
            tlb.insert(&e.ctx(), e.va, &e.translation());
        }
        prop_assert_eq!(tlb.len(), model.len());
        for _ in 0..3 {
            let op = random_op(&mut rng, &model);
            apply(&mut tlb, op);
            model.retain(|e| !removes(op, e));
            prop_assert_eq!(tlb.len(), model.len(), "after {:?}", op);
            for e in &model {
                let hit = tlb.lookup(&e.ctx(), e.va, AccessType::Load);
                prop_assert_eq!(hit, Some(e.translation()), "survivor {:?} after {:?}", e, op);
            }
            if model.is_empty() {
                break;
            }
        }
    }
}

// --- Unit tests on real page tables -------------------------------------------------------

fn sv39_env(flags: u64) -> (Builder, u64) {
    // A one-page Sv39 mapping of VA 0x4000 to host 0x4000_9000, through the builder's tables.
    let mut b = Builder::new(1, SV39, 0, false);
    b.defect_pct = 0;
    let root = b.s_root;
    let l1 = root + 0x1000;
    let l0 = root + 0x2000;
    b.mem.write(root, (l1 >> 12 << 10) | PTE_V);
    b.mem.write(l1, (l0 >> 12 << 10) | PTE_V);
    b.mem.write(l0 + 4 * 8, (0x4000_9000 >> 12 << 10) | flags);
    (b, l0 + 4 * 8)
}

fn s(atp: u64) -> TranslateCtx {
    TranslateCtx {
        atp,
        ..TranslateCtx::bare(PrivLevel::Supervisor)
    }
}

/// Global mappings match every ASID; others only their own (satp.ASID tagging,
/// norm:sfence_vma_asid_effect: an ASID change takes effect immediately).
#[test]
fn global_entries_match_every_asid() {
    for (g, other_asid_hits) in [(PTE_G, true), (0, false)] {
        let (b, _) = sv39_env(PTE_V | PTE_R | PTE_A | PTE_D | g);
        let mut mem = b.mem.to_phys();
        let mut tlb = Tlb::default();
        tlb.translate(&mut mem, &s(b.satp(1)), 0x4000, AccessType::Load)
            .unwrap();
        assert!(
            tlb.lookup(&s(b.satp(1)), 0x4000, AccessType::Load)
                .is_some()
        );
        assert_eq!(
            tlb.lookup(&s(b.satp(2)), 0x4000, AccessType::Load)
                .is_some(),
            other_asid_hits
        );
    }
}

/// Entries are tagged by V and VMID: a V=0 entry never serves a V=1 access and a VMID never
/// sees another VMID's entries; a V=1 entry made with vsatp Bare never serves a paged vsatp
/// (norm:sfence_vma_mode_effect).
#[test]
fn virt_vmid_and_bare_tags() {
    let mut tlb = Tlb::new(16);
    let t = Translation::identity(0x4000_1000);
    let v0 = s(atp(SV39, 0, 0));
    let v1 = |vmid, a| TranslateCtx {
        virt: true,
        hgatp: atp(0, vmid, 0),
        ..s(a)
    };
    tlb.insert(
        &v0,
        0x1000,
        &Translation {
            s1: Some(Leaf {
                flags: ALL & !(PTE_U as u8),
                page_shift: 12,
            }),
            ..t
        },
    );
    assert!(tlb.lookup(&v0, 0x1000, AccessType::Load).is_some());
    assert!(
        tlb.lookup(&v1(0, atp(SV39, 0, 0)), 0x1000, AccessType::Load)
            .is_none()
    );
    tlb.flush_all();
    tlb.insert(&v1(1, 0), 0x1000, &t);
    assert!(tlb.lookup(&v1(1, 0), 0x1000, AccessType::Load).is_some());
    assert!(tlb.lookup(&v1(2, 0), 0x1000, AccessType::Load).is_none());
    assert!(
        tlb.lookup(&v1(1, atp(SV39, 0, 0)), 0x1000, AccessType::Load)
            .is_none()
    );
    assert!(tlb.lookup(&v0, 0x1000, AccessType::Load).is_none());
}

/// A store hitting an entry whose D is clear walks again: Svadu sets D in memory
/// (norm:menvcfg_adue_op); Svade faults (norm:svade_access_ad_bit_clear).
#[test]
fn store_to_clean_entry_walks() {
    let (b, leaf) = sv39_env(PTE_V | PTE_R | PTE_W | PTE_A);
    let mut mem = b.mem.to_phys();
    let mut tlb = Tlb::default();
    let svade = s(b.satp(0));
    let svadu = TranslateCtx {
        adue: true,
        ..svade
    };
    tlb.translate(&mut mem, &svade, 0x4000, AccessType::Load)
        .unwrap();
    assert!(tlb.lookup(&svade, 0x4000, AccessType::Store).is_none());
    assert_eq!(
        tlb.translate(&mut mem, &svade, 0x4000, AccessType::Store),
        Err(Fault::Page(AccessType::Store))
    );
    tlb.translate(&mut mem, &svadu, 0x4008, AccessType::Store)
        .unwrap();
    let pte = mem
        .read(HostPhysAddr::new(leaf), sim_core::AccessWidth::Qword)
        .unwrap();
    assert_eq!(pte & (PTE_A | PTE_D), PTE_A | PTE_D);
    // Now the entry is dirty: stores hit.
    let before = tlb.stats();
    tlb.translate(&mut mem, &svade, 0x4010, AccessType::Store)
        .unwrap();
    assert_eq!(tlb.stats().hits, before.hits + 1);
}

/// Privilege, SUM and MXR are re-checked on every hit (norm:sfence_vma_sum_mxr_effect: they
/// take effect without a fence).
#[test]
fn hit_rechecks_sum_and_privilege() {
    let (b, _) = sv39_env(PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
    let mut mem = b.mem.to_phys();
    let mut tlb = Tlb::default();
    let sum = TranslateCtx {
        sum: true,
        ..s(b.satp(0))
    };
    tlb.translate(&mut mem, &sum, 0x4000, AccessType::Load)
        .unwrap();
    let nosum = s(b.satp(0));
    assert_eq!(
        tlb.translate(&mut mem, &nosum, 0x4000, AccessType::Load),
        Err(Fault::Page(AccessType::Load))
    );
    let user = TranslateCtx {
        privilege: PrivLevel::User,
        ..nosum
    };
    assert!(
        tlb.translate(&mut mem, &user, 0x4000, AccessType::Load)
            .is_ok()
    );
    assert_eq!(
        tlb.translate(&mut mem, &user, 0x4000, AccessType::Fetch),
        Err(Fault::Page(AccessType::Fetch))
    );
}

/// Entries may be stale until a matching fence (norm:sfence_vma_ordering_semantics); the
/// matching SFENCE.VMA makes the new PTE visible, and a non-matching one (other ASID, other
/// page, a non-canonical VA, norm:sfence_vma_invalid_va) does not.
#[test]
fn stale_until_matching_fence() {
    let (b, leaf) = sv39_env(PTE_V | PTE_R | PTE_A | PTE_D);
    let mut mem = b.mem.to_phys();
    let mut tlb = Tlb::default();
    let c = s(b.satp(5));
    assert_eq!(
        tlb.translate(&mut mem, &c, 0x4000, AccessType::Load)
            .unwrap()
            .pa
            .as_u64(),
        0x4000_9000
    );
    mem.write(
        HostPhysAddr::new(leaf),
        sim_core::AccessWidth::Qword,
        (0x4000_a000 >> 12 << 10) | PTE_V | PTE_R | PTE_A | PTE_D,
    )
    .unwrap();
    let pa = |tlb: &mut Tlb, mem: &mut sim_core::mem::PhysMem| {
        tlb.translate(mem, &c, 0x4000, AccessType::Load)
            .unwrap()
            .pa
            .as_u64()
    };
    assert_eq!(pa(&mut tlb, &mut mem), 0x4000_9000);
    tlb.sfence_vma(false, 0, Some(0x4000), Some(6));
    tlb.sfence_vma(false, 0, Some(0x5000), None);
    tlb.sfence_vma(false, 0, Some(0x8000_0000_0000_4000), None);
    tlb.sfence_vma(true, 0, None, None);
    assert_eq!(pa(&mut tlb, &mut mem), 0x4000_9000);
    tlb.sfence_vma(false, 0, Some(0x4fff), Some(5));
    assert_eq!(pa(&mut tlb, &mut mem), 0x4000_a000);
}

/// norm:hfence-gvma_op: HFENCE.GVMA with a GPA removes the V=1 entries whose G-stage leaf maps
/// that GPA, even when the GPA is in another 4 KiB page of the same G-stage gigapage; other
/// VMIDs and other G-stage pages are untouched (norm:hfence-gvma_vmid).
#[test]
fn hfence_gvma_covers_g_superpages() {
    let mut m = RefMem::default();
    let g_root = G_TABLES;
    let slot = g_root + ((RAM_BASE >> 30) & 2047) * 8;
    let leaf = |host: u64| (host >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D;
    m.write(slot, leaf(RAM_BASE));
    let mut mem = m.to_phys();
    let c = TranslateCtx {
        virt: true,
        hgatp: atp(SV39, 7, g_root >> 12),
        ..TranslateCtx::bare(PrivLevel::Supervisor)
    };
    let mut tlb = Tlb::default();
    let gva = RAM_BASE + 0x5008;
    let pa = |tlb: &mut Tlb, mem: &mut sim_core::mem::PhysMem| {
        tlb.translate(mem, &c, gva, AccessType::Load)
            .unwrap()
            .pa
            .as_u64()
    };
    assert_eq!(pa(&mut tlb, &mut mem), RAM_BASE + 0x5008);
    mem.write(
        HostPhysAddr::new(slot),
        sim_core::AccessWidth::Qword,
        leaf(0x8000_0000),
    )
    .unwrap();
    tlb.hfence_gvma(Some(6), None);
    tlb.hfence_gvma(Some(7), Some(RAM_BASE + (1 << 30)));
    tlb.hfence_vvma(6, None, None);
    assert_eq!(
        pa(&mut tlb, &mut mem),
        RAM_BASE + 0x5008,
        "stale until a matching fence"
    );
    tlb.hfence_gvma(Some(7), Some(RAM_BASE + 0x3000_0000));
    assert_eq!(pa(&mut tlb, &mut mem), 0x8000_5008);
}
