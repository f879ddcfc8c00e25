//! A shared, hot-swappable reference to the bundle being served.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::Bundle;

/// Cheap to clone; every clone sees the same bundle. Replacing the bundle never
/// disturbs a request in flight: it keeps the `Arc` it took with [`ModelHandle::current`].
#[derive(Clone)]
pub struct ModelHandle {
    bundle: Arc<ArcSwap<Bundle>>,
}

impl ModelHandle {
    /// Starts serving `bundle`.
    pub fn new(bundle: Bundle) -> Self {
        Self {
            bundle: Arc::new(ArcSwap::from_pointee(bundle)),
        }
    }

    /// The bundle in use now.
    pub fn current(&self) -> Arc<Bundle> {
        self.bundle.load_full()
    }

    /// Serves `bundle` from now on.
    pub fn replace(&self, bundle: Bundle) {
        self.bundle.store(Arc::new(bundle));
    }
}
