//! Which of a mail's attachments go to Jira, and why the others do not.
//!
//! Signature logos, `signature.asc` and S/MIME signatures would otherwise pile up on every
//! issue a mail thread touches; executables and over-size files would be refused by Jira
//! or be a risk to whoever opens them. The rule's policy decides; every file left out is
//! named in the report with its reason, so an agent who misses one knows where it went.
//! What the policy keeps is uploaded each content once (the engine compares it with the
//! issue's files), and an inline image the HTML body shows appears in place
//! ([`crate::inline_image`]).

use serde::{Deserialize, Serialize};

use crate::message::{Attachment, Message};

/// Small inline images below this many bytes are taken for signature logos by default.
pub const DEFAULT_INLINE_IMAGE_BYTES: u64 = 15 * 1024;

/// File names that only carry a signature of the mail itself.
const SIGNATURE_FILES: &[&str] = &["signature.asc", "smime.p7s"];
/// Content types that only carry a signature of the mail itself.
const SIGNATURE_TYPES: &[&str] = &[
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
];

/// A rule's attachment policy (`then.attachments` in the profile). Not configurable, as no
/// one wants them: a file whose content is already on the issue is never uploaded again,
/// and an uploaded inline image is always shown where the mail showed it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentPolicy {
    /// Free text for the reader; ignored by postroom.
    #[serde(rename = "//", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Largest file uploaded, in bytes; unset means Jira's own limit decides.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// Content types uploaded (`image/*`, `application/pdf`); empty allows every type.
    #[serde(default)]
    pub allowed_types: Vec<String>,
    /// File extensions never uploaded (`exe`, `js`), compared without case.
    #[serde(default)]
    pub blocked_extensions: Vec<String>,
    /// Inline images smaller than this are left out as signature logos (default 15 KB;
    /// 0 keeps them all).
    #[serde(default)]
    pub inline_images_under_bytes: Option<u64>,
}

/// Why an attachment is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// No content.
    Empty,
    /// `signature.asc`, `smime.p7s` or a signature content type.
    Signature,
    /// An inline image under the logo threshold.
    SmallInlineImage { size: u64, under: u64 },
    /// Larger than the policy allows.
    TooBig { size: u64, max: u64 },
    /// An extension the policy blocks.
    BlockedExtension(String),
    /// A content type the policy does not allow.
    TypeNotAllowed(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("it is empty"),
            Self::Signature => f.write_str("it is the mail's signature, not content"),
            Self::SmallInlineImage { size, under } => write!(
                f,
                "an inline image of {size} bytes, under {under}: taken for a signature logo"
            ),
            Self::TooBig { size, max } => write!(f, "{size} bytes, over the limit of {max}"),
            Self::BlockedExtension(ext) => write!(f, "files ending in .{ext} are blocked"),
            Self::TypeNotAllowed(t) => write!(f, "type {t} is not among the allowed types"),
        }
    }
}

/// An attachment to upload: where it is in the message and the name it goes under. It
/// serializes as the bare name, which is what the plan's JSON shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Index in [`Message::attachments`].
    pub index: usize,
    /// The name it is uploaded under.
    pub name: String,
}

impl Serialize for Kept {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// One attachment and the decision on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Index in [`Message::attachments`].
    pub index: usize,
    /// The name it is uploaded under (`attachment-N` when it has none).
    pub name: String,
    /// `Ok` to upload, else why not.
    pub verdict: Result<(), Skip>,
}

/// Decides on every attachment of `message` under `policy`.
pub fn choose(message: &Message, policy: &AttachmentPolicy) -> Vec<Choice> {
    message
        .attachments
        .iter()
        .enumerate()
        .map(|(index, a)| Choice {
            index,
            name: a
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("attachment-{}", index + 1)),
            verdict: verdict(a, policy),
        })
        .collect()
}

