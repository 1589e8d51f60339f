//! `donnees/prestataires.csv`: one row per provider and skill, for spreadsheets.
//!
//! Public: UTF-8 without BOM, comma, RFC 4180 quoting (the `csv` crate) and CRLF line ends.
//! Mediation: the "providers × skills" export of the mediators, with the private fields, the notes
//! and the warnings; UTF-8 with a BOM and semicolons, so that a double click opens it correctly in
//! Excel set up for French (whose list separator is `;`) as well as in LibreOffice.
//!
//! The columns are one list ([`columns`]): the header row, every row and the Données page are all
//! made from it.

use super::{Field, absolute};
use crate::audience::{Audience, ClaimGroup, ClaimView, ContactView, ProviderView, View};

/// What a cell is computed from. `claim` is `None` for a provider without any skill in the view.
pub struct Row<'a> {
    pub view: &'a View,
    pub provider: &'a ProviderView,
    pub claim: Option<(&'a ClaimGroup, &'a ClaimView)>,
}

/// One column: its name and description (the header and the Données page) and its value.
pub struct Column {
    pub field: Field,
    pub value: fn(&Row) -> String,
    /// Present in the mediation export only.
    pub mediation_only: bool,
}

/// Separator inside a cell holding several values.
const LIST_SEP: &str = " ; ";

fn contact(p: &ProviderView, field: &str) -> String {
    p.contacts
        .iter()
        .filter(|c: &&ContactView| c.field == field)
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(LIST_SEP)
}

fn claim_text(r: &Row, f: impl Fn(&ClaimGroup, &ClaimView) -> String) -> String {
    r.claim.map_or_else(String::new, |(g, c)| f(g, c))
}

macro_rules! col {
    ($name:literal, $desc:literal, $value:expr) => {
        Column {
            field: Field {
                name: $name,
                description: $desc,
            },
            value: $value,
            mediation_only: false,
        }
    };
    ($name:literal, $desc:literal, $value:expr, mediation) => {
        Column {
            field: Field {
                name: $name,
                description: $desc,
            },
            value: $value,
            mediation_only: true,
        }
    };
}

