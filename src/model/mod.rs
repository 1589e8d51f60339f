//! The typed content model. No I/O here: loaders turn YAML nodes into these types, and an entry that
//! fails a check never becomes a [`Provider`], so later stages can trust every value they get.

pub mod communes;
pub mod date;
pub mod directory;
pub mod nomenclature;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

pub use communes::{Commune, Communes};
pub use date::Date;
pub use directory::Directory;
pub use nomenclature::{Family, Nomenclature, Skill};

/// Legal form of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Forme {
    Independant,
    Entreprise,
    Association,
    Collectivite,
}

impl Forme {
    pub const ALL: [(&'static str, Forme); 4] = [
        ("independant", Forme::Independant),
        ("entreprise", Forme::Entreprise),
        ("association", Forme::Association),
        ("collectivite", Forme::Collectivite),
    ];

    pub fn key(self) -> &'static str {
        match self {
            Forme::Independant => "independant",
            Forme::Entreprise => "entreprise",
            Forme::Association => "association",
            Forme::Collectivite => "collectivite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Forme::Independant => "Indépendant",
            Forme::Entreprise => "Entreprise",
            Forme::Association => "Association",
            Forme::Collectivite => "Collectivité",
        }
    }

    /// Whether the charter requires a SIRET for this form.
    pub fn needs_siret(self) -> bool {
        matches!(self, Forme::Independant | Forme::Entreprise)
    }
}

/// Where a provider works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// Only its own commune (the default).
    Commune,
    /// The whole territory.
    Territory,
    /// These communes (INSEE codes, resolved), its own commune included.
    Communes(Vec<String>),
}

/// The contact fields a provider may fill; which of them are public is the provider's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactField {
    Site,
    Courriel,
    Telephone,
    Adresse,
    Reseaux,
}

impl ContactField {
    pub const ALL: [(&'static str, ContactField); 5] = [
        ("site", ContactField::Site),
        ("courriel", ContactField::Courriel),
        ("telephone", ContactField::Telephone),
        ("adresse", ContactField::Adresse),
        ("reseaux", ContactField::Reseaux),
    ];

    pub fn key(self) -> &'static str {
        match self {
            ContactField::Site => "site",
            ContactField::Courriel => "courriel",
            ContactField::Telephone => "telephone",
            ContactField::Adresse => "adresse",
            ContactField::Reseaux => "reseaux",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub site: Option<String>,
    pub courriel: Option<String>,
    /// As written; see [`Contact::telephone_display`].
    pub telephone: Option<String>,
    pub adresse: Option<String>,
    pub reseaux: Vec<String>,
    pub publics: BTreeSet<ContactField>,
}

impl Contact {
    pub fn has(&self, field: ContactField) -> bool {
        match field {
            ContactField::Site => self.site.is_some(),
            ContactField::Courriel => self.courriel.is_some(),
            ContactField::Telephone => self.telephone.is_some(),
            ContactField::Adresse => self.adresse.is_some(),
            ContactField::Reseaux => !self.reseaux.is_empty(),
        }
    }
}

/// What backs a claimed skill. Each type carries exactly the fields the charter requires of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceKind {
    Portfolio {
        url: String,
    },
    Reference {
        client: String,
        year: Option<i64>,
        url: Option<String>,
    },
    Diplome {
        year: i64,
        institution: Option<String>,
        url: Option<String>,
    },
    Certification {
        year: i64,
        organisation: Option<String>,
        url: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceType {
    Portfolio,
    Reference,
    Diplome,
    Certification,
}

impl EvidenceType {
    pub const ALL: [(&'static str, EvidenceType); 4] = [
        ("portfolio", EvidenceType::Portfolio),
        ("reference", EvidenceType::Reference),
        ("diplome", EvidenceType::Diplome),
        ("certification", EvidenceType::Certification),
    ];

    pub fn key(self) -> &'static str {
        match self {
            EvidenceType::Portfolio => "portfolio",
            EvidenceType::Reference => "reference",
            EvidenceType::Diplome => "diplome",
            EvidenceType::Certification => "certification",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceType::Portfolio => "Portfolio",
            EvidenceType::Reference => "Référence client",
            EvidenceType::Diplome => "Diplôme",
            EvidenceType::Certification => "Certification",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub title: Option<String>,
    pub kind: EvidenceKind,
    /// Seen by mediators only.
    pub private: bool,
    pub line: u32,
}

impl Evidence {
    pub fn evidence_type(&self) -> EvidenceType {
        match self.kind {
            EvidenceKind::Portfolio { .. } => EvidenceType::Portfolio,
            EvidenceKind::Reference { .. } => EvidenceType::Reference,
            EvidenceKind::Diplome { .. } => EvidenceType::Diplome,
            EvidenceKind::Certification { .. } => EvidenceType::Certification,
        }
    }

    pub fn year(&self) -> Option<i64> {
        match &self.kind {
            EvidenceKind::Portfolio { .. } => None,
            EvidenceKind::Reference { year, .. } => *year,
            EvidenceKind::Diplome { year, .. } | EvidenceKind::Certification { year, .. } => {
                Some(*year)
            }
        }
    }

    pub fn url(&self) -> Option<&str> {
        match &self.kind {
            EvidenceKind::Portfolio { url } => Some(url),
            EvidenceKind::Reference { url, .. }
            | EvidenceKind::Diplome { url, .. }
            | EvidenceKind::Certification { url, .. } => url.as_deref(),
        }
    }
}

/// A mediator's verdict on one claimed skill. Only mediators write it (see the self-verification
/// rule); `note` is private.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: VerificationStatus,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationStatus {
    Pending,
    Verified { by: String, on: Date, until: Date },
    Refused { by: String, on: Date },
}

/// One skill a provider claims, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Full nomenclature id, `famille/competence`.
    pub skill: String,
    pub evidence: Vec<Evidence>,
    pub verification: Option<Verification>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharterSignature {
    pub version: String,
    pub signed_on: Date,
}

/// A checked provider entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub slug: String,
    pub source: PathBuf,
    pub name: String,
    pub forme: Forme,
    pub siret: Option<String>,
    /// INSEE code of its commune.
    pub commune: String,
    pub zone: Zone,
    pub summary: String,
    pub contact: Contact,
    pub claims: Vec<Claim>,
    pub charter: CharterSignature,
    pub languages: Vec<String>,
    pub updated: Option<Date>,
    /// Markdown description.
    pub body: String,
    /// Warnings of its check, shown to mediators.
    pub warnings: Vec<String>,
}

/// A free page (`pages/*.md`) or the charter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub slug: String,
    pub source: PathBuf,
    pub title: String,
    pub description: Option<String>,
    pub order: i64,
    pub body: String,
}
