//! Unit tests, one per translation rule or fault case, on hand-built page tables.

use hw_models::riscv::PrivLevel;
use hw_models::riscv::cause::exc;
use hw_models::riscv::mmu::{AccessType, Fault, TranslateCtx, Translation, translate};
use sim_core::HostPhysAddr;
use sim_core::mem::PhysMem;
use sim_core::width::AccessWidth;

use AccessType::{Fetch, Load, Store};

const RAM: u64 = 0x8000_0000;
const V: u64 = 1;
const R: u64 = 2;
const W: u64 = 4;
const X: u64 = 8;
const U: u64 = 16;
const G: u64 = 32;
const A: u64 = 64;
const D: u64 = 128;
const SV39: u64 = 8;
const SV48: u64 = 9;

/// Host RAM [0x8000_0000, +32 MiB) and a bump allocator for tables.
struct Env {
    mem: PhysMem,
    next: u64,
}

impl Env {
    fn new() -> Self {
        let mut mem = PhysMem::new(32 << 20);
        mem.add_ram(HostPhysAddr::new(RAM), 32 << 20).unwrap();
        Env {
            mem,
            next: RAM + 0x10_0000,
        }
    }
    fn alloc(&mut self, pages: u64) -> u64 {
        let a = self.next;
        self.next += pages * 0x1000;
        a
    }
    fn put(&mut self, addr: u64, v: u64) {
        self.mem
            .write(HostPhysAddr::new(addr), AccessWidth::Qword, v)
            .unwrap();
    }
    fn get(&self, addr: u64) -> u64 {
        self.mem
            .read(HostPhysAddr::new(addr), AccessWidth::Qword)
            .unwrap()
    }
    /// Maps `addr` in the tables at `root` (table addresses are host addresses) with a leaf at
    /// `level`, allocating intermediate tables. `root_bits`: 9, or 11 for a G-stage root.
    /// Returns the host address of the leaf PTE.
    fn map(
        &mut self,
        root: u64,
        levels: u32,
        root_bits: u32,
        addr: u64,
        level: u32,
        leaf: u64,
    ) -> u64 {
        let mut table = root;
        let mut l = levels - 1;
        loop {
            let bits = if l == levels - 1 { root_bits } else { 9 };
            let slot = table + ((addr >> (12 + 9 * l)) & ((1 << bits) - 1)) * 8;
            if l == level {
                self.put(slot, leaf);
                return slot;
            }
            let cur = self.get(slot);
            table = if cur & V != 0 && cur & (R | X) == 0 {
                (cur >> 10) << 12
            } else {
                let t = self.alloc(1);
                self.put(slot, pte(t, V));
                t
            };
            l -= 1;
        }
    }
}

fn pte(pa: u64, flags: u64) -> u64 {
    ((pa >> 12) << 10) | flags
}

fn satp(mode: u64, asid: u64, root: u64) -> u64 {
    (mode << 60) | (asid << 44) | (root >> 12)
}

fn s_ctx(atp: u64) -> TranslateCtx {
    TranslateCtx {
        atp,
        ..TranslateCtx::bare(PrivLevel::Supervisor)
    }
}

fn u_ctx(atp: u64) -> TranslateCtx {
    TranslateCtx {
        atp,
        ..TranslateCtx::bare(PrivLevel::User)
    }
}

/// One-stage Sv39 tables with `va` mapped at `level` by `leaf`; returns (env, satp, leaf PTE
/// address).
fn sv39_with(va: u64, level: u32, leaf: u64) -> (Env, u64, u64) {
    let mut e = Env::new();
    let root = e.alloc(1);
    let slot = e.map(root, 3, 9, va, level, leaf);
    (e, satp(SV39, 0, root), slot)
}

const RWXAD: u64 = V | R | W | X | A | D;

// --- Bare, M-mode, basic translation -------------------------------------------------------

/// norm:satp_mode (Bare: VA = PA) and norm:satp_op_active (M-mode accesses are untranslated).
#[test]
fn bare_and_machine_are_identity() {
    let mut e = Env::new();
    let t = translate(&mut e.mem, &s_ctx(0), 0xdead_beef, Store).unwrap();
    assert_eq!(t.pa.as_u64(), 0xdead_beef);
    assert_eq!((t.s1, t.g), (None, None));
    let m = TranslateCtx {
        atp: satp(SV39, 0, RAM),
        ..TranslateCtx::bare(PrivLevel::Machine)
    };
    assert_eq!(
        translate(&mut e.mem, &m, 0x1234, Fetch)
            .unwrap()
            .pa
            .as_u64(),
        0x1234
    );
}

