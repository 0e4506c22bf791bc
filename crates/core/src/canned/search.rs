//! Finding the right template fast: a match on name, tag or body text, ranked by how the
//! caller and everyone else use each template.
//!
//! Every word of the query must appear somewhere in the template (name, a tag or the body,
//! case-insensitively), so that adding a word narrows the list. A match in the name counts
//! most, then a tag, then the body; on top of that, the caller's favourites come first,
//! templates the caller used recently rank higher (an agent reaches for the same few
//! answers), then those used most overall. An empty query lists everything by that alone. The index lower-cases its text once so
//! that a search is a scan of plain substring tests (see BENCHMARKS.md for 10,000 templates).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use memchr::memmem::Finder;

use super::model::Template;

/// How long a use counts as recent: the store keeps per-agent use this long.
pub const RECENT_MS: i64 = 90 * 24 * 3_600_000;
/// Uses within this window count as "just used" and get an extra lift.
const FRESH_MS: i64 = 7 * 24 * 3_600_000;

/// The caller's recent use, per template id: number of uses and the last one (Unix ms).
pub type RecentUse = HashMap<String, (u32, i64)>;

/// The lift of a favourite: more than the best match of one word in a name, so that a
/// favourite that matches at all comes first.
const FAVOURITE: f64 = 12.0;

/// What the ranking knows of the caller: their recent use and their favourites.
#[derive(Debug, Clone, Copy)]
pub struct Mine<'a> {
    /// Recent use per template id.
    pub recent: &'a RecentUse,
    /// Ids of the caller's favourite templates, if known.
    pub favourites: Option<&'a HashSet<String>>,
}

impl<'a> Mine<'a> {
    /// Recent use only, no favourites.
    pub fn recent(recent: &'a RecentUse) -> Self {
        Self {
            recent,
            favourites: None,
        }
    }
}

/// One template, prepared for matching.
#[derive(Debug, Clone)]
struct Entry {
    lower_name: String,
    lower_tags: Vec<String>,
    lower_body: String,
    /// The lift from everyone's uses, fixed for the index's lifetime.
    overall: f64,
    /// Place in the order of names ignoring case (then exact name): the tie-break.
    rank: u32,
}

/// Templates prepared for searching; build once per list of templates.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Position of each template id, to find the caller's recent and favourite ones.
    positions: HashMap<String, usize>,
}

/// A search result: the template's position in the list the index was built from, and its
/// score (higher first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position in the list given to [`SearchIndex::new`].
    pub position: usize,
    /// Relevance and use combined.
    pub score: f64,
}

