//! Reading messages from files for `postroom process`: a single `.eml`, a directory of
//! them, a Maildir, an mbox, or standard input.
//!
//! Each message comes with its [`Source`] so that every result line says where it came
//! from. A bad input (missing file, unreadable directory, oversized message) becomes an
//! error item and the iteration goes on: one broken file must not hide the others.

mod dry_run;
mod mbox;

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use postroom_core::outcome::Source;

pub use dry_run::{Format, Summary, dry_run};
use mbox::{MboxItem, MboxSplitter};

/// Why an input could not be read. Paths are the user's own arguments, so they are shown.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file, directory or stream could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path that failed.
        path: String,
        /// The operating-system error.
        source: io::Error,
    },
    /// Text before the first separator line of an mbox that does not start with one.
    #[error("{size} bytes before the first mbox separator line are not a message")]
    NotAMessage {
        /// Size of that text in bytes.
        size: usize,
    },
    /// The message is larger than the configured limit; it was not read into memory.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the message in bytes (at least this many for a stream).
        size: u64,
        /// The limit in force.
        limit: usize,
    },
}

/// One message read from the inputs, or the reason it could not be.
#[derive(Debug)]
pub struct InputMessage {
    /// Where it came from.
    pub source: Source,
    /// The raw bytes, with any leading mbox `From ` line removed.
    pub bytes: Result<Vec<u8>, InputError>,
}

/// Iterator over every message named by a list of paths (`-` is standard input).
///
/// Directories are read in file-name order so runs are reproducible. A file ending in
/// `.eml` is always one message; any other file that starts with `From `, or that has a
/// dated `From sender date` separator line after an empty line, is an mbox.
#[derive(Debug)]
pub struct Inputs<S> {
    paths: VecDeque<String>,
    stdin: Option<S>,
    max_size: usize,
    pending: VecDeque<InputMessage>,
    mbox: Option<(String, usize, MboxSplitter<BufReader<File>>)>,
}

impl<S: Read> Inputs<S> {
    /// Reads `paths` in order; `stdin` is used for the path `-` (at most once).
    pub fn new(paths: Vec<String>, stdin: S, max_size: usize) -> Self {
        Self {
            paths: paths.into(),
            stdin: Some(stdin),
            max_size,
            pending: VecDeque::new(),
            mbox: None,
        }
    }

    fn next_from_mbox(&mut self) -> Option<InputMessage> {
        let (path, index, splitter) = self.mbox.as_mut()?;
        let source = Source {
            path: path.clone(),
            index: *index,
        };
        *index += 1;
        let bytes = match splitter.next() {
            None => {
                self.mbox = None;
                return None;
            }
            Some(Ok(MboxItem::Message(bytes))) => Ok(bytes),
            Some(Ok(MboxItem::TooLarge(size))) => Err(InputError::TooLarge {
                size: size as u64,
                limit: self.max_size,
            }),
            Some(Ok(MboxItem::NotAMessage(size))) => Err(InputError::NotAMessage { size }),
            Some(Err(e)) => Err(InputError::Io {
                path: path.clone(),
                source: e,
            }),
        };
        Some(InputMessage { source, bytes })
    }

    fn expand(&mut self, given: String) {
        if given == "-" {
            let bytes = match self.stdin.take() {
                Some(stdin) => read_stream(stdin, self.max_size, "-"),
                None => Ok(Vec::new()),
            };
            self.push_single(
                Source {
                    path: given,
                    index: 0,
                },
                bytes,
            );
            return;
        }
        let path = PathBuf::from(&given);
        match path.metadata() {
            Err(e) => self.push_single(
                source(&given),
                Err(InputError::Io {
                    path: given,
                    source: e,
                }),
            ),
            Ok(meta) if meta.is_dir() => self.expand_dir(&given, &path),
            Ok(meta) => self.expand_file(given, &path, meta.len()),
        }
    }