/// norm:Sv39_page_sizes, norm:Sv48_page_sizes: 4 KiB, 2 MiB, 1 GiB (and 512 GiB in Sv48)
/// leaves; the low VPN bits of a superpage come from the VA (algorithm step 10).
#[test]
fn pages_of_every_size() {
    for (level, size) in [(0u32, 1u64 << 12), (1, 1 << 21), (2, 1 << 30)] {
        let va = 0x12_3456_7abc_u64 & ((1 << 39) - 1);
        let pa_base = 0x40_0000_0000u64;
        let (mut e, atp, _) = sv39_with(va, level, pte(pa_base, RWXAD));
        let t = translate(&mut e.mem, &s_ctx(atp), va, Load).unwrap();
        assert_eq!(t.pa.as_u64(), pa_base + (va & (size - 1)), "level {level}");
        assert_eq!(
            t.s1.unwrap().page_shift as u64,
            size.trailing_zeros() as u64
        );
    }
    let mut e = Env::new();
    let root = e.alloc(1);
    let va = 0x0000_7f12_3456_7000u64;
    e.map(root, 4, 9, va, 3, pte(0x80_0000_0000, RWXAD));
    let t = translate(&mut e.mem, &s_ctx(satp(SV48, 0, root)), va, Fetch).unwrap();
    assert_eq!(t.pa.as_u64(), 0x80_0000_0000 + (va & ((1 << 39) - 1)));
}

// --- PTE validity (step 3 to 5) -------------------------------------------------------------

/// norm:Sv39_superpage_align_fault: a superpage leaf with nonzero low PPN bits faults.
#[test]
fn misaligned_superpage_faults() {
    let (mut e, atp, _) = sv39_with(0x20_0000, 1, pte(0x8000_1000, RWXAD));
    for acc in [Fetch, Load, Store] {
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x20_0000, acc),
            Err(Fault::Page(acc))
        );
    }
}

/// norm:Sv39_pte_svnapot_rsv, norm:Sv39_pte_svpbmt_rsv, norm:Sv39_pte_future_rsv: any of bits
/// 63:54 set (N, PBMT, reserved) faults, in leaves and in pointers.
#[test]
fn reserved_high_bits_fault() {
    for bit in 54..64 {
        let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD) | (1 << bit));
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x1000, Load),
            Err(Fault::Page(Load))
        );
        let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD));
        let root = (atp & ((1 << 44) - 1)) << 12;
        let p = e.get(root);
        e.put(root, p | (1 << bit));
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x1000, Load),
            Err(Fault::Page(Load))
        );
    }
}

/// Encoding table "Encoding of PTE R/W/X fields": W=1 with R=0 is reserved and faults, also
/// with X=1.
#[test]
fn write_without_read_faults() {
    for flags in [V | W | A | D, V | W | X | A | D] {
        let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, flags));
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x1000, Store),
            Err(Fault::Page(Store))
        );
    }
}

/// "For non-leaf PTEs, the D, A, and U bits are reserved": a pointer with any of them set
/// faults (step 3).
#[test]
fn non_leaf_with_a_d_u_faults() {
    for bit in [A, D, U] {
        let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD));
        let root = (atp & ((1 << 44) - 1)) << 12;
        let p = e.get(root);
        e.put(root, p | bit);
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x1000, Load),
            Err(Fault::Page(Load))
        );
    }
}

/// Step 3 (V=0) and step 4 (a pointer at level 0 has no next level).
#[test]
fn invalid_and_too_deep_fault() {
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD & !V));
    assert_eq!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Fetch),
        Err(Fault::Page(Fetch))
    );
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(RAM, V));
    assert_eq!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Fetch),
        Err(Fault::Page(Fetch))
    );
}

