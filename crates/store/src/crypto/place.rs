//! Where a ciphertext belongs, bound into it as associated data.

use postroom_core::tenant::TenantId;

/// The place a sealed value is stored at. Sealing binds the tenant and this place into the
/// ciphertext, so the same bytes copied to another row, column, blob key or tenant are
/// rejected on opening instead of silently read as someone else's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// One column of one row: `table`, `column` and the row's primary key.
    Column {
        table: &'static str,
        column: &'static str,
        row: String,
    },
    /// A blob at its full object key.
    Blob { key: String },
}

impl Place {
    pub fn column(table: &'static str, column: &'static str, row: impl Into<String>) -> Self {
        Place::Column {
            table,
            column,
            row: row.into(),
        }
    }

    pub fn blob(key: impl Into<String>) -> Self {
        Place::Blob { key: key.into() }
    }

    /// The associated data: unambiguous because every part is length-prefixed.
    pub(crate) fn aad(&self, tenant: &TenantId) -> Vec<u8> {
        let mut out = b"postroom/v1".to_vec();
        let parts: Vec<&str> = match self {
            Place::Column { table, column, row } => vec!["column", table, column, row],
            Place::Blob { key } => vec!["blob", key],
        };
        for part in std::iter::once(tenant.as_str()).chain(parts) {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Column { table, column, row } => write!(f, "{table}.{column} of row {row}"),
            Place::Blob { key } => write!(f, "blob {key}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aad_differs_by_tenant_and_every_part_of_the_place() {
        let a = TenantId::parse("a").ok();
        let b = TenantId::parse("b").ok();
        let (Some(a), Some(b)) = (a, b) else {
            panic!("tenant ids");
        };
        let base = Place::column("t", "c", "1").aad(&a);
        assert_ne!(base, Place::column("t", "c", "1").aad(&b));
        assert_ne!(base, Place::column("t", "c", "2").aad(&a));
        assert_ne!(base, Place::column("t", "d", "1").aad(&a));
        assert_ne!(base, Place::column("u", "c", "1").aad(&a));
        assert_ne!(base, Place::blob("t/c/1").aad(&a));
        // Length prefixes keep "ab"+"c" apart from "a"+"bc".
        assert_ne!(
            Place::column("t", "ab", "c").aad(&a),
            Place::column("t", "a", "bc").aad(&a)
        );
    }
}
