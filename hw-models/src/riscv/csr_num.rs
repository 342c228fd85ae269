//! CSR numbers (priv spec, "CSR Listing" tables), by their spec names.
//!
//! Only numbers live here; each CSR's behaviour (WARL masks, aliasing, side effects) belongs
//! to the hart's CSR file.

macro_rules! csrs {
    ($($(#[$doc:meta])* $name:ident = $num:expr, $text:literal;)*) => {
        $($(#[$doc])* pub const $name: u16 = $num;)*

        /// The spec name of a CSR number, if the hart knows it.
        pub fn name(num: u16) -> Option<&'static str> {
            match num {
                $($num => Some($text),)*
                0x3a0..=0x3af => Some(PMPCFG_NAMES[(num - 0x3a0) as usize]),
                0x3b0..=0x3ef => Some(PMPADDR_NAMES[(num - 0x3b0) as usize]),
                0xb03..=0xb1f => Some(MHPMCOUNTER_NAMES[(num - 0xb03) as usize]),
                0xc03..=0xc1f => Some(HPMCOUNTER_NAMES[(num - 0xc03) as usize]),
                0x323..=0x33f => Some(MHPMEVENT_NAMES[(num - 0x323) as usize]),
                _ => None,
            }
        }

        /// The CSR number for a spec name (the inverse of [`name`]).
        pub fn by_name(text: &str) -> Option<u16> {
            match text {
                $($text => Some($num),)*
                _ => (0u16..=0xfff).find(|&n| name(n) == Some(text)),
            }
        }
    };
}

csrs! {
    // Unprivileged counters (Zicntr).
    CYCLE = 0xc00, "cycle";
    TIME = 0xc01, "time";
    INSTRET = 0xc02, "instret";
    // Supervisor.
    SSTATUS = 0x100, "sstatus";
    SIE = 0x104, "sie";
    STVEC = 0x105, "stvec";
    SCOUNTEREN = 0x106, "scounteren";
    SENVCFG = 0x10a, "senvcfg";
    SSCRATCH = 0x140, "sscratch";
    SEPC = 0x141, "sepc";
    SCAUSE = 0x142, "scause";
    STVAL = 0x143, "stval";
    SIP = 0x144, "sip";
    /// Sstc.
    STIMECMP = 0x14d, "stimecmp";
    SATP = 0x180, "satp";
    // Hypervisor.
    HSTATUS = 0x600, "hstatus";
    HEDELEG = 0x602, "hedeleg";
    HIDELEG = 0x603, "hideleg";
    HIE = 0x604, "hie";
    HTIMEDELTA = 0x605, "htimedelta";
    HCOUNTEREN = 0x606, "hcounteren";
    HGEIE = 0x607, "hgeie";
    HENVCFG = 0x60a, "henvcfg";
    HTVAL = 0x643, "htval";
    HIP = 0x644, "hip";
    HVIP = 0x645, "hvip";
    HTINST = 0x64a, "htinst";
    HGATP = 0x680, "hgatp";
    HGEIP = 0xe12, "hgeip";
    // Virtual supervisor.
    VSSTATUS = 0x200, "vsstatus";
    VSIE = 0x204, "vsie";
    VSTVEC = 0x205, "vstvec";
    VSSCRATCH = 0x240, "vsscratch";
    VSEPC = 0x241, "vsepc";
    VSCAUSE = 0x242, "vscause";
    VSTVAL = 0x243, "vstval";
    VSIP = 0x244, "vsip";
    /// Sstc.
    VSTIMECMP = 0x24d, "vstimecmp";
    VSATP = 0x280, "vsatp";
    // Machine information.
    MVENDORID = 0xf11, "mvendorid";
    MARCHID = 0xf12, "marchid";
    MIMPID = 0xf13, "mimpid";
    MHARTID = 0xf14, "mhartid";
    MCONFIGPTR = 0xf15, "mconfigptr";
    // Machine trap setup and handling.
    MSTATUS = 0x300, "mstatus";
    MISA = 0x301, "misa";
    MEDELEG = 0x302, "medeleg";
    MIDELEG = 0x303, "mideleg";
    MIE = 0x304, "mie";
    MTVEC = 0x305, "mtvec";
    MCOUNTEREN = 0x306, "mcounteren";
    MENVCFG = 0x30a, "menvcfg";
    MCOUNTINHIBIT = 0x320, "mcountinhibit";
    MSCRATCH = 0x340, "mscratch";
    MEPC = 0x341, "mepc";
    MCAUSE = 0x342, "mcause";
    MTVAL = 0x343, "mtval";
    MIP = 0x344, "mip";
    MTINST = 0x34a, "mtinst";
    MTVAL2 = 0x34b, "mtval2";
    // Debug/trace triggers (Sdtrig), shared with Debug Mode.
    TSELECT = 0x7a0, "tselect";
    TDATA1 = 0x7a1, "tdata1";
    TDATA2 = 0x7a2, "tdata2";
    TDATA3 = 0x7a3, "tdata3";
    TINFO = 0x7a4, "tinfo";
    // Machine counters.
    MCYCLE = 0xb00, "mcycle";
    MINSTRET = 0xb02, "minstret";
    // Memory protection (numbers only; the ranges are named by `name`).
    PMPCFG0 = 0x3a0, "pmpcfg0";
    PMPADDR0 = 0x3b0, "pmpaddr0";
}

macro_rules! numbered {
    ($id:ident, $prefix:literal, $first:literal, $($n:literal)*) => {
        static $id: &[&str] = &[$(concat!($prefix, $n)),*];
    };
}

numbered!(PMPCFG_NAMES, "pmpcfg", 0, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
numbered!(PMPADDR_NAMES, "pmpaddr", 0,
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
    32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);
numbered!(MHPMCOUNTER_NAMES, "mhpmcounter", 3,
    3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
numbered!(HPMCOUNTER_NAMES, "hpmcounter", 3,
    3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
numbered!(MHPMEVENT_NAMES, "mhpmevent", 3,
    3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(name(HGATP), Some("hgatp"));
        assert_eq!(by_name("vsatp"), Some(0x280));
        assert_eq!(name(0x3a0 + 15), Some("pmpcfg15"));
        assert_eq!(name(0x3b0 + 63), Some("pmpaddr63"));
        assert_eq!(by_name("mhpmcounter31"), Some(0xb1f));
        assert_eq!(name(0x7ff), None);
    }
}
