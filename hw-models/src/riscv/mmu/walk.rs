//! The page-table walker: the translation algorithm of the priv spec ("Virtual Address
//! Translation Process") for Sv39/Sv48, and its G-stage variant for Sv39x4/Sv48x4, composed
//! into two-stage translation (norm:H_vm_twostage).

use sim_core::addr::HostPhysAddr;
use sim_core::mem::PhysMem;
use sim_core::width::AccessWidth;

use super::atp::{AtpMode, Hgatp, PAGE_SHIFT, Satp, Scheme, VPN_BITS, X4_EXTRA_BITS, is_canonical};
use super::ctx::TranslateCtx;
use super::fault::{AccessType, Fault};
use super::perm::{GAccess, ad_needed, g_allows, s1_allows};
use super::pte;
use super::translation::{Leaf, Translation};
use crate::riscv::privilege::PrivLevel;

/// Bound on "return to step 2" after a failed A/D compare. In this single-threaded model the
/// compare can only fail when the G-stage A/D update of the same walk rewrote the VS-level PTE
/// (the G-stage leaf PTE aliases it); A/D bits are only ever set, so two retries settle it.
const MAX_AD_RETRIES: u32 = 4;

/// Translates `va` for an access of type `access` in the context `ctx`.
///
/// V=0: one stage through `satp` (Bare: `pa` = `va`). Virt: the VS-stage through `vsatp`, then
/// the G-stage through `hgatp`, which also translates every VS-level PTE address
/// (norm:H_vm_gstagetrans). A/D bits are set in memory when the stage's ADUE is set (Svadu),
/// otherwise a missing A/D bit faults (Svade, norm:svade_access_ad_bit_clear).
///
/// The returned `pa` is not checked against the memory map: the access itself raises the
/// access fault if it is not RAM or a device.
///
/// ```
/// use hw_models::riscv::PrivLevel;
/// use hw_models::riscv::mmu::{translate, AccessType, TranslateCtx};
/// use sim_core::{HostPhysAddr, mem::PhysMem};
/// let mut mem = PhysMem::new(1 << 20);
/// let ctx = TranslateCtx::bare(PrivLevel::Supervisor);
/// let t = translate(&mut mem, &ctx, 0x8000_1234, AccessType::Load).unwrap();
/// assert_eq!(t.pa, HostPhysAddr::new(0x8000_1234));
/// ```
pub fn translate(
    mem: &mut PhysMem,
    ctx: &TranslateCtx,
    va: u64,
    access: AccessType,
) -> Result<Translation, Fault> {
    // norm:satp_op_active: M-mode accesses are not translated.
    if ctx.privilege == PrivLevel::Machine {
        return Ok(Translation::identity(va));
    }
    let satp = Satp::decode(ctx.atp);
    let mut w = Walker {
        mem,
        ctx,
        va,
        access,
        hgatp: Hgatp::decode(ctx.hgatp),
    };
    let first = match satp.mode {
        AtpMode::Bare => None,
        AtpMode::Paged(scheme) => Some(w.stage1(scheme, satp.ppn)?),
        // Unreachable through the CSR file (it never holds such a MODE); refuse rather than
        // translate through a scheme this MMU does not implement.
        AtpMode::Unsupported(_) => return Err(Fault::Page(access)),
    };
    let (gpa, s1, global) = match first {
        None => (va, None, false),
        Some(r) => (r.addr, Some(r.leaf), r.global),
    };
    if !ctx.virt {
        return Ok(Translation {
            pa: HostPhysAddr::new(gpa),
            gpa,
            s1,
            g: None,
            global,
        });
    }
    let (spa, g) = w.g_stage(gpa, GAccess::Explicit)?;
    Ok(Translation {
        pa: HostPhysAddr::new(spa),
        gpa,
        s1,
        g,
        global,
    })
}

/// One stage's successful walk.
struct StageResult {
    /// The output address of the stage.
    addr: u64,
    leaf: Leaf,
    global: bool,
}

