//! The memory limit of a model: every entity's arrays and every probe's buffer are estimated
//! before they are allocated, and a model that would not fit is an error naming the entity
//! and the field that sets its size, instead of an abort (or a machine swapping for hours).

use bevy_ecs::prelude::*;

use crate::registry::{Footprint, KindError};

/// The bytes a model may use and the bytes its entities take (a resource of every model's
/// world). Estimates ([`crate::Kind::footprint`], probe buffers) are charged against it before
/// the memory is allocated.
#[derive(Resource, Clone, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    /// Bytes the model may use (entities and probe buffers together).
    pub limit: u64,
    /// Bytes its entities take (estimated).
    pub used: u64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes, none used.
    pub fn new(limit: u64) -> Self {
        Self { limit, used: 0 }
    }

    /// Adds `f` to the bytes used, or says which field would take the model past the limit.
    pub(crate) fn charge(&mut self, f: Footprint) -> Result<(), KindError> {
        match self.used.checked_add(f.bytes).filter(|&t| t <= self.limit) {
            Some(total) => {
                self.used = total;
                Ok(())
            }
            None => Err(KindError::Memory {
                field: f.field.to_string(),
                what: f.what,
                needed: f.bytes,
                limit: self.limit,
                in_use: self.used,
            }),
        }
    }

    /// Bytes left for probe buffers.
    pub fn available(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// The limit a model gets unless told otherwise: 80 % of the machine's physical memory
/// (`MemTotal` of `/proc/meminfo` on Linux), else 16 GiB.
pub fn default_memory_limit() -> u64 {
    physical_memory().map_or(16 << 30, |total| total / 5 * 4)
}

/// Physical memory (bytes), where the system says.
fn physical_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Parses a size in bytes: a whole number, optionally followed by `K`, `M`, `G` or `T`
/// (powers of 1024; `KiB`, `GB` … are accepted as the same), e.g. `4G`, `512M`, `1000000`.
///
/// ```
/// use cortecs::model::parse_bytes;
/// assert_eq!(parse_bytes("4G"), Ok(4 << 30));
/// assert_eq!(parse_bytes("512MiB"), Ok(512 << 20));
/// assert_eq!(parse_bytes("1000"), Ok(1000));
/// assert!(parse_bytes("-1").is_err());
/// assert!(parse_bytes("99999999999T").is_err()); // past u64
/// ```
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, suffix) = t.split_at(digits);
    let shift = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => {
            return Err(format!(
                "expected a size such as 4G, 512M or 1000000, found `{text}`"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("expected a size such as 4G, 512M or 1000000, found `{text}`"))
}
