//! Which parts of a running postroom are up, for `/healthz` and `/readyz`.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// The components `serve` starts (listeners, workers) and whether each is up yet.
///
/// `/healthz` answers 200 only once every expected component has reported itself up, so a
/// supervisor never sends traffic to an instance that is still binding its sockets.
#[derive(Debug, Default)]
pub struct Readiness {
    components: Mutex<BTreeMap<&'static str, bool>>,
}

impl Readiness {
    pub fn expecting(components: &[&'static str]) -> Self {
        Self {
            components: Mutex::new(components.iter().map(|c| (*c, false)).collect()),
        }
    }

    pub fn mark_up(&self, component: &'static str) {
        if let Ok(mut map) = self.components.lock() {
            map.insert(component, true);
        }
    }

    /// The components that are not up yet; empty when all are.
    pub fn pending(&self) -> Vec<&'static str> {
        match self.components.lock() {
            Ok(map) => map
                .iter()
                .filter(|(_, up)| !**up)
                .map(|(c, _)| *c)
                .collect(),
            Err(_) => vec!["readiness state"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Readiness;

    #[test]
    fn ready_only_when_every_component_is_up() {
        let readiness = Readiness::expecting(&["http", "smtp"]);
        assert_eq!(readiness.pending(), vec!["http", "smtp"]);
        readiness.mark_up("http");
        assert_eq!(readiness.pending(), vec!["smtp"]);
        readiness.mark_up("smtp");
        assert!(readiness.pending().is_empty());
    }
}