    fn expand_file(&mut self, given: String, path: &Path, len: u64) {
        let is_eml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
        if !is_eml && is_mbox(path) {
            match File::open(path) {
                Ok(file) => {
                    let splitter = MboxSplitter::new(BufReader::new(file), self.max_size);
                    self.mbox = Some((given, 0, splitter));
                }
                Err(e) => self.push_single(
                    source(&given),
                    Err(InputError::Io {
                        path: given,
                        source: e,
                    }),
                ),
            }
            return;
        }
        let bytes = read_file(path, len, self.max_size, &given);
        self.push_single(source(&given), bytes);
    }

    fn expand_dir(&mut self, given: &str, dir: &Path) {
        let is_maildir = dir.join("cur").is_dir() || dir.join("new").is_dir();
        let listing = if is_maildir {
            list_files(&dir.join("new"), |_| true).and_then(|mut files| {
                files.extend(list_files(&dir.join("cur"), |_| true)?);
                Ok(files)
            })
        } else {
            list_files(dir, |p| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"))
            })
        };
        match listing {
            Err(e) => self.push_single(
                source(given),
                Err(InputError::Io {
                    path: given.to_owned(),
                    source: e,
                }),
            ),
            Ok(files) => {
                for (position, file) in files.into_iter().enumerate() {
                    let shown = file.to_string_lossy().into_owned();
                    let (src, bytes) = if is_maildir {
                        (
                            Source {
                                path: given.to_owned(),
                                index: position,
                            },
                            read_path(&file, self.max_size, &shown),
                        )
                    } else {
                        (source(&shown), read_path(&file, self.max_size, &shown))
                    };
                    self.pending.push_back(InputMessage { source: src, bytes });
                }
            }
        }
    }

    fn push_single(&mut self, source: Source, bytes: Result<Vec<u8>, InputError>) {
        let bytes = bytes.map(skip_from_line);
        self.pending.push_back(InputMessage { source, bytes });
    }
}

impl<S: Read> Iterator for Inputs<S> {
    type Item = InputMessage;

    fn next(&mut self) -> Option<InputMessage> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if let Some(item) = self.next_from_mbox() {
                return Some(item);
            }
            let given = self.paths.pop_front()?;
            self.expand(given);
        }
    }
}

fn source(path: &str) -> Source {
    Source {
        path: path.to_owned(),
        index: 0,
    }
}

/// Files directly inside `dir` (not hidden, not directories), sorted by name. A missing
/// directory is empty: a Maildir may lack `new/` or `cur/`.
fn list_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type()?.is_file() && keep(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_path(path: &Path, max_size: usize, shown: &str) -> Result<Vec<u8>, InputError> {
    let len = path
        .metadata()
        .map_err(|e| InputError::Io {
            path: shown.to_owned(),
            source: e,
        })?
        .len();
    read_file(path, len, max_size, shown).map(skip_from_line)
}

fn read_file(path: &Path, len: u64, max_size: usize, shown: &str) -> Result<Vec<u8>, InputError> {
    if len > max_size as u64 {
        return Err(InputError::TooLarge {
            size: len,
            limit: max_size,
        });
    }
    let file = File::open(path).map_err(|e| InputError::Io {
        path: shown.to_owned(),
        source: e,
    })?;
    read_stream(file, max_size, shown)
}

/// Reads at most `max_size` bytes; a stream that has more is refused.
fn read_stream(stream: impl Read, max_size: usize, shown: &str) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    stream
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io {
            path: shown.to_owned(),
            source: e,
        })?;
    if bytes.len() > max_size {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit: max_size,
        });
    }
    Ok(bytes)
}

/// An mbox starts with a separator line; one that does not is still recognised by a dated
/// separator further on (seen: a file with a stray first line read as one message, hiding
/// the nine after it). A file that cannot be read is not one; reading it reports why.
fn is_mbox(path: &Path) -> bool {
    let mut head = [0u8; 5];
    let starts = File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"From ");
    starts
        || File::open(path)
            .and_then(|f| mbox::has_separator(BufReader::new(f)))
            .unwrap_or(false)
}

/// Removes a leading mbox `From ` line, which is not a header.
fn skip_from_line(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.starts_with(b"From ") {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..end);
    }
    bytes
}

#[cfg(test)]
mod tests;