fn verdict(a: &Attachment, policy: &AttachmentPolicy) -> Result<(), Skip> {
    let size = u64::try_from(a.size).unwrap_or(u64::MAX);
    let content_type = a.content_type.to_ascii_lowercase();
    let name = a.name.as_deref().unwrap_or_default().to_ascii_lowercase();
    if size == 0 {
        return Err(Skip::Empty);
    }
    if SIGNATURE_FILES.contains(&name.as_str())
        || SIGNATURE_TYPES.iter().any(|t| content_type.starts_with(t))
    {
        return Err(Skip::Signature);
    }
    let under = policy
        .inline_images_under_bytes
        .unwrap_or(DEFAULT_INLINE_IMAGE_BYTES);
    if a.inline && content_type.starts_with("image/") && size < under {
        return Err(Skip::SmallInlineImage { size, under });
    }
    if let Some(max) = policy.max_bytes
        && size > max
    {
        return Err(Skip::TooBig { size, max });
    }
    if let Some((_, ext)) = name.rsplit_once('.')
        && policy
            .blocked_extensions
            .iter()
            .any(|b| b.trim_start_matches('.').eq_ignore_ascii_case(ext))
    {
        return Err(Skip::BlockedExtension(ext.to_owned()));
    }
    if !policy.allowed_types.is_empty()
        && !policy
            .allowed_types
            .iter()
            .any(|allowed| type_matches(allowed, &content_type))
    {
        let bare = content_type.split(';').next().unwrap_or_default().trim();
        return Err(Skip::TypeNotAllowed(bare.to_owned()));
    }
    Ok(())
}

/// `image/*` matches every image type; anything else matches exactly (parameters ignored).
fn type_matches(pattern: &str, content_type: &str) -> bool {
    let bare = content_type.split(';').next().unwrap_or_default().trim();
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_suffix("/*") {
        Some(major) => bare.split('/').next() == Some(major),
        None => bare == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(name: &str, content_type: &str, size: usize, inline: bool) -> Attachment {
        Attachment {
            name: Some(name.to_owned()),
            content_type: content_type.to_owned(),
            size,
            inline,
            content_id: None,
            data: vec![0; size],
            message: None,
        }
    }

    fn decide(a: &Attachment, policy: &AttachmentPolicy) -> Result<(), Skip> {
        verdict(a, policy)
    }

    #[test]
    fn signatures_and_logos_are_left_out_by_default() {
        let p = AttachmentPolicy::default();
        assert_eq!(
            decide(
                &attachment("signature.asc", "application/pgp-signature", 500, false),
                &p
            ),
            Err(Skip::Signature)
        );
        assert_eq!(
            decide(
                &attachment("SMIME.P7S", "application/octet-stream", 500, false),
                &p
            ),
            Err(Skip::Signature)
        );
        assert_eq!(
            decide(&attachment("logo.png", "image/png", 4_000, true), &p),
            Err(Skip::SmallInlineImage {
                size: 4_000,
                under: DEFAULT_INLINE_IMAGE_BYTES
            })
        );
        assert_eq!(
            decide(&attachment("photo.png", "image/png", 4_000, false), &p),
            Ok(()),
            "a small image the sender attached is content"
        );
        assert_eq!(
            decide(
                &attachment("screenshot.png", "image/png", 200_000, true),
                &p
            ),
            Ok(())
        );
        assert_eq!(
            decide(&attachment("empty.txt", "text/plain", 0, false), &p),
            Err(Skip::Empty)
        );
    }

    #[test]
    fn the_policy_limits_size_extension_and_type() {
        let p = AttachmentPolicy {
            max_bytes: Some(1_000),
            allowed_types: vec!["image/*".into(), "application/pdf".into()],
            blocked_extensions: vec![".EXE".into()],
            inline_images_under_bytes: Some(0),
            ..AttachmentPolicy::default()
        };
        assert_eq!(
            decide(&attachment("big.pdf", "application/pdf", 2_000, false), &p),
            Err(Skip::TooBig {
                size: 2_000,
                max: 1_000
            })
        );
        assert_eq!(
            decide(&attachment("setup.exe", "image/png", 10, false), &p),
            Err(Skip::BlockedExtension("exe".into()))
        );
        assert_eq!(
            decide(
                &attachment("notes.txt", "text/plain; charset=utf-8", 10, false),
                &p
            ),
            Err(Skip::TypeNotAllowed("text/plain".into()))
        );
        assert_eq!(
            decide(&attachment("scan.pdf", "application/pdf", 10, false), &p),
            Ok(())
        );
        assert_eq!(
            decide(&attachment("logo.gif", "image/gif", 10, true), &p),
            Ok(()),
            "threshold 0 keeps every inline image"
        );
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert_eq!(
            Skip::TooBig { size: 5, max: 4 }.to_string(),
            "5 bytes, over the limit of 4"
        );
        assert!(
            Skip::BlockedExtension("exe".into())
                .to_string()
                .contains(".exe")
        );
    }
}
