//! Wiki lists (`*`, `#`, mixed like `*#`) → nested ADF lists.

use super::parse::inline_run;
use crate::adf::{Node, NodeKind};

/// Builds the lists at `depth` from consecutive list lines (markers, item text). Deeper
/// lines nest under the item before them; a deeper line with no item before it gets an
/// empty one, as ADF has no list without an item.
pub(super) fn build(items: &[(Vec<char>, &str)], depth: usize) -> Vec<Node> {
    let mut lists: Vec<Node> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let (markers, text) = &items[i];
        let Some(&marker) = markers.get(depth) else {
            i += 1;
            continue;
        };
        let kind = if marker == '#' {
            NodeKind::OrderedList
        } else {
            NodeKind::BulletList
        };
        if lists.last().is_none_or(|l| l.kind != kind) {
            lists.push(Node::block(kind, Vec::new()));
        }
        let Some(list) = lists.last_mut() else { break };
        if markers.len() == depth + 1 {
            let mut media = Vec::new();
            let content = inline_run(text, &mut media);
            let mut item = vec![Node::block(NodeKind::Paragraph, content)];
            item.extend(media);
            list.content.push(Node::block(NodeKind::ListItem, item));
            i += 1;
        } else {
            let start = i;
            while i < items.len() && items[i].0.len() > depth + 1 {
                i += 1;
            }
            let nested = build(&items[start..i], depth + 1);
            if list.content.is_empty() {
                list.content.push(Node::block(
                    NodeKind::ListItem,
                    vec![Node::block(NodeKind::Paragraph, Vec::new())],
                ));
            }
            if let Some(last) = list.content.last_mut() {
                last.content.extend(nested);
            }
        }
    }
    lists
}
