//! `skip` and `limit` (SPEC §3): the page a list asks for, and the ranges each may take.

/// The page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub skip: u64,
    pub limit: u32,
}

impl Paging {
    pub const DEFAULT_LIMIT: u32 = 10;
    pub const MAX_LIMIT: u32 = 100;
    /// Far beyond any real page depth; keeps arithmetic on skip + limit safe.
    pub const MAX_SKIP: u64 = 1_000_000_000;

    /// The end of the page, in items from the start.
    pub fn end(&self) -> u64 {
        self.skip + u64::from(self.limit)
    }
}
