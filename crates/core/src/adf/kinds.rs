//! The names of ADF node and mark types, with a catch-all for names this code does not know.

use std::fmt;

macro_rules! kind_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $(
                #[doc = concat!("`", $text, "`")]
                $variant,
            )*
            /// A type name this code does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// The ADF spelling of this type.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(name) => name,
                }
            }
        }

        impl From<String> for $name {
            fn from(name: String) -> Self {
                match name.as_str() {
                    $($text => Self::$variant,)*
                    _ => Self::Other(name),
                }
            }
        }

        impl From<$name> for String {
            fn from(kind: $name) -> Self {
                kind.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

kind_enum! {
    /// The type of an ADF node.
    NodeKind {
        Doc => "doc",
        Paragraph => "paragraph",
        Text => "text",
        HardBreak => "hardBreak",
        Heading => "heading",
        BulletList => "bulletList",
        OrderedList => "orderedList",
        ListItem => "listItem",
        Blockquote => "blockquote",
        CodeBlock => "codeBlock",
        Rule => "rule",
        Table => "table",
        TableRow => "tableRow",
        TableHeader => "tableHeader",
        TableCell => "tableCell",
        MediaSingle => "mediaSingle",
        MediaGroup => "mediaGroup",
        Media => "media",
        Mention => "mention",
        Emoji => "emoji",
        InlineCard => "inlineCard",
        Panel => "panel",
    }
}

kind_enum! {
    /// The type of an ADF mark.
    MarkKind {
        Strong => "strong",
        Em => "em",
        Strike => "strike",
        Underline => "underline",
        Code => "code",
        Link => "link",
        SubSup => "subsup",
        TextColor => "textColor",
    }
}