/// Step 2: a PTE outside RAM is an access fault of the original access type, reporting the
/// PTE address.
#[test]
fn pte_outside_ram_is_access_fault() {
    let mut e = Env::new();
    let root = e.alloc(1);
    e.put(root, pte(0x1000_0000, V)); // next level at a non-RAM address
    let atp = satp(SV39, 0, root);
    for (acc, cause) in [(Fetch, 1), (Load, 5), (Store, 7)] {
        let f = translate(&mut e.mem, &s_ctx(atp), 0x10, acc).unwrap_err();
        assert_eq!(
            f,
            Fault::Access {
                access: acc,
                pa: 0x1000_0000
            }
        );
        assert_eq!(f.cause(), cause);
    }
}

/// norm:Sv39_va_signext, norm:Sv48_va_signext: bits above the VA width must equal its top bit.
#[test]
fn non_canonical_va_faults() {
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD));
    for va in [1u64 << 39, 0x8000_0000_0000_1000, 0xffff_ffbf_ffff_f000] {
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), va, Load),
            Err(Fault::Page(Load))
        );
    }
    let sv48 = (SV48 << 60) | (atp & ((1 << 60) - 1));
    assert_eq!(
        translate(&mut e.mem, &s_ctx(sv48), 1 << 48, Store),
        Err(Fault::Page(Store))
    );
    // Canonical upper-half addresses walk normally (here: to an empty slot).
    assert_eq!(
        translate(&mut e.mem, &s_ctx(atp), 0xffff_ffc0_0000_0000, Load),
        Err(Fault::Page(Load))
    );
}

/// norm:satp_mode_op_unsupported: the CSR file never holds Sv57 etc.; if handed one,
/// translation refuses with a page fault instead of guessing.
#[test]
fn unsupported_modes_refuse() {
    let mut e = Env::new();
    assert_eq!(
        translate(&mut e.mem, &s_ctx(10 << 60), 0, Load),
        Err(Fault::Page(Load))
    );
    let ctx = TranslateCtx {
        virt: true,
        hgatp: 10 << 60,
        ..s_ctx(0)
    };
    assert!(matches!(
        translate(&mut e.mem, &ctx, 0, Load),
        Err(Fault::GuestPage {
            implicit: false,
            ..
        })
    ));
    assert!(hw_models::riscv::mmu::mode_supported(8));
    assert!(!hw_models::riscv::mmu::mode_supported(10));
}

// --- Permissions (steps 6 and 8) ------------------------------------------------------------

/// norm:fetch_page_fault_no_x, norm:load_page_fault_no_r, norm:store_page_fault_no_w.
#[test]
fn rwx_permissions() {
    for (flags, ok) in [
        (V | R | A | D, [false, true, false]),
        (V | R | W | A | D, [false, true, true]),
        (V | X | A | D, [true, false, false]),
        (V | R | X | A | D, [true, true, false]),
    ] {
        let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, flags));
        for (acc, ok) in [Fetch, Load, Store].into_iter().zip(ok) {
            assert_eq!(
                translate(&mut e.mem, &s_ctx(atp), 0x1000, acc).is_ok(),
                ok,
                "{flags:#x} {acc:?}"
            );
        }
    }
}

/// U-bit rule and norm:sstatus_sum: U-mode needs U=1; S-mode reaches U=1 pages for loads and
/// stores only with SUM, and never executes from them.
#[test]
fn user_bit_and_sum() {
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD | U));
    let (mut e2, atp2, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD));
    for acc in [Fetch, Load, Store] {
        assert!(translate(&mut e.mem, &u_ctx(atp), 0x1000, acc).is_ok());
        assert_eq!(
            translate(&mut e2.mem, &u_ctx(atp2), 0x1000, acc),
            Err(Fault::Page(acc))
        );
        assert_eq!(
            translate(&mut e.mem, &s_ctx(atp), 0x1000, acc),
            Err(Fault::Page(acc))
        );
        assert!(translate(&mut e2.mem, &s_ctx(atp2), 0x1000, acc).is_ok());
        let sum = TranslateCtx {
            sum: true,
            ..s_ctx(atp)
        };
        assert_eq!(
            translate(&mut e.mem, &sum, 0x1000, acc).is_ok(),
            acc != Fetch
        );
        // SUM has no effect in U-mode.
        let usum = TranslateCtx {
            sum: true,
            ..u_ctx(atp2)
        };
        assert!(translate(&mut e2.mem, &usum, 0x1000, acc).is_err());
    }
}

