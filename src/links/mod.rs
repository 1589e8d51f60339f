//! Links: the internal links of a built site ([`internal`], run by every build before the output
//! is swapped in) and the external addresses of the entries ([`external`], `check --links`).

pub mod external;
mod fast_scan;
pub mod internal;
