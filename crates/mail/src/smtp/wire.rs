//! Bytes in and out of one connection: commands and message data parsed by `smtp-proto`,
//! replies buffered and written only when the client's input is used up.
//!
//! Buffering replies until the next read is what makes PIPELINING cheap: a client that
//! sends `MAIL`, `RCPT`, `RCPT`, `DATA` in one packet gets the four replies in one packet.

use std::time::Duration;

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver, RequestReceiver};
use smtp_proto::{Error as ParseError, Request};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

/// Fed to the data receiver before the message; removed again from the result.
const PRIMER: &[u8] = b"\r\n";

/// Why no more input came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The client closed the connection, or it broke.
    Closed,
    /// The client was silent longer than the configured timeout.
    TimedOut,
    /// The listener is shutting down.
    Shutdown,
}

/// The next thing the client said.
#[derive(Debug)]
pub(crate) enum Command {
    Request(Request<String>),
    Invalid(ParseError),
}

/// The message after `DATA`.
#[derive(Debug)]
pub(crate) enum Data {
    /// The message bytes as the client meant them: dot-unstuffed, the final CRLF kept.
    Complete(Vec<u8>),
    /// Larger than the limit; read to its end and dropped. `read` counts the bytes as they
    /// came over the wire (dot-stuffed), the size the audit records.
    TooBig { read: usize },
}

/// One connection's byte stream.
pub(crate) struct Wire<S> {
    io: S,
    pending: Vec<u8>,
    pos: usize,
    receiver: RequestReceiver,
    skip_line: bool,
    /// Replies not yet written.
    pub(crate) out: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire<S> {
    pub(crate) fn new(io: S) -> Self {
        Self {
            io,
            pending: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            receiver: RequestReceiver::default(),
            skip_line: false,
            out: Vec::new(),
        }
    }

    /// The next command; replies buffered so far are written before waiting for input.
    pub(crate) async fn command(
        &mut self,
        timeout: Duration,
        shutdown: &CancellationToken,
    ) -> Result<Command, Stop> {
        loop {
            if self.skip_line {
                self.skip_to_line_end();
            }
            if self.pos >= self.pending.len() {
                self.fill(timeout, Some(shutdown)).await?;
                continue;
            }
            let slice = &self.pending[self.pos..];
            let mut iter = slice.iter();
            let parsed = self.receiver.ingest(&mut iter).map(Request::into_owned);
            let consumed = slice.len() - iter.as_slice().len();
            // A rejected line may be left half read (too long, or a parameter error);
            // its rest must not be taken for the next command.
            let at_line_end = consumed > 0 && slice[consumed - 1] == b'\n';
            self.pos += consumed;
            match parsed {
                Ok(request) => return Ok(Command::Request(request)),
                Err(ParseError::NeedsMoreData { .. }) => {}
                Err(error) => {
                    self.skip_line = !at_line_end;
                    return Ok(Command::Invalid(error));
                }
            }
        }
    }

    /// The message after a `354`: read up to the lone `.` line, unstuffing leading dots,
    /// and dropped (but still read to its end) once it exceeds `max` bytes.
    pub(crate) async fn data(&mut self, max: usize, timeout: Duration) -> Result<Data, Stop> {
        let mut receiver = DataReceiver::new();
        let mut body = Vec::new();
        // The CRLF that ended the DATA line precedes the first message line: without it a
        // message whose first line is the terminator or starts with a dot would be misread.
        receiver.ingest(&mut PRIMER.iter(), &mut body);
        let max = max.saturating_add(PRIMER.len());
        let mut skipper: Option<DummyDataReceiver> = None;
        let mut read = 0usize;
        loop {
            if self.pos >= self.pending.len() {
                self.fill(timeout, None).await?;
                continue;
            }
            let slice = &self.pending[self.pos..];
            let mut iter = slice.iter();
            let done = match skipper.as_mut() {
                Some(skipper) => skipper.ingest(&mut iter),
                None => receiver.ingest(&mut iter, &mut body),
            };
            let consumed = slice.len() - iter.as_slice().len();
            self.pos += consumed;
            read = read.saturating_add(consumed);
            if skipper.is_none() && body.len() > max {
                skipper = Some(DummyDataReceiver::new_data(&receiver));
                body = Vec::new();
            }
            if done {
                if skipper.is_some() {
                    return Ok(Data::TooBig { read });
                }
                body.drain(..PRIMER.len().min(body.len()));
                return Ok(Data::Complete(body));
            }
        }
    }

    /// Writes the buffered replies.
    pub(crate) async fn flush(&mut self, timeout: Duration) -> Result<(), Stop> {
        if self.out.is_empty() {
            return Ok(());
        }
        let write = async {
            self.io.write_all(&self.out).await?;
            self.io.flush().await
        };
        match tokio::time::timeout(timeout, write).await {
            Ok(Ok(())) => {
                self.out.clear();
                Ok(())
            }
            Ok(Err(_)) => Err(Stop::Closed),
            Err(_) => Err(Stop::TimedOut),
        }
    }

    /// The stream, for a TLS handshake. Input the client sent ahead of it is dropped with
    /// the buffer: RFC 3207 forbids acting on it, since it was not protected (the STARTTLS
    /// command-injection attack).
    pub(crate) fn into_io(self) -> S {
        self.io
    }

    async fn fill(
        &mut self,
        timeout: Duration,
        shutdown: Option<&CancellationToken>,
    ) -> Result<(), Stop> {
        self.flush(timeout).await?;
        self.pending.clear();
        self.pos = 0;
        let read = tokio::time::timeout(timeout, self.io.read_buf(&mut self.pending));
        let result = match shutdown {
            Some(shutdown) => tokio::select! {
                biased;
                result = read => result,
                () = shutdown.cancelled() => return Err(Stop::Shutdown),
            },
            None => read.await,
        };
        match result {
            Ok(Ok(0) | Err(_)) => Err(Stop::Closed),
            Ok(Ok(_)) => Ok(()),
            Err(_) => Err(Stop::TimedOut),
        }
    }

    fn skip_to_line_end(&mut self) {
        let rest = &self.pending[self.pos..];
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) => {
                self.pos += at + 1;
                self.skip_line = false;
            }
            None => self.pos = self.pending.len(),
        }
    }
}