/// norm:sstatus_mxr: loads from execute-only pages succeed only with MXR. norm:hlsv_u_op:
/// HLVX needs X instead of R (MXR does not make a readable page executable).
#[test]
fn mxr_and_hlvx() {
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, V | X | A | D));
    assert!(translate(&mut e.mem, &s_ctx(atp), 0x1000, Load).is_err());
    let mxr = TranslateCtx {
        mxr: true,
        ..s_ctx(atp)
    };
    assert!(translate(&mut e.mem, &mxr, 0x1000, Load).is_ok());
    let hlvx = TranslateCtx {
        hlvx: true,
        ..s_ctx(atp)
    };
    assert!(translate(&mut e.mem, &hlvx, 0x1000, Load).is_ok());

    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, V | R | A | D));
    let hlvx = TranslateCtx {
        hlvx: true,
        mxr: true,
        ..s_ctx(atp)
    };
    assert_eq!(
        translate(&mut e.mem, &hlvx, 0x1000, Load),
        Err(Fault::Page(Load))
    );
    // HLVX is ignored for stores: the W check applies as usual.
    assert_eq!(
        translate(&mut e.mem, &hlvx, 0x1000, Store),
        Err(Fault::Page(Store))
    );
}

// --- A/D: Svade and Svadu (step 9) -----------------------------------------------------------

/// norm:svade_access_ad_bit_clear (ADUE=0) against norm:menvcfg_adue_op (ADUE=1): a clear A,
/// or a clear D on a store, faults under Svade and is set in memory under Svadu.
#[test]
fn svade_and_svadu_first_stage() {
    let (mut e, atp, slot) = sv39_with(0x1000, 0, pte(0x9000_0000, V | R | W));
    assert_eq!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Load),
        Err(Fault::Page(Load))
    );
    assert_eq!(e.get(slot) & (A | D), 0);
    let adue = TranslateCtx {
        adue: true,
        ..s_ctx(atp)
    };
    translate(&mut e.mem, &adue, 0x1000, Load).unwrap();
    assert_eq!(e.get(slot) & (A | D), A, "a load sets A only");
    assert_eq!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Store),
        Err(Fault::Page(Store))
    );
    translate(&mut e.mem, &adue, 0x1000, Store).unwrap();
    assert_eq!(e.get(slot) & (A | D), A | D);
    // A faulting access updates nothing.
    let (mut e, atp, slot) = sv39_with(0x1000, 0, pte(0x9000_0000, V | R));
    let adue = TranslateCtx {
        adue: true,
        ..s_ctx(atp)
    };
    assert!(translate(&mut e.mem, &adue, 0x1000, Store).is_err());
    assert_eq!(e.get(slot) & (A | D), 0);
}

// --- Two-stage translation ------------------------------------------------------------------

/// Two-stage environment: G-stage Sv39x4 (root 16 KiB) mapping GPA [RAM, RAM+1 GiB) to the
/// same host addresses with one gigapage, and an Sv39 VS-stage root at `vs_root`.
struct TwoStage {
    e: Env,
    g_root: u64,
    vs_root: u64,
    g_giga: u64,
}

impl TwoStage {
    fn new(g_flags: u64) -> Self {
        let mut e = Env::new();
        let g_root = e.alloc(4);
        let g_giga = e.map(g_root, 3, 11, RAM, 2, pte(RAM, g_flags));
        let vs_root = e.alloc(1);
        TwoStage {
            e,
            g_root,
            vs_root,
            g_giga,
        }
    }
    fn ctx(&self) -> TranslateCtx {
        TranslateCtx {
            atp: satp(SV39, 0, self.vs_root),
            hgatp: satp(SV39, 0, self.g_root),
            virt: true,
            ..TranslateCtx::bare(PrivLevel::Supervisor)
        }
    }
    fn tr(&mut self, va: u64, acc: AccessType) -> Result<Translation, Fault> {
        let c = self.ctx();
        translate(&mut self.e.mem, &c, va, acc)
    }
    fn vs_map(&mut self, va: u64, level: u32, leaf: u64) -> u64 {
        let root = self.vs_root;
        self.e.map(root, 3, 9, va, level, leaf)
    }
    /// Replaces the G-stage mapping of one 4 KiB GPA page (splitting the gigapage).
    fn g_map_page(&mut self, gpa: u64, hpa: u64, flags: u64) -> u64 {
        // Split: a level-1 table of 2 MiB leaves, one of which is split to 4 KiB leaves.
        if self.e.get(self.g_giga) & (R | X) != 0 {
            let giga = self.e.get(self.g_giga);
            let l1 = self.e.alloc(1);
            for i in 0..512u64 {
                self.e.put(l1 + i * 8, pte(RAM + (i << 21), giga & 0x3ff));
            }
            self.e.put(self.g_giga, pte(l1, V));
        }
        let l1 = (self.e.get(self.g_giga) >> 10) << 12;
        let slot1 = l1 + ((gpa >> 21) & 511) * 8;
        let big = self.e.get(slot1);
        if big & (R | X) != 0 {
            let l0 = self.e.alloc(1);
            let base = (big >> 10) << 12;
            for i in 0..512u64 {
                self.e.put(l0 + i * 8, pte(base + (i << 12), big & 0x3ff));
            }
            self.e.put(slot1, pte(l0, V));
        }
        let l0 = (self.e.get(slot1) >> 10) << 12;
        let slot0 = l0 + ((gpa >> 12) & 511) * 8;
        self.e.put(slot0, pte(hpa, flags));
        slot0
    }
}