struct Walker<'a> {
    mem: &'a mut PhysMem,
    ctx: &'a TranslateCtx,
    va: u64,
    access: AccessType,
    hgatp: Hgatp,
}

/// The VPN[i] field of `addr`, `bits` wide.
#[inline]
const fn vpn(addr: u64, level: u32, bits: u32) -> u64 {
    (addr >> (PAGE_SHIFT + VPN_BITS * level)) & ((1 << bits) - 1)
}

/// log2 of the page a leaf at `level` maps.
#[inline]
const fn level_shift(level: u32) -> u32 {
    PAGE_SHIFT + VPN_BITS * level
}

/// Steps 5 and 10: a superpage leaf must have PPN[level-1:0] = 0; the output address takes
/// its low bits from the input address. `None` for a misaligned superpage
/// (norm:Sv39_superpage_align_fault, norm:Sv48_superpage_align_fault).
#[inline]
fn leaf_output(pte_val: u64, level: u32, input: u64) -> Option<u64> {
    let shift = level_shift(level);
    let offset_mask = (1u64 << shift) - 1;
    let base = pte::ppn(pte_val) << PAGE_SHIFT;
    if base & offset_mask != 0 {
        return None;
    }
    Some(base | (input & offset_mask))
}

impl Walker<'_> {
    /// Reads a PTE: an implicit access of width PTESIZE; outside RAM it is an access fault of
    /// the original access type (step 2).
    fn read_pte(&self, pa: u64) -> Result<u64, Fault> {
        self.mem
            .read(HostPhysAddr::new(pa), AccessWidth::Qword)
            .map_err(|_| self.access_fault(pa))
    }

    /// Writes a PTE back with A/D set (step 9).
    fn write_pte(&mut self, pa: u64, val: u64) -> Result<(), Fault> {
        let access = self.access;
        self.mem
            .write(HostPhysAddr::new(pa), AccessWidth::Qword, val)
            .map_err(|_| Fault::Access { access, pa })
    }

    fn access_fault(&self, pa: u64) -> Fault {
        Fault::Access {
            access: self.access,
            pa,
        }
    }

    fn is_write(&self) -> bool {
        self.access == AccessType::Store
    }

    /// The first stage (satp or vsatp). For two-stage translation every PTE address is a GPA
    /// translated by the G-stage as an implicit access.
    fn stage1(&mut self, scheme: Scheme, root_ppn: u64) -> Result<StageResult, Fault> {
        let page_fault = Fault::Page(self.access);
        // norm:Sv39_va_signext, norm:Sv48_va_signext. For V=1 this is the VS-stage, so it is a
        // page fault, not a guest-page fault.
        if !is_canonical(self.va, scheme.va_bits()) {
            return Err(page_fault);
        }
        let virt = self.ctx.virt;
        let mut table = root_ppn << PAGE_SHIFT;
        let mut level = scheme.levels() - 1;
        let mut global = false;
        let mut retries = 0;
        loop {
            // Step 2.
            let pte_gpa = table + vpn(self.va, level, VPN_BITS) * pte::PTE_SIZE;
            let pte_pa = if virt {
                self.g_stage(pte_gpa, GAccess::PteRead)?.0
            } else {
                pte_gpa
            };
            let mut entry = self.read_pte(pte_pa)?;
            // Step 3.
            if pte::is_invalid(entry) {
                return Err(page_fault);
            }
            // Step 4.
            if !pte::is_leaf(entry) {
                global |= entry & pte::G != 0;
                if level == 0 {
                    return Err(page_fault);
                }
                level -= 1;
                table = pte::ppn(entry) << PAGE_SHIFT;
                continue;
            }
            // Step 5.
            let Some(out) = leaf_output(entry, level, self.va) else {
                return Err(page_fault);
            };
            // Steps 6 and 8 (step 7 is Zicfiss, not implemented).
            if !s1_allows(entry, self.ctx, self.access) {
                return Err(page_fault);
            }
            // Step 9.
            let need = ad_needed(self.is_write());
            if entry & need != need {
                if !self.ctx.adue {
                    // Svade (norm:svade_access_ad_bit_clear,
                    // norm:Svadu_disabled_hw_update_falls_back_to_svade).
                    return Err(page_fault);
                }
                // Svadu: the update is an implicit store, G-stage-translated as such
                // (norm:H_vm_gpapriv, norm:H_trap_xtinst_guestpage_rw).
                let write_pa = if virt {
                    self.g_stage(pte_gpa, GAccess::PteWrite)?.0
                } else {
                    pte_pa
                };
                // Atomic compare-and-set: if the PTE changed since step 2 (only possible here
                // through the G-stage A/D update above), return to step 2.
                if self.read_pte(write_pa)? != entry {
                    retries += 1;
                    if retries > MAX_AD_RETRIES {
                        return Err(page_fault);
                    }
                    continue;
                }
                entry |= need;
                self.write_pte(write_pa, entry)?;
            }
            global |= entry & pte::G != 0;
            return Ok(StageResult {
                addr: out,
                leaf: leaf_of(entry, level),
                global,
            });
        }
    }

    /// The G-stage (hgatp) translation of `gpa`, for the explicit access or for an implicit
    /// access to a VS-level PTE. Returns the supervisor physical address and the leaf (`None`
    /// for Bare). Failures are guest-page faults of the original access type
    /// (norm:H_vm_gpatrans, norm:H_vm_gpapriv).
    fn g_stage(&mut self, gpa: u64, why: GAccess) -> Result<(u64, Option<Leaf>), Fault> {
        let fault = Fault::GuestPage {
            access: self.access,
            gpa,
            implicit: why != GAccess::Explicit,
            pte_write: why == GAccess::PteWrite,
        };
        let scheme = match self.hgatp.mode {
            // norm:hgatp_mode_bare_trans.
            AtpMode::Bare => return Ok((gpa, None)),
            AtpMode::Paged(s) => s,
            // Unreachable through the CSR file, which legalises the WARL MODE.
            AtpMode::Unsupported(_) => return Err(fault),
        };
        // norm:hgatp_mode_sv39x4, norm:hgatp_mode_sv48x4: bits above the GPA width must be 0.
        if gpa >> scheme.gpa_bits() != 0 {
            return Err(fault);
        }
        let write = match why {
            GAccess::Explicit => self.is_write(),
            GAccess::PteRead => false,
            GAccess::PteWrite => true,
        };
        let top = scheme.levels() - 1;
        let mut table = self.hgatp.ppn << PAGE_SHIFT;
        let mut level = top;
        loop {
            // The root table is indexed by 2 extra bits (16 KiB, norm:hgatp_mode_x4).
            let bits = if level == top {
                VPN_BITS + X4_EXTRA_BITS
            } else {
                VPN_BITS
            };
            let pte_pa = table + vpn(gpa, level, bits) * pte::PTE_SIZE;
            let mut entry = self.read_pte(pte_pa)?;
            if pte::is_invalid(entry) {
                return Err(fault);
            }
            if !pte::is_leaf(entry) {
                if level == 0 {
                    return Err(fault);
                }
                level -= 1;
                table = pte::ppn(entry) << PAGE_SHIFT;
                continue;
            }
            let Some(out) = leaf_output(entry, level, gpa) else {
                return Err(fault);
            };
            if !g_allows(entry, self.ctx, self.access, why) {
                return Err(fault);
            }
            let need = ad_needed(write);
            if entry & need != need {
                if !self.ctx.g_adue {
                    return Err(fault);
                }
                // Nothing else runs between the read above and this write, so the atomic
                // compare of step 9 always succeeds.
                entry |= need;
                self.write_pte(pte_pa, entry)?;
            }
            return Ok((out, Some(leaf_of(entry, level))));
        }
    }
}

fn leaf_of(entry: u64, level: u32) -> Leaf {
    Leaf {
        flags: (entry & pte::FLAGS) as u8,
        page_shift: level_shift(level) as u8,
    }
}
