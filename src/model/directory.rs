//! The resolved directory: checked providers with the reference data they point to.

use std::sync::Arc;

use crate::config::SiteConfig;
use crate::model::{Claim, Communes, Date, Nomenclature, Page, Provider, VerificationStatus};

/// Everything a build knows, before any audience is chosen.
pub struct Directory {
    pub config: SiteConfig,
    pub nomenclature: Nomenclature,
    pub communes: Communes,
    /// Sorted by folded name, then slug. Shared, so that `serve` builds each new version without
    /// copying the entries an edit did not touch.
    pub providers: Vec<Arc<Provider>>,
    /// Free pages, by `ordre` then title.
    pub pages: Vec<Page>,
    pub charter: Option<Page>,
    /// The build date (from `SOURCE_DATE_EPOCH` when set).
    pub today: Date,
    /// Commune boundaries projected for the map (from `communes.geojson`), when present.
    pub map: Option<std::sync::Arc<crate::map::MapGeometry>>,
}

/// Where a claimed skill stands, as shown on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimStatus<'a> {
    /// Evidence given, no mediator verdict yet.
    Declared {
        pending: bool,
    },
    Verified {
        by: &'a str,
        on: Date,
        until: Date,
    },
    Expired {
        by: &'a str,
        on: Date,
        until: Date,
    },
    Refused {
        by: &'a str,
        on: Date,
    },
}

impl ClaimStatus<'_> {
    pub fn key(&self) -> &'static str {
        match self {
            ClaimStatus::Declared { pending: false } => "declaree",
            ClaimStatus::Declared { pending: true } => "a_verifier",
            ClaimStatus::Verified { .. } => "verifiee",
            ClaimStatus::Expired { .. } => "expiree",
            ClaimStatus::Refused { .. } => "refusee",
        }
    }

    pub fn is_verified(&self) -> bool {
        matches!(self, ClaimStatus::Verified { .. })
    }

    /// The status in words (never colour alone).
    pub fn text(&self) -> String {
        match self {
            ClaimStatus::Declared { pending: false } => "Déclarée, justifiée".into(),
            ClaimStatus::Declared { pending: true } => {
                "Déclarée, justifiée — vérification demandée".into()
            }
            ClaimStatus::Verified { by, on, until } => {
                format!(
                    "Vérifiée par {by} le {}, valable jusqu'au {}",
                    on.french(),
                    until.french()
                )
            }
            ClaimStatus::Expired { by, on, until } => {
                format!(
                    "Vérification expirée le {} (vérifiée par {by} le {})",
                    until.french(),
                    on.french()
                )
            }
            ClaimStatus::Refused { by, on } => format!("Refusée par {by} le {}", on.french()),
        }
    }
}

impl Claim {
    pub fn status(&self, today: Date) -> ClaimStatus<'_> {
        match self.verification.as_ref().map(|v| &v.status) {
            None => ClaimStatus::Declared { pending: false },
            Some(VerificationStatus::Pending) => ClaimStatus::Declared { pending: true },
            Some(VerificationStatus::Verified { by, on, until }) if *until >= today => {
                ClaimStatus::Verified {
                    by,
                    on: *on,
                    until: *until,
                }
            }
            Some(VerificationStatus::Verified { by, on, until }) => ClaimStatus::Expired {
                by,
                on: *on,
                until: *until,
            },
            Some(VerificationStatus::Refused { by, on }) => ClaimStatus::Refused { by, on: *on },
        }
    }
}

impl Directory {
    /// Sorts providers and pages into their display order.
    pub fn new(
        config: SiteConfig,
        nomenclature: Nomenclature,
        communes: Communes,
        mut providers: Vec<Arc<Provider>>,
        mut pages: Vec<Page>,
        charter: Option<Page>,
        today: Date,
    ) -> Self {
        sort_providers(&mut providers);
        pages.sort_by(|a, b| (a.order, &a.title).cmp(&(b.order, &b.title)));
        Directory {
            config,
            nomenclature,
            communes,
            providers,
            pages,
            charter,
            today,
            map: None,
        }
    }
}

/// The display order of providers: by folded name, then slug.
pub fn sort_providers(providers: &mut [Arc<Provider>]) {
    providers.sort_by_cached_key(|p| display_key(p));
}

/// What providers are sorted by: folded name, then slug.
pub type DisplayKey = (String, String);

/// A provider's [`DisplayKey`] (see [`sort_providers`]); `serve` keeps it per entry.
pub fn display_key(p: &Provider) -> DisplayKey {
    (crate::text::fold(&p.name), p.slug.clone())
}