const GUAD: u64 = V | R | W | X | U | A | D;

/// norm:H_vm_twostage: VS-stage then G-stage; the G-stage also translates the VS-level table
/// addresses (norm:H_vm_gstagetrans).
#[test]
fn two_stage_translates() {
    let mut t = TwoStage::new(GUAD);
    t.vs_map(0x4000, 0, pte(RAM + 0x5000, RWXAD));
    let r = t.tr(0x4123, Load).unwrap();
    assert_eq!(r.gpa, RAM + 0x5123);
    assert_eq!(r.pa.as_u64(), RAM + 0x5123);
    assert_eq!(r.g.unwrap().page_shift, 30);
    // Move the data page in the G-stage only.
    t.g_map_page(RAM + 0x5000, RAM + 0x7000, GUAD);
    let r = t.tr(0x4123, Load).unwrap();
    assert_eq!((r.gpa, r.pa.as_u64()), (RAM + 0x5123, RAM + 0x7123));
    assert_eq!(r.page_shift(), 12);
}

/// norm:H_vm_gpatrans, norm:H_vm_gpapriv: every G-stage access is a U-mode access, so a
/// G-stage leaf with U=0 gives a guest-page fault (20/21/23) with htval = GPA >> 2.
#[test]
fn g_stage_leaf_needs_u() {
    let mut t = TwoStage::new(GUAD);
    t.vs_map(0x4000, 0, pte(RAM + 0x5000, RWXAD));
    t.g_map_page(RAM + 0x5000, RAM + 0x5000, GUAD & !U);
    for (acc, cause) in [(Fetch, 20), (Load, 21), (Store, 23)] {
        let f = t.tr(0x4008, acc).unwrap_err();
        assert_eq!(
            f,
            Fault::GuestPage {
                access: acc,
                gpa: RAM + 0x5008,
                implicit: false,
                pte_write: false
            }
        );
        assert_eq!(
            (f.cause(), f.htval(), f.htinst()),
            (cause, (RAM + 0x5008) >> 2, 0)
        );
    }
}

/// norm:vsstatus_mxr_vm, norm:sstatus_mxr_vm, norm:hlsv_sstatus_mxr: vsstatus.MXR (folded into
/// `mxr`) only affects the VS-stage; HS-level MXR (`hs_mxr`) also opens execute-only G-stage
/// pages to explicit loads. norm:hlsv_u_op: HLVX needs X in both stages.
#[test]
fn mxr_per_stage_and_hlvx_two_stage() {
    let mut t = TwoStage::new(GUAD);
    t.vs_map(0x4000, 0, pte(RAM + 0x5000, V | X | A | D));
    t.g_map_page(RAM + 0x5000, RAM + 0x5000, V | X | U | A | D);
    let c = t.ctx();
    assert_eq!(
        translate(&mut t.e.mem, &c, 0x4000, Load),
        Err(Fault::Page(Load))
    );
    let vs_mxr = TranslateCtx { mxr: true, ..c };
    assert!(matches!(
        translate(&mut t.e.mem, &vs_mxr, 0x4000, Load),
        Err(Fault::GuestPage { .. })
    ));
    let hs_mxr = TranslateCtx {
        mxr: true,
        hs_mxr: true,
        ..c
    };
    assert!(translate(&mut t.e.mem, &hs_mxr, 0x4000, Load).is_ok());
    let hlvx = TranslateCtx { hlvx: true, ..c };
    assert!(translate(&mut t.e.mem, &hlvx, 0x4000, Load).is_ok());
    // Readable but not executable in the G-stage: HLVX faults there.
    t.g_map_page(RAM + 0x5000, RAM + 0x5000, V | R | U | A | D);
    assert!(matches!(
        translate(&mut t.e.mem, &hlvx, 0x4000, Load),
        Err(Fault::GuestPage {
            access: Load,
            implicit: false,
            ..
        })
    ));
}

/// norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4: GPA bits above 41 (50) must be zero, else
/// guest-page fault; the 2 extra bits index the 16 KiB root (norm:hgatp_mode_x4).
#[test]
fn gpa_width_and_x4_root() {
    let mut t = TwoStage::new(GUAD);
    // vsatp Bare: the VA is the GPA.
    let mut c = TranslateCtx { atp: 0, ..t.ctx() };
    let f = translate(&mut t.e.mem, &c, 1 << 41, Load).unwrap_err();
    assert_eq!(
        f,
        Fault::GuestPage {
            access: Load,
            gpa: 1 << 41,
            implicit: false,
            pte_write: false
        }
    );
    // GPA 2^40 + RAM uses root index 0b10_0000_0010 (extra bit set): map it there.
    let gpa = (1u64 << 40) | RAM;
    let g_root = t.g_root;
    t.e.map(g_root, 3, 11, gpa, 2, pte(RAM, GUAD));
    let r = translate(&mut t.e.mem, &c, gpa | 0x10, Load).unwrap();
    assert_eq!(r.pa.as_u64(), RAM | 0x10);
    // Sv48x4: 50-bit GPAs.
    let mut e = Env::new();
    let root = e.alloc(4);
    let gpa = (1u64 << 49) | 0x1000;
    e.map(root, 4, 11, gpa, 0, pte(RAM, GUAD));
    c.hgatp = satp(SV48, 0, root);
    assert_eq!(
        translate(&mut e.mem, &c, gpa, Store).unwrap().pa.as_u64(),
        RAM
    );
    assert!(matches!(
        translate(&mut e.mem, &c, 1 << 50, Store),
        Err(Fault::GuestPage { .. })
    ));
}

/// The VS-stage's own non-canonical check raises a page fault, not a guest-page fault
/// (norm:Sv39_va_signext applies to the VS-stage like to satp).
#[test]
fn vs_non_canonical_is_page_fault() {
    let mut t = TwoStage::new(GUAD);
    assert_eq!(t.tr(1 << 39, Fetch), Err(Fault::Page(Fetch)));
}

/// norm:H_vm_gpapriv, norm:htval_trapval, norm:H_trap_xtinst_guestpage: a G-stage fault on
/// the implicit read of a VS-level PTE is a guest-page fault of the original access type with
/// the PTE's GPA, and htinst = 0x3000.
#[test]
fn implicit_pte_read_guest_page_fault() {
    let mut t = TwoStage::new(GUAD);
    let leaf = t.vs_map(0x4000, 0, pte(RAM + 0x5000, RWXAD));
    // Unmap the G-stage page holding the VS leaf table.
    t.g_map_page(leaf & !0xfff, 0, 0);
    for (acc, cause) in [(Fetch, 20), (Load, 21), (Store, 23)] {
        let f = t.tr(0x4000, acc).unwrap_err();
        assert_eq!(
            f,
            Fault::GuestPage {
                access: acc,
                gpa: leaf,
                implicit: true,
                pte_write: false
            }
        );
        assert_eq!(
            (f.cause(), f.htval(), f.htinst()),
            (cause, leaf >> 2, 0x3000)
        );
    }
    // The implicit read is checked as a load: an execute-only G page faults even for a
    // fetch and even with HS-level MXR (MXR is for explicit loads).
    t.g_map_page(leaf & !0xfff, leaf & !0xfff, V | X | U | A | D);
    let c = TranslateCtx {
        hs_mxr: true,
        mxr: true,
        ..t.ctx()
    };
    let f = translate(&mut t.e.mem, &c, 0x4000, Fetch).unwrap_err();
    assert_eq!(
        f,
        Fault::GuestPage {
            access: Fetch,
            gpa: leaf,
            implicit: true,
            pte_write: false
        }
    );
}

