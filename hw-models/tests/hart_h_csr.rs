//! CSR WARL and aliasing properties of the S, H, VS and M CSRs with the hypervisor extension,
//! through the public API (debugger accesses and `csr_access` as a given mode). The expected
//! masks are written here from the spec's register layouts, not taken from the model.

use hw_models::riscv::csr_num as n;
use hw_models::riscv::hart::{CsrAccess, Hart, HartConfig, IrqLine};
use hw_models::riscv::privilege::Mode;
use proptest::prelude::*;

const fn bit(i: u32) -> u64 {
    1 << i
}
// Interrupt bits (mip layout).
const SSI: u64 = bit(1);
const VSSI: u64 = bit(2);
const MSI: u64 = bit(3);
const STI: u64 = bit(5);
const VSTI: u64 = bit(6);
const MTI: u64 = bit(7);
const SEI: u64 = bit(9);
const VSEI: u64 = bit(10);
const MEI: u64 = bit(11);
const SGEI: u64 = bit(12);
const VS_INTS: u64 = VSSI | VSTI | VSEI;
const S_INTS: u64 = SSI | STI | SEI;
// menvcfg/henvcfg.
const STCE: u64 = bit(63);
const ADUE: u64 = bit(61);
const FIOM: u64 = 1;

fn new_hart() -> Hart {
    Hart::new(HartConfig::default())
}

fn access(h: &mut Hart, m: Mode, csr: u16, op: CsrAccess) -> Result<u64, u64> {
    h.csr_access(m, csr, op).map_err(|e| e.cause)
}

fn w(h: &mut Hart, m: Mode, csr: u16, v: u64) {
    access(h, m, csr, CsrAccess::Write(v)).unwrap_or_else(|c| panic!("write {csr:#x}: cause {c}"));
}

