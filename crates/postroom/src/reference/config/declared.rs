//! The configuration's declarations as `build.rs` captured them (`$OUT_DIR/config_docs.rs`),
//! and how their types, serde settings and names read.

/// One struct or enum of the configuration, as `build.rs` read it.
pub(super) struct Declared {
    pub(super) source: &'static str,
    pub(super) name: &'static str,
    pub(super) doc: &'static str,
    pub(super) serde: &'static [&'static str],
    pub(super) shape: Shape,
}

pub(super) enum Shape {
    Struct(&'static [Field]),
    Enum(&'static [Variant]),
}

pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) doc: &'static str,
    /// The type as written, reduced to names: `Option<PathBuf>`, `Vec<Network>`.
    pub(super) ty: &'static str,
    pub(super) serde: &'static [&'static str],
    /// The value of its `#[serde(default = "fn")]` function, when that is a constant.
    pub(super) default_value: Option<&'static str>,
}

pub(super) struct Variant {
    pub(super) name: &'static str,
    pub(super) doc: &'static str,
    pub(super) is_default: bool,
    pub(super) fields: &'static [Field],
}

static DECLARED: &[Declared] = include!(concat!(env!("OUT_DIR"), "/config_docs.rs"));

pub(super) fn find(name: &str, near: &str) -> Option<&'static Declared> {
    DECLARED
        .iter()
        .find(|d| d.name == name && d.source == near)
        .or_else(|| DECLARED.iter().find(|d| d.name == name))
}

pub(super) fn has(serde: &[&str], flag: &str) -> bool {
    serde.contains(&flag)
}

pub(super) fn setting<'s>(serde: &[&'s str], name: &str) -> Option<&'s str> {
    serde
        .iter()
        .find_map(|s| s.strip_prefix(name)?.strip_prefix('='))
}

/// `Option<X>`, `Vec<X>` and `Box<X>` unwrapped: the inner name, whether it is a list and
/// whether it is optional.
pub(super) fn unwrap(ty: &str) -> (&str, bool, bool) {
    if let Some(t) = inside(ty, "Option") {
        let (t, list, _) = unwrap(t);
        return (t, list, true);
    }
    if let Some(t) = inside(ty, "Vec") {
        return (unwrap(t).0, true, false);
    }
    if let Some(t) = inside(ty, "Box") {
        return unwrap(t);
    }
    (ty, false, false)
}

pub(super) fn inside<'a>(ty: &'a str, wrapper: &str) -> Option<&'a str> {
    ty.strip_prefix(wrapper)?
        .strip_prefix('<')?
        .strip_suffix('>')
}

pub(super) fn renamed(name: &str, rename_all: Option<&str>) -> String {
    match rename_all {
        Some("lowercase") => name.to_lowercase(),
        Some("snake_case") => {
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            }
            out
        }
        _ => name.to_owned(),
    }
}

pub(super) fn label(ty: &str) -> String {
    let (inner, list, _) = unwrap(ty);
    let one = match inner {
        "String" => "string",
        "PathBuf" => "path",
        "bool" => "boolean",
        "u16" | "u32" | "u64" | "usize" | "i64" => "integer",
        "f64" => "number",
        "SocketAddr" => "address (`host:port`)",
        "Secret" => "string (secret)",
        "Network" => "address or network",
        t if t.starts_with("BTreeMap") => "table",
        t => t,
    };
    if list {
        format!("list of {one}")
    } else {
        one.to_owned()
    }
}
