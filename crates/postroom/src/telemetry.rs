//! Logs on stderr and the Prometheus recorder.

use std::io::IsTerminal;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Starts logging to stderr in the configured format; `RUST_LOG` wins over `log.filter`.
/// Colour only in the human format and when stderr is a terminal: a log redirected to a file or collected by
/// journald reads as plain text. A second call (tests) leaves the first subscriber in place.
pub fn init(config: &LogConfig, format_override: Option<LogFormat>) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let format = format_override.unwrap_or(config.format);
    let coloured = format == LogFormat::Human && std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(coloured)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// The process-wide metrics recorder; installed once, on first use.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        metrics::gauge!("postroom_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        handle
    })
}