fn r(h: &mut Hart, m: Mode, csr: u16) -> u64 {
    access(h, m, csr, CsrAccess::Read).unwrap_or_else(|c| panic!("read {csr:#x}: cause {c}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// norm:hstatus_vsxl_64, norm:vsxl_ro (VSXL read-only 2), norm:hstatus_vsbe_op (VSBE
    /// read-only 0), norm:hstatus_vgein_op (VGEIN holds 0..=GEILEN = 7; hvsim keeps the old
    /// value otherwise), WPRI fields read 0.
    #[test]
    fn hstatus_warl(first in any::<u64>(), v in any::<u64>()) {
        let mut h = new_hart();
        w(&mut h, Mode::HS, n::HSTATUS, first);
        let old = r(&mut h, Mode::HS, n::HSTATUS);
        w(&mut h, Mode::HS, n::HSTATUS, v);
        let got = r(&mut h, Mode::HS, n::HSTATUS);
        let writable = bit(6) | bit(7) | bit(8) | bit(9) | bit(20) | bit(21) | bit(22);
        let vgein_field = 0x3f << 12;
        let vgein = if (v >> 12) & 0x3f <= 7 { v & vgein_field } else { old & vgein_field };
        prop_assert_eq!(got, (v & writable) | vgein | (2 << 32));
    }

    /// norm:hedeleg_acc / HEDELEG_WARL (0-8, 12, 13, 15, 18, 19 writable; 9-11, 16, 20-23
    /// read-only 0),
    /// norm:hideleg_acc / HIDELEG_WARL (only 2, 6, 10 writable), norm:mideleg_acc_h (VS bits
    /// and SGEI read-only 1 with GEILEN > 0), medeleg (11 and 16 read-only 0).
    #[test]
    fn delegation_masks(v in any::<u64>()) {
        let mut h = new_hart();
        w(&mut h, Mode::HS, n::HEDELEG, v);
        let hedeleg_writable: u64 =
            (0..=8).chain([12, 13, 15, 18, 19]).map(bit).sum::<u64>();
        prop_assert_eq!(r(&mut h, Mode::HS, n::HEDELEG), v & hedeleg_writable);
        w(&mut h, Mode::HS, n::HIDELEG, v);
        prop_assert_eq!(r(&mut h, Mode::HS, n::HIDELEG), v & VS_INTS);
        w(&mut h, Mode::M, n::MIDELEG, v);
        prop_assert_eq!(r(&mut h, Mode::M, n::MIDELEG), (v & S_INTS) | VS_INTS | SGEI);
        w(&mut h, Mode::M, n::MEDELEG, v);
        let medeleg_writable: u64 =
            (0..=10).chain([12, 13, 15, 20, 21, 22, 23]).map(bit).sum::<u64>();
        prop_assert_eq!(r(&mut h, Mode::M, n::MEDELEG), v & medeleg_writable);
    }

    /// The pending/enable aliasing (norm:mip_mie_alias, norm:hip_op, norm:hie_op,
    /// norm:hip_vseip_vseie_op, norm:hip_vssip_vssie_op, norm:sie_hip_hie_mutex,
    /// norm:vsip_vsie_sei, norm:vsip_vsie_sti, norm:vsip_vsie_ssi, norm:hgeip_hgeie_fields):
    /// every view is computed here from the sources and compared.
    #[test]
    fn interrupt_views(
        hvip in any::<u64>(), mie in any::<u64>(), mip_sw in any::<u64>(),
        lines in 0u8..16, hgeip in any::<u8>(), hgeie in any::<u64>(), vgein in 0u64..8,
        hideleg in any::<u64>(), mideleg in any::<u64>(),
    ) {
        let mut h = new_hart();
        w(&mut h, Mode::M, n::MIDELEG, mideleg);
        w(&mut h, Mode::HS, n::HIDELEG, hideleg);
        w(&mut h, Mode::HS, n::HVIP, hvip);
        w(&mut h, Mode::M, n::MIE, mie);
        w(&mut h, Mode::M, n::MIP, mip_sw);
        w(&mut h, Mode::HS, n::HGEIE, hgeie);
        w(&mut h, Mode::HS, n::HSTATUS, vgein << 12);
        let line_list = [IrqLine::Msip, IrqLine::Mtip, IrqLine::Meip, IrqLine::Seip];
        for (k, l) in line_list.iter().enumerate() {
            h.set_irq_line(*l, lines >> k & 1 != 0);
        }
        for g in 0..8 {
            h.set_guest_irq_line(g, hgeip >> g & 1 != 0);
        }
        // Sources.
        let geilen_mask: u64 = 0xfe;
        let hgeip_v = u64::from(hgeip) & geilen_mask;
        let hgeie_v = hgeie & geilen_mask;
        let line_bits = [MSI, MTI, MEI, SEI];
        let lines_v: u64 = (0..4).filter(|k| lines >> k & 1 != 0).map(|k| line_bits[k]).sum();
        let vseip_ext = vgein != 0 && (hgeip_v >> vgein) & 1 != 0;
        // The mip write came after the hvip write: mip.VSSIP is the writable alias of
        // hvip.VSSIP.
        let hvip_v = (hvip & (VSTI | VSEI)) | (mip_sw & VSSI);
        let mip = lines_v
            | (mip_sw & S_INTS)
            | hvip_v
            | if vseip_ext { VSEI } else { 0 }
            | if hgeip_v & hgeie_v != 0 { SGEI } else { 0 };
        let mie_v = mie & (S_INTS | MSI | MTI | MEI | VS_INTS | SGEI);
        let mideleg_v = (mideleg & S_INTS) | VS_INTS | SGEI;
        let hideleg_v = hideleg & VS_INTS;
        prop_assert_eq!(r(&mut h, Mode::M, n::MIP), mip);
        prop_assert_eq!(r(&mut h, Mode::M, n::MIE), mie_v);
        prop_assert_eq!(r(&mut h, Mode::HS, n::HGEIP), hgeip_v);
        prop_assert_eq!(r(&mut h, Mode::HS, n::HIP), mip & (VS_INTS | SGEI));
        prop_assert_eq!(r(&mut h, Mode::HS, n::HIE), mie_v & (VS_INTS | SGEI));
        prop_assert_eq!(r(&mut h, Mode::HS, n::SIP), mip & mideleg_v & S_INTS);
        prop_assert_eq!(r(&mut h, Mode::HS, n::SIE), mie_v & mideleg_v & S_INTS);
        prop_assert_eq!(r(&mut h, Mode::HS, n::VSIP), (mip & hideleg_v) >> 1);
        prop_assert_eq!(r(&mut h, Mode::HS, n::VSIE), (mie_v & hideleg_v) >> 1);
        // From V=1, sip/sie are vsip/vsie (norm:H_vscsrs_sub).
        prop_assert_eq!(r(&mut h, Mode::VS, n::SIP), (mip & hideleg_v) >> 1);
        prop_assert_eq!(r(&mut h, Mode::VS, n::SIE), (mie_v & hideleg_v) >> 1);
    }

    /// Writable aliases: hip.VSSIP and vsip.SSIP (when delegated) write hvip.VSSIP; mip
    /// VSTIP/VSEIP/SGEIP are read-only (norm:hip_acc, norm:HIP_WARL, norm:VSIP_WARL).
    #[test]
    fn vssip_aliases(v in any::<u64>(), hideleg in any::<u64>(), via in 0u8..3) {
        let mut h = new_hart();
        w(&mut h, Mode::HS, n::HIDELEG, hideleg);
        let before = r(&mut h, Mode::HS, n::HVIP);
        match via {
            0 => w(&mut h, Mode::HS, n::HIP, v),
            1 => w(&mut h, Mode::M, n::MIP, v),
            _ => w(&mut h, Mode::VS, n::SIP, v),
        }
        let writable = via != 2 || hideleg & VSSI != 0;
        let src = if via == 2 { (v & SSI) << 1 } else { v & VSSI };
        let expect = if writable { (before & !VSSI) | src } else { before };
        prop_assert_eq!(r(&mut h, Mode::HS, n::HVIP), expect);
        prop_assert_eq!(r(&mut h, Mode::HS, n::HIP) & (VSTI | VSEI | SGEI), 0);
    }

    /// norm:H_vscsrs_sub, norm:H_vscsrs_v1: from VS, the S CSR numbers reach the VS CSRs
    /// (same WARL result as writing the VS CSR from HS) and the HS CSRs keep their values.
    #[test]
    fn vs_substitution(v in any::<u64>(), k in 0usize..10) {
        let pairs = [
            (n::SSTATUS, n::VSSTATUS), (n::SIE, n::VSIE), (n::STVEC, n::VSTVEC),
            (n::SSCRATCH, n::VSSCRATCH), (n::SEPC, n::VSEPC), (n::SCAUSE, n::VSCAUSE),
            (n::STVAL, n::VSTVAL), (n::SIP, n::VSIP), (n::SATP, n::VSATP),
            (n::STIMECMP, n::VSTIMECMP),
        ];
        let (s, vs) = pairs[k];
        let setup = |h: &mut Hart| {
            w(h, Mode::M, n::MENVCFG, STCE);
            w(h, Mode::HS, n::HENVCFG, STCE);
            w(h, Mode::M, n::MCOUNTEREN, 2);
            w(h, Mode::HS, n::HCOUNTEREN, 2);
            w(h, Mode::HS, n::HIDELEG, VS_INTS);
        };
        let mut a = new_hart();
        setup(&mut a);
        let hs_before = r(&mut a, Mode::HS, s);
        w(&mut a, Mode::VS, s, v);
        let mut b = new_hart();
        setup(&mut b);
        w(&mut b, Mode::HS, vs, v);
        prop_assert_eq!(r(&mut a, Mode::HS, vs), r(&mut b, Mode::HS, vs));
        prop_assert_eq!(r(&mut a, Mode::VS, s), r(&mut b, Mode::HS, vs));
        prop_assert_eq!(r(&mut a, Mode::HS, s), hs_before);
    }

    /// norm:satp_mode_op_unsupported, norm:vsatp_mode_unsupported_v0/_v1: a write with a MODE
    /// other than Bare (0), Sv39 (8), Sv48 (9) has no effect; ASIDLEN = 16.
    #[test]
    fn satp_mode_warl(first_ppn in 0u64..(1 << 44), v in any::<u64>(), csr in 0u8..2) {
        let num = if csr == 0 { n::SATP } else { n::VSATP };
        let mut h = new_hart();
        let first = (8 << 60) | first_ppn;
        w(&mut h, Mode::HS, num, first);
        w(&mut h, Mode::HS, num, v);
        let supported = matches!(v >> 60, 0 | 8 | 9);
        prop_assert_eq!(r(&mut h, Mode::HS, num), if supported { v } else { first });
    }

    /// norm:HGATP_MODE_WARL (an unsupported MODE is not ignored; hvsim keeps the old MODE and
    /// writes the other fields), norm:hgatp_vmid_lsbs / HGATP_VMID (VMIDLEN = 14: bits 59:58
    /// read 0), norm:hgatp_ppn_op (PPN[1:0] read 0).
    #[test]
    fn hgatp_warl(first_mode in prop::sample::select(vec![0u64, 8, 9]), v in any::<u64>()) {
        let mut h = new_hart();
        w(&mut h, Mode::HS, n::HGATP, first_mode << 60);
        w(&mut h, Mode::HS, n::HGATP, v);
        let mode = if matches!(v >> 60, 0 | 8 | 9) { v >> 60 } else { first_mode };
        let vmid = (v >> 44) & 0x3fff;
        let ppn = v & ((1 << 44) - 1) & !3;
        prop_assert_eq!(r(&mut h, Mode::HS, n::HGATP), (mode << 60) | (vmid << 44) | ppn);
    }

    /// sstatus is a view of mstatus (priv "sstatus"): writes change only SIE, SPIE, SPP, SUM,
    /// MXR; reads show those plus UXL.
    #[test]
    fn sstatus_view(m in any::<u64>(), v in any::<u64>()) {
        let mut h = new_hart();
        w(&mut h, Mode::M, n::MSTATUS, m);
        let before = r(&mut h, Mode::M, n::MSTATUS);
        w(&mut h, Mode::HS, n::SSTATUS, v);
        let sw = bit(1) | bit(5) | bit(8) | bit(18) | bit(19);
        let after = r(&mut h, Mode::M, n::MSTATUS);
        prop_assert_eq!(after, (before & !sw) | (v & sw));
        prop_assert_eq!(r(&mut h, Mode::HS, n::SSTATUS), after & (sw | (3 << 32)));
        // vsstatus: same writable fields, UXL read-only 2 (norm:VSSTATUS_UXL_WARL).
        w(&mut h, Mode::HS, n::VSSTATUS, v);
        prop_assert_eq!(r(&mut h, Mode::HS, n::VSSTATUS), (v & sw) | (2 << 32));
    }

    /// henvcfg.ADUE/STCE are read-only 0 while clear in menvcfg (norm:menvcfg_adue_rdonly0
    /// and the Sstc rule); PBMTE, CBZE etc. are read-only 0 (extensions absent).
    #[test]
    fn envcfg_warl(m in any::<u64>(), hv in any::<u64>(), s in any::<u64>()) {
        let mut h = new_hart();
        w(&mut h, Mode::M, n::MENVCFG, m);
        prop_assert_eq!(r(&mut h, Mode::M, n::MENVCFG), m & (FIOM | ADUE | STCE));
        w(&mut h, Mode::HS, n::HENVCFG, hv);
        prop_assert_eq!(r(&mut h, Mode::HS, n::HENVCFG), hv & (FIOM | (m & (ADUE | STCE))));
        w(&mut h, Mode::HS, n::SENVCFG, s);
        prop_assert_eq!(r(&mut h, Mode::HS, n::SENVCFG), s & FIOM);
    }

    /// norm:time_htimedelta_req / htimedelta: `time` reads time + htimedelta at V=1; Sstc
    /// comparators: STIP = time >= stimecmp, VSTIP = time + htimedelta >= vstimecmp, only with
    /// STCE (norm:mip_sip_stip_op, norm:hip_vstip_op, norm:henvcfg_stce).
    #[test]
    fn time_and_sstc(t in any::<u64>(), delta in any::<u64>(), cmp in any::<u64>(),
                     vcmp in any::<u64>(), stce in any::<bool>(), hstce in any::<bool>()) {
        let mut h = new_hart();
        w(&mut h, Mode::M, n::MCOUNTEREN, 7);
        w(&mut h, Mode::HS, n::HCOUNTEREN, 7);
        w(&mut h, Mode::M, n::MENVCFG, if stce { STCE } else { 0 });
        w(&mut h, Mode::HS, n::HENVCFG, if hstce { STCE } else { 0 });
        w(&mut h, Mode::HS, n::HTIMEDELTA, delta);
        w(&mut h, Mode::M, n::STIMECMP, cmp);
        w(&mut h, Mode::M, n::VSTIMECMP, vcmp);
        h.set_time(t);
        prop_assert_eq!(r(&mut h, Mode::HS, n::TIME), t);
        prop_assert_eq!(r(&mut h, Mode::VS, n::TIME), t.wrapping_add(delta));
        let mip = r(&mut h, Mode::M, n::MIP);
        prop_assert_eq!(mip & STI != 0, stce && t >= cmp);
        prop_assert_eq!(mip & VSTI != 0, stce && hstce && t.wrapping_add(delta) >= vcmp);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The plain registers: xtvec MODE bit 1 hardwired 0 (Direct/Vectored only), xepc bit 0
    /// zero (IALIGN = 16; norm:VSEPC_WARL), xcause WLRL (any value kept; norm:VSCAUSE_WLRL),
    /// xtval/htval/htinst/mtval2/mtinst/htimedelta/xscratch hold anything (norm:HTINST_WARL,
    /// norm:MTINST_WARL, norm:MTVAL2_WARL), counter enables 32 bits (norm:HCOUNTEREN_WARL),
    /// hgeie bits GEILEN:1 (norm:HGEIE_WARL), hvip VS bits only (norm:HVIP_WARL).
    #[test]
    fn plain_register_masks(v in any::<u64>()) {
        let mut h = new_hart();
        let cases: [(u16, Mode, u64); 22] = [
            (n::STVEC, Mode::HS, v & !2),
            (n::VSTVEC, Mode::HS, v & !2),
            (n::SEPC, Mode::HS, v & !1),
            (n::VSEPC, Mode::HS, v & !1),
            (n::SCAUSE, Mode::HS, v),
            (n::VSCAUSE, Mode::HS, v),
            (n::STVAL, Mode::HS, v),
            (n::VSTVAL, Mode::HS, v),
            (n::SSCRATCH, Mode::HS, v),
            (n::VSSCRATCH, Mode::HS, v),
            (n::HTVAL, Mode::HS, v),
            (n::HTINST, Mode::HS, v),
            (n::HTIMEDELTA, Mode::HS, v),
            (n::MTVAL2, Mode::M, v),
            (n::MTINST, Mode::M, v),
            (n::SCOUNTEREN, Mode::HS, v & 0xffff_ffff),
            (n::HCOUNTEREN, Mode::HS, v & 0xffff_ffff),
            (n::MCOUNTEREN, Mode::M, v & 0xffff_ffff),
            (n::HGEIE, Mode::HS, v & 0xfe),
            (n::HVIP, Mode::HS, v & VS_INTS),
            (n::STIMECMP, Mode::M, v),
            (n::VSTIMECMP, Mode::M, v),
        ];
        for (c, m, expect) in cases {
            w(&mut h, m, c, v);
            prop_assert_eq!(r(&mut h, m, c), expect, "csr {:#x}", c);
        }
    }
}

/// misa reports H and S (hvsim: misa is read-only, writes are ignored).
#[test]
fn misa_has_h() {
    let mut h = new_hart();
    let misa = r(&mut h, Mode::M, n::MISA);
    assert_ne!(misa & bit(7), 0, "H");
    assert_ne!(misa & bit(18), 0, "S");
    w(&mut h, Mode::M, n::MISA, 0);
    assert_eq!(r(&mut h, Mode::M, n::MISA), misa);
}

/// mtval2/mtinst exist with H and hold what is written; hgeip is read-only
/// (norm:hgeip_sz_acc_op): a write is illegal even from M.
#[test]
fn m_additions_and_read_only_hgeip() {
    let mut h = new_hart();
    w(&mut h, Mode::M, n::MTVAL2, 0x1234);
    assert_eq!(r(&mut h, Mode::M, n::MTVAL2), 0x1234);
    w(&mut h, Mode::M, n::MTINST, 0x3000);
    assert_eq!(r(&mut h, Mode::M, n::MTINST), 0x3000);
    assert_eq!(
        access(&mut h, Mode::M, n::HGEIP, CsrAccess::Write(2)),
        Err(2)
    );
    assert_eq!(access(&mut h, Mode::HS, n::MTVAL2, CsrAccess::Read), Err(2));
}