/// Every column, in order.
pub const COLUMNS: &[Column] = &[
    col!(
        "slug",
        "identifiant stable de la fiche (nom du fichier)",
        |r| r.provider.slug.clone()
    ),
    col!("url", "adresse de la fiche dans l'annuaire", |r| absolute(
        &r.view.site,
        &r.provider.url
    )),
    col!("nom", "nom du prestataire", |r| r.provider.name.clone()),
    col!(
        "forme",
        "forme juridique : independant, entreprise, association ou collectivite",
        |r| r.provider.forme.key().to_string()
    ),
    col!("siret", "numéro SIRET, vide s'il n'y en a pas", |r| r
        .provider
        .siret
        .clone()
        .unwrap_or_default()),
    col!("commune_code", "code INSEE de la commune du siège", |r| r
        .provider
        .commune
        .code
        .clone()),
    col!("commune_nom", "nom de la commune du siège", |r| r
        .provider
        .commune
        .name
        .clone()),
    col!(
        "zone",
        "zone d'intervention : commune, territoire ou communes",
        |r| r.provider.zone_kind.to_string()
    ),
    col!(
        "zone_communes",
        "codes INSEE des communes de la zone (zone « communes »), séparés par « ; »",
        |r| r
            .provider
            .zone
            .iter()
            .map(|z| z.code.as_str())
            .collect::<Vec<_>>()
            .join(LIST_SEP)
    ),
    col!("resume", "résumé de l'activité", |r| r
        .provider
        .summary
        .clone()),
    col!("site", "site web, s'il est public", |r| contact(
        r.provider, "site"
    )),
    col!(
        "courriel",
        "adresse électronique, si elle est publique",
        |r| { contact(r.provider, "courriel") }
    ),
    col!("telephone", "téléphone, s'il est public", |r| contact(
        r.provider,
        "telephone"
    )),
    col!("adresse", "adresse postale, si elle est publique", |r| {
        contact(r.provider, "adresse")
    }),
    col!(
        "reseaux",
        "réseaux sociaux publics, séparés par « ; »",
        |r| contact(r.provider, "reseaux")
    ),
    col!(
        "coordonnees_privees",
        "coordonnées que le prestataire n'a pas rendues publiques, séparées par « ; »",
        |r| {
            let mut fields: Vec<&str> = r
                .provider
                .contacts
                .iter()
                .filter(|c| c.private)
                .map(|c| c.field)
                .collect();
            fields.dedup();
            fields.join(LIST_SEP)
        },
        mediation
    ),
    col!(
        "famille_id",
        "identifiant de la famille de compétences",
        |r| { claim_text(r, |g, _| g.family.clone()) }
    ),
    col!(
        "famille_libelle",
        "nom de la famille de compétences",
        |r| { claim_text(r, |g, _| g.family_label.clone()) }
    ),
    col!(
        "competence_id",
        "identifiant de la compétence (famille/competence)",
        |r| claim_text(r, |_, c| c.id.clone())
    ),
    col!("competence_libelle", "nom de la compétence", |r| {
        claim_text(r, |_, c| c.label.clone())
    }),
    col!(
        "statut",
        "statut de la compétence : declaree, a_verifier, verifiee ou expiree",
        |r| claim_text(r, |_, c| c.status.to_string())
    ),
    col!(
        "statut_texte",
        "statut en toutes lettres (qui a vérifié, quand, jusqu'à quand)",
        |r| claim_text(r, |_, c| c.status_text.clone())
    ),
    col!(
        "justificatifs",
        "justificatifs publics, séparés par « ; » : type, titre, client ou organisme, année, adresse",
        |r| {
            let private = r.view.audience.sees_private();
            claim_text(r, |_, c| {
                c.evidence
                    .iter()
                    .filter(|e| !e.private || private)
                    .map(|e| {
                        let mut s = e.kind_label.to_string();
                        let mut parts: Vec<String> = Vec::new();
                        parts.extend(e.title.clone());
                        parts.extend(e.detail.clone());
                        parts.extend(e.year.map(|y| y.to_string()));
                        parts.extend(e.url.clone());
                        if !parts.is_empty() {
                            s.push_str(" : ");
                            s.push_str(&parts.join(", "));
                        }
                        if e.private {
                            s.push_str(" (privé)");
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join(LIST_SEP)
            })
        }
    ),
    col!(
        "note_verification",
        "note du médiateur sur la vérification",
        |r| claim_text(r, |_, c| c.note.clone().unwrap_or_default()),
        mediation
    ),
    col!("charte_version", "version de la charte signée", |r| r
        .provider
        .charter_version
        .clone()),
    col!(
        "charte_signee_le",
        "date de signature de la charte (AAAA-MM-JJ)",
        |r| r.provider.charter_signed.clone()
    ),
    col!(
        "langues",
        "langues de travail (codes ISO 639-1), séparées par « ; »",
        |r| r.provider.language_codes.join(LIST_SEP)
    ),
    col!(
        "mis_a_jour",
        "date de dernière mise à jour de la fiche (AAAA-MM-JJ)",
        |r| r.provider.updated.clone().unwrap_or_default()
    ),
    col!(
        "avertissements",
        "avertissements de la vérification automatique de la fiche, séparés par « ; »",
        |r| r.provider.warnings.join(LIST_SEP),
        mediation
    ),
    col!(
        "fichier",
        "fichier source de la fiche",
        |r| r.provider.source.clone(),
        mediation
    ),
];

/// The columns of the export for `audience`.
pub fn columns(audience: Audience) -> Vec<&'static Column> {
    COLUMNS
        .iter()
        .filter(|c| audience.sees_private() || !c.mediation_only)
        .collect()
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
/// gets a leading apostrophe, which Excel and LibreOffice show as text. Done in the mediation
/// export, made to be opened in a spreadsheet; the public file keeps values exactly as entered.
fn defuse(v: String) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v
    }
}

/// UTF-8 byte order mark, for the mediation export only.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `donnees/prestataires.csv` for `view`.
pub fn providers(view: &View) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_providers(view, &mut out);
    out
}

/// [`providers`], written to `out` row by row (at 100,000 providers the file is hundreds of
/// megabytes: it is never held in memory by the build).
pub fn write_providers(view: &View, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let private = view.audience.sees_private();
    let cols = columns(view.audience);
    if private {
        out.write_all(BOM)?;
    }
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(if private { b';' } else { b',' })
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(out);
    w.write_record(cols.iter().map(|c| c.field.name))?;
    for p in &view.providers {
        let claims: Vec<(&ClaimGroup, &ClaimView)> = p
            .groups
            .iter()
            .flat_map(|g| g.claims.iter().map(move |c| (g, c)))
            .collect();
        // A provider always shows in the file, even with no skill left in this view.
        let rows: Vec<Option<(&ClaimGroup, &ClaimView)>> = if claims.is_empty() {
            vec![None]
        } else {
            claims.into_iter().map(Some).collect()
        };
        for claim in rows {
            let row = Row {
                view,
                provider: p,
                claim,
            };
            w.write_record(cols.iter().map(|c| {
                let v = (c.value)(&row);
                if private { defuse(v) } else { v }
            }))?;
        }
    }
    w.flush()
}