impl SearchIndex {
    /// Prepares `templates` (in the order they are given) for searching.
    pub fn new<'a>(templates: impl IntoIterator<Item = &'a Template>) -> Self {
        let mut entries = Vec::new();
        let mut names = Vec::new();
        let mut positions = HashMap::new();
        for (position, t) in templates.into_iter().enumerate() {
            entries.push(Entry {
                lower_name: fold(&t.draft.name),
                lower_tags: t.draft.tags.iter().map(|tag| fold(tag)).collect(),
                lower_body: fold(&t.draft.body),
                overall: (t.usage_count.max(0) as f64).ln_1p(),
                rank: 0,
            });
            names.push(t.draft.name.as_str());
            positions.insert(t.id.clone(), position);
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            entries[a]
                .lower_name
                .cmp(&entries[b].lower_name)
                .then_with(|| names[a].cmp(names[b]))
        });
        for (rank, position) in order.into_iter().enumerate() {
            entries[position].rank = u32::try_from(rank).unwrap_or(u32::MAX);
        }
        Self { entries, positions }
    }

    /// Number of templates indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` matches of `query`, best first; ties go by name, ignoring case.
    pub fn search(&self, query: &str, recent: &RecentUse, now_ms: i64, limit: usize) -> Vec<Hit> {
        self.search_where(query, &Mine::recent(recent), now_ms, limit, |_| true)
    }

    /// Like [`SearchIndex::search`], over only the templates whose position `keep` accepts
    /// (those the caller may see and that fit the issue), with the caller's favourites
    /// lifted above everything else that matches. One index serves every caller of a
    /// tenant this way; `keep` runs only for templates whose text matches.
    pub fn search_where(
        &self,
        query: &str,
        mine: &Mine<'_>,
        now_ms: i64,
        limit: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<Hit> {
        let terms: Vec<Term> = query
            .split_whitespace()
            .map(|t| {
                let word = fold(t);
                Term {
                    finder: Finder::new(word.as_bytes()).into_owned(),
                    spaced: format!(" {word}"),
                    word,
                }
            })
            .collect();
        let lift = self.lift(mine, now_ms);
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(position, entry)| {
                let relevance = relevance(entry, &terms)?;
                if !keep(position) {
                    return None;
                }
                let mine = lift.get(position).copied().unwrap_or(0.0);
                let score = relevance + mine + entry.overall;
                Some(Hit { position, score })
            })
            .collect();
        let by_rank = |a: &Hit, b: &Hit| {
            b.score
                .partial_cmp(&a.score)
                .unwrap_or(Ordering::Equal)
                .then_with(|| {
                    self.entries[a.position]
                        .rank
                        .cmp(&self.entries[b.position].rank)
                })
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, by_rank);
            hits.truncate(limit);
        }
        hits.sort_by(by_rank);
        hits
    }

    /// The caller's own lift per position (favourite, recent use), resolved once per
    /// search so that scoring a template is an index, not two lookups by id; empty when
    /// the caller has neither.
    fn lift(&self, mine: &Mine<'_>, now_ms: i64) -> Vec<f64> {
        if mine.recent.is_empty() && mine.favourites.is_none_or(HashSet::is_empty) {
            return Vec::new();
        }
        let mut lift = vec![0.0; self.entries.len()];
        for id in mine.favourites.into_iter().flatten() {
            if let Some(&position) = self.positions.get(id) {
                lift[position] += FAVOURITE;
            }
        }
        for (id, &(count, last)) in mine.recent {
            if let Some(&position) = self.positions.get(id) {
                lift[position] += recent_boost(count, last, now_ms);
            }
        }
        lift
    }
}

/// Lower case for matching; the ASCII path (most bodies) is several times faster.
fn fold(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// A query word, lower-cased, with a leading space to find it at a word start, and a
/// finder prepared once per query for the body scans that dominate a search.
struct Term {
    word: String,
    spaced: String,
    finder: Finder<'static>,
}

/// The text score of one template, `None` when some term matches nowhere.
fn relevance(entry: &Entry, terms: &[Term]) -> Option<f64> {
    let mut score = 0.0;
    for Term {
        word,
        spaced,
        finder,
    } in terms
    {
        let term = word;
        score += if entry.lower_name.starts_with(term.as_str())
            || entry.lower_name.contains(spaced.as_str())
        {
            10.0
        } else if entry.lower_name.contains(term.as_str()) {
            6.0
        } else if entry.lower_tags.iter().any(|t| t == term) {
            8.0
        } else if entry
            .lower_tags
            .iter()
            .any(|t| t.starts_with(term.as_str()))
        {
            5.0
        } else if finder.find(entry.lower_body.as_bytes()).is_some() {
            1.0
        } else {
            return None;
        };
    }
    Some(score)
}

/// The lift from the caller's recent uses (log-scaled, more for one used this week); the
/// lift from everyone's uses (smaller, so that a strong text match still wins) is fixed per
/// index.
fn recent_boost(count: u32, last: i64, now_ms: i64) -> f64 {
    if now_ms - last > RECENT_MS {
        return 0.0;
    }
    let fresh = if now_ms - last <= FRESH_MS { 2.0 } else { 0.0 };
    3.0 * f64::from(count).ln_1p() + fresh
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
