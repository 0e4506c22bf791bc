//! Sites that uninstalled the app are kept `erase_after_days` for a reinstall, then
//! crypto-shredded: their data key is destroyed first, so no copy of the database or the
//! blob store taken before can be read again, then their blobs and rows are deleted.

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::blobs::BlobStore;
use postroom_store::crypto::Keyring;
use postroom_store::inventory::erase_tenant;

use super::ForgeTokens;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Erases every tenant whose site uninstalled the app more than `erase_after_days` before
/// `now_ms`; returns the tenants erased. A tenant that fails is logged and tried again at
/// the next run; the others are erased all the same.
pub async fn erase_uninstalled(
    store: &Store,
    keyring: &Keyring,
    blobs: &BlobStore,
    tokens: &ForgeTokens,
    erase_after_days: u32,
    now_ms: i64,
) -> Result<Vec<TenantId>, postroom_store::StoreError> {
    let cutoff = now_ms.saturating_sub(i64::from(erase_after_days).saturating_mul(DAY_MS));
    let mut erased = Vec::new();
    for installation in store.forge_installations().await? {
        let Some(uninstalled) = installation.uninstalled_at_ms else {
            continue;
        };
        if uninstalled > cutoff {
            continue;
        }
        match erase_tenant(store, keyring, blobs, &installation.tenant).await {
            Ok(report) => {
                tokens.forget(&installation.tenant);
                metrics::counter!("postroom_forge_tenants_erased_total").increment(1);
                tracing::warn!(
                    tenant = %installation.tenant,
                    rows = report.rows,
                    blobs = report.blobs,
                    "an uninstalled site's data was erased after its keeping period"
                );
                erased.push(installation.tenant);
            }
            Err(e) => {
                tracing::warn!(tenant = %installation.tenant, error = %e, "cannot erase an uninstalled site; tried again later");
            }
        }
    }
    Ok(erased)
}
