//! Plain device models, wired to a board's bus or emulated behind MMIO exits.
