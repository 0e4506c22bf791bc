//! The inventory as a Markdown table (for people) or JSON (for tools).

use super::{BLOBS, FILES, SENT, TABLES};

/// The table of DESIGN.md §5 for what exists: one row per table, blob prefix and key file.
pub fn to_markdown() -> String {
    let mut out = String::from("| data | where | protection | kept |\n| --- | --- | --- | --- |\n");
    for t in TABLES {
        out.push_str(&format!(
            "| {} | DB table `{}` | {} | {} |\n",
            t.what, t.name, t.protection, t.kept
        ));
    }
    for b in BLOBS {
        out.push_str(&format!(
            "| {} | blob store `<tenant>/{}/` | {} | {} |\n",
            b.what, b.prefix, b.protection, b.kept
        ));
    }
    for f in FILES {
        out.push_str(&format!(
            "| {} | file `{}` under storage.data_dir | {} | {} |\n",
            f.what, f.path, f.protection, f.kept
        ));
    }
    for sent in SENT {
        out.push_str(&format!(
            "| {} | sent to {} | {} | {} |\n",
            sent.what, sent.to, sent.protection, sent.kept
        ));
    }
    out
}

/// Everything, columns included: `{"tables": […], "blobs": […], "files": […], "sent": […]}`.
pub fn to_json() -> serde_json::Value {
    serde_json::json!({
        "tables": TABLES,
        "blobs": BLOBS,
        "files": FILES,
        "sent": SENT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_has_a_row_per_declaration() {
        let md = to_markdown();
        assert_eq!(
            md.lines().count(),
            2 + TABLES.len() + BLOBS.len() + FILES.len() + SENT.len()
        );
        assert!(md.contains("`api_tokens`") && md.contains("7 days"));
    }

    #[test]
    fn json_lists_every_table_with_its_retention_and_columns() {
        let json = to_json();
        let tables = json["tables"].as_array().cloned().unwrap_or_default();
        assert_eq!(tables.len(), TABLES.len());
        for t in &tables {
            assert!(t["kept"].as_str().is_some_and(|k| !k.is_empty()), "{t}");
            assert!(
                t["columns"].as_array().is_some_and(|c| !c.is_empty()),
                "{t}"
            );
        }
        assert_eq!(json["blobs"][0]["prefix"], "inbound");
    }
}