/// norm:H_trap_xtinst_guestpage_rw: with henvcfg.ADUE the VS-level A/D update is an implicit
/// store through the G-stage; a read-only G page gives a guest-page fault with htinst 0x3020,
/// reported for the original access type (a load here).
#[test]
fn implicit_pte_write_guest_page_fault() {
    let mut t = TwoStage::new(GUAD);
    let leaf = t.vs_map(0x4000, 0, pte(RAM + 0x5000, V | R | W));
    t.g_map_page(leaf & !0xfff, leaf & !0xfff, V | R | U | A | D);
    let c = TranslateCtx {
        adue: true,
        g_adue: true,
        ..t.ctx()
    };
    let f = translate(&mut t.e.mem, &c, 0x4000, Load).unwrap_err();
    assert_eq!(
        f,
        Fault::GuestPage {
            access: Load,
            gpa: leaf,
            implicit: true,
            pte_write: true
        }
    );
    assert_eq!(
        (f.cause(), f.htinst()),
        (exc::LOAD_GUEST_PAGE_FAULT, 0x3020)
    );
    assert_eq!(t.e.get(leaf) & A, 0, "nothing was written");
    // Svade on the VS-stage: a page fault instead, before any G-stage write.
    let c = TranslateCtx { adue: false, ..c };
    assert_eq!(
        translate(&mut t.e.mem, &c, 0x4000, Load),
        Err(Fault::Page(Load))
    );
}

/// norm:henvcfg_adue_op (VS-stage) and norm:menvcfg_adue_op (G-stage), each independent:
/// Svade faults (page fault / guest-page fault), Svadu sets the bits in memory. The G-stage
/// leaf mapping a VS page table gets A on the PTE read and D on the VS A/D update.
#[test]
fn svade_and_svadu_both_stages() {
    let mut t = TwoStage::new(GUAD);
    let leaf = t.vs_map(0x4000, 0, pte(RAM + 0x5000, V | R | W | X));
    let table_g = t.g_map_page(leaf & !0xfff, leaf & !0xfff, V | R | W | U);
    let data_g = t.g_map_page(RAM + 0x5000, RAM + 0x5000, V | R | W | U);
    let c = t.ctx();
    // G-stage Svade: the implicit PTE read needs G-stage A.
    let f = translate(&mut t.e.mem, &c, 0x4000, Store).unwrap_err();
    assert_eq!(
        f,
        Fault::GuestPage {
            access: Store,
            gpa: leaf,
            implicit: true,
            pte_write: false
        }
    );
    // G-stage Svadu, VS-stage Svade: G A is set by the read, then the VS leaf faults.
    let c = TranslateCtx { g_adue: true, ..c };
    assert_eq!(
        translate(&mut t.e.mem, &c, 0x4000, Store),
        Err(Fault::Page(Store))
    );
    assert_eq!(t.e.get(table_g) & (A | D), A);
    // Both Svadu: VS leaf gets A|D, its table page's G leaf gets D, the data page's G leaf
    // gets A|D.
    let c = TranslateCtx { adue: true, ..c };
    let r = translate(&mut t.e.mem, &c, 0x4010, Store).unwrap();
    assert_eq!(r.pa.as_u64(), RAM + 0x5010);
    assert_eq!(t.e.get(leaf) & (A | D), A | D);
    assert_eq!(t.e.get(table_g) & (A | D), A | D);
    assert_eq!(t.e.get(data_g) & (A | D), A | D);
    // G-stage Svade with a clean data page: the explicit store faults at the G-stage.
    let mut t = TwoStage::new(GUAD);
    t.vs_map(0x4000, 0, pte(RAM + 0x5000, RWXAD));
    t.g_map_page(RAM + 0x5000, RAM + 0x5000, V | R | W | U | A);
    let c = t.ctx();
    assert!(translate(&mut t.e.mem, &c, 0x4000, Load).is_ok());
    assert_eq!(
        translate(&mut t.e.mem, &c, 0x4000, Store),
        Err(Fault::GuestPage {
            access: Store,
            gpa: RAM + 0x5000,
            implicit: false,
            pte_write: false
        })
    );
}

/// Step 9's atomic compare: when the G-stage D update made by the implicit write rewrites
/// the VS-level leaf PTE itself (the G-stage leaf for the VS table page and the VS-level leaf
/// are the same word), the compare fails and the walk returns to step 2, re-reads the PTE
/// (now with A and D) and completes without a second update.
#[test]
fn aliased_ad_update_rereads_pte() {
    let mut e = Env::new();
    let g_root = e.alloc(4);
    let g_l1 = e.alloc(1);
    let vs_root = e.alloc(1);
    let vs_l1 = e.alloc(1);
    // `shared` is both the G-stage level-0 table for this 2 MiB region and the VS-stage
    // level-0 table.
    let shared = e.alloc(1);
    assert_eq!(g_root >> 21, shared >> 21, "one 2 MiB G-stage region");
    let slot = |page: u64| shared + ((page >> 12) & 511) * 8;
    e.put(g_root + ((shared >> 30) & 2047) * 8, pte(g_l1, V));
    e.put(g_l1 + ((shared >> 21) & 511) * 8, pte(shared, V));
    e.put(slot(vs_root), pte(vs_root, GUAD));
    e.put(slot(vs_l1), pte(vs_l1, GUAD));
    let word = slot(shared);
    // G leaf for GPA page `shared` (identity) and VS leaf for `va`: A set, D clear.
    e.put(word, pte(shared, V | R | W | U | A));
    let va = ((shared >> 12) & 511) << 12;
    e.put(vs_root, pte(vs_l1, V));
    e.put(vs_l1, pte(shared, V));
    let ctx = TranslateCtx {
        atp: satp(SV39, 0, vs_root),
        hgatp: satp(SV39, 0, g_root),
        virt: true,
        adue: true,
        g_adue: true,
        ..TranslateCtx::bare(PrivLevel::User)
    };
    let r = translate(&mut e.mem, &ctx, va | 0x18, Store).unwrap();
    assert_eq!(r.pa.as_u64(), shared | 0x18);
    assert_eq!(e.get(word), pte(shared, V | R | W | U | A | D));
}

/// Fault::cause follows the mcause table for all nine fault kinds.
#[test]
fn cause_codes() {
    let gp = |access| Fault::GuestPage {
        access,
        gpa: 0x1000,
        implicit: false,
        pte_write: false,
    };
    let ac = |access| Fault::Access { access, pa: 0 };
    let table = [
        (Fault::Page(Fetch), exc::INSTRUCTION_PAGE_FAULT, 12),
        (Fault::Page(Load), exc::LOAD_PAGE_FAULT, 13),
        (Fault::Page(Store), exc::STORE_PAGE_FAULT, 15),
        (gp(Fetch), exc::INSTRUCTION_GUEST_PAGE_FAULT, 20),
        (gp(Load), exc::LOAD_GUEST_PAGE_FAULT, 21),
        (gp(Store), exc::STORE_GUEST_PAGE_FAULT, 23),
        (ac(Fetch), exc::INSTRUCTION_ACCESS_FAULT, 1),
        (ac(Load), exc::LOAD_ACCESS_FAULT, 5),
        (ac(Store), exc::STORE_ACCESS_FAULT, 7),
    ];
    for (f, c, n) in table {
        assert_eq!((f.cause(), f.cause()), (c, n));
        assert_eq!(f.htval(), if f.is_guest_page() { 0x400 } else { 0 });
    }
}

/// The G bit: global mappings are reported (OR along the walk) for the TLB; G-stage G bits
/// are ignored (norm:H_vm_gpa_g).
#[test]
fn global_bit() {
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD | G));
    assert!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Load)
            .unwrap()
            .global
    );
    let (mut e, atp, _) = sv39_with(0x1000, 0, pte(0x9000_0000, RWXAD));
    let root = (atp & ((1 << 44) - 1)) << 12;
    let p = e.get(root);
    e.put(root, p | G);
    assert!(
        translate(&mut e.mem, &s_ctx(atp), 0x1000, Load)
            .unwrap()
            .global
    );
    let mut t = TwoStage::new(GUAD | G);
    t.vs_map(0x4000, 0, pte(RAM + 0x5000, RWXAD));
    assert!(!t.tr(0x4000, Load).unwrap().global);
}
