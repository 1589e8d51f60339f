//! The mediators' tools, computed from a [`View`] (so they show only what its audience may see):
//! who serves which commune, the skills × territory matrix, routing help per commune, the map
//! counts and the review list.

use serde::Serialize;

use crate::audience::{ContactView, ProviderView, View};

/// The communes (indices into `view.communes`) a provider serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serves {
    /// The whole territory.
    All,
    Communes(Vec<usize>),
}

impl Serves {
    pub fn covers(&self, commune: usize) -> bool {
        match self {
            Serves::All => true,
            Serves::Communes(list) => list.contains(&commune),
        }
    }
}

/// How close a provider is to a commune it serves (lower is nearer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Based,
    Zone,
    Territory,
}

impl Relation {
    pub fn text(self) -> &'static str {
        match self {
            Relation::Based => "installé dans la commune",
            Relation::Zone => "intervient dans la commune",
            Relation::Territory => "intervient dans tout le territoire",
        }
    }
}

/// Per provider (same order as `view.providers`): the communes it serves.
pub fn coverage(view: &View) -> Vec<Serves> {
    let index: std::collections::HashMap<&str, usize> = view
        .communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    view.providers
        .iter()
        .map(|p| {
            if p.zone_kind == "territoire" {
                return Serves::All;
            }
            let mut list: Vec<usize> = std::iter::once(&p.commune.code)
                .chain(p.zone.iter().map(|z| &z.code))
                .filter_map(|c| index.get(c.as_str()).copied())
                .collect();
            list.sort_unstable();
            list.dedup();
            Serves::Communes(list)
        })
        .collect()
}

fn relation(view: &View, p: &ProviderView, serves: &Serves, commune: usize) -> Option<Relation> {
    if view.communes[commune].code == p.commune.code {
        Some(Relation::Based)
    } else if matches!(serves, Serves::All) {
        Some(Relation::Territory)
    } else if serves.covers(commune) {
        Some(Relation::Zone)
    } else {
        None
    }
}

/// Claims that count as an offer (refused ones do not): (family, skill id, verified).
fn offers(p: &ProviderView) -> impl Iterator<Item = (&str, &str, bool)> {
    p.groups.iter().flat_map(|g| {
        g.claims
            .iter()
            .filter(|c| c.status != "refusee")
            .map(move |c| (g.family.as_str(), c.id.as_str(), c.status == "verifiee"))
    })
}

/// Providers serving each commune, optionally only those offering a skill of `family`.
pub fn commune_counts(view: &View, cover: &[Serves], family: Option<&str>) -> Vec<usize> {
    let mut counts = vec![0; view.communes.len()];
    for (p, serves) in view.providers.iter().zip(cover) {
        if let Some(f) = family
            && !offers(p).any(|(fam, _, _)| fam == f)
        {
            continue;
        }
        match serves {
            Serves::All => counts.iter_mut().for_each(|c| *c += 1),
            Serves::Communes(list) => list.iter().for_each(|&i| counts[i] += 1),
        }
    }
    counts
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Column {
    pub code: String,
    pub name: String,
    #[serde(skip)]
    pub communes: Vec<usize>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
pub struct Cell {
    /// Providers offering the skill and serving at least one commune of the column.
    pub total: usize,
    /// Of which with the skill verified (and not expired).
    pub verified: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    pub id: String,
    pub label: String,
    pub url: String,
    pub cells: Vec<Cell>,
    /// Columns where nobody offers the skill.
    pub gaps: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixFamily {
    pub label: String,
    pub url: String,
    pub rows: Vec<MatrixRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub columns: Vec<Column>,
    pub families: Vec<MatrixFamily>,
}

/// Columns of the matrix: the groups of communes (intercommunalities) when the territory has
/// them, else the communes.
pub fn columns(view: &View) -> Vec<Column> {
    if view.groups.is_empty() {
        return view
            .communes
            .iter()
            .enumerate()
            .map(|(i, c)| Column {
                code: c.code.clone(),
                name: c.name.clone(),
                communes: vec![i],
            })
            .collect();
    }
    view.groups
        .iter()
        .map(|(code, name)| Column {
            code: code.clone(),
            name: name.clone(),
            communes: view
                .communes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.group.as_deref() == Some(code.as_str()))
                .map(|(i, _)| i)
                .collect(),
        })
        .collect()
}

/// Skills (rows, by family) × groups of communes (columns).
pub fn skills_matrix(view: &View, cover: &[Serves]) -> Matrix {
    let columns = columns(view);
    let families = view
        .families
        .iter()
        .map(|f| MatrixFamily {
            label: f.label.clone(),
            url: f.url.clone(),
            rows: f
                .skills
                .iter()
                .map(|s| {
                    let mut cells = vec![Cell::default(); columns.len()];
                    for &i in &s.providers {
                        let (p, serves) = (&view.providers[i], &cover[i]);
                        let Some((_, _, verified)) = offers(p).find(|(_, id, _)| *id == s.id)
                        else {
                            continue;
                        };
                        for (cell, col) in cells.iter_mut().zip(&columns) {
                            if col.communes.iter().any(|&c| serves.covers(c)) {
                                cell.total += 1;
                                cell.verified += usize::from(verified);
                            }
                        }
                    }
                    let gaps = cells.iter().filter(|c| c.total == 0).count();
                    MatrixRow {
                        id: s.id.clone(),
                        label: s.label.clone(),
                        url: s.url.clone(),
                        cells,
                        gaps,
                    }
                })
                .collect(),
        })
        .collect();
    Matrix { columns, families }
}

#[derive(Debug, Clone, Serialize)]
pub struct Routed {
    pub name: String,
    pub url: String,
    pub commune: String,
    pub verified: bool,
    pub relation: Relation,
    pub relation_text: &'static str,
    pub contacts: Vec<ContactView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoutingSkill {
    pub family: String,
    pub label: String,
    pub url: String,
    pub providers: Vec<Routed>,
    /// Further providers not listed.
    pub more: usize,
}

/// Providers listed per skill on a routing page.
pub const ROUTING_LIMIT: usize = 5;

/// For one commune, per skill: who serves it, verified first, then nearest, then by name.
pub fn routing(view: &View, cover: &[Serves], commune: usize) -> Vec<RoutingSkill> {
    let mut out = Vec::new();
    for f in &view.families {
        for s in &f.skills {
            let mut found: Vec<(bool, Relation, usize)> = Vec::new();
            // Only the providers listed under the skill: the cost follows claims, not providers × skills.
            for &i in &s.providers {
                let p = &view.providers[i];
                let Some((_, _, verified)) = offers(p).find(|(_, id, _)| *id == s.id) else {
                    continue;
                };
                if let Some(rel) = relation(view, p, &cover[i], commune) {
                    found.push((verified, rel, i));
                }
            }
            if found.is_empty() {
                continue;
            }
            found.sort_by_key(|&(verified, rel, i)| (!verified, rel, i));
            let more = found.len().saturating_sub(ROUTING_LIMIT);
            let providers = found
                .into_iter()
                .take(ROUTING_LIMIT)
                .map(|(verified, relation, i)| {
                    let p = &view.providers[i];
                    Routed {
                        name: p.name.clone(),
                        url: p.url.clone(),
                        commune: p.commune.name.clone(),
                        verified,
                        relation,
                        relation_text: relation.text(),
                        contacts: p.contacts.clone(),
                    }
                })
                .collect();
            out.push(RoutingSkill {
                family: f.label.clone(),
                label: s.label.clone(),
                url: s.url.clone(),
                providers,
                more,
            });
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub provider: String,
    pub url: String,
    pub source: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Review {
    pub to_verify: Vec<ReviewItem>,
    pub expiring: Vec<ReviewItem>,
    pub charters: Vec<ReviewItem>,
    pub stale_evidence: Vec<ReviewItem>,
    pub warnings: Vec<ReviewItem>,
}

/// Days ahead in which a verification counts as "to renew".
pub const RENEW_WITHIN_DAYS: i64 = 90;

/// What mediators should look at next.
pub fn review(view: &View, today: crate::model::Date, max_evidence_age: u32) -> Review {
    let mut r = Review::default();
    let item = |p: &ProviderView, detail: String| ReviewItem {
        provider: p.name.clone(),
        url: p.url.clone(),
        source: p.source.clone(),
        detail,
    };
    for p in &view.providers {
        for g in &p.groups {
            for c in &g.claims {
                match c.status {
                    "a_verifier" => r.to_verify.push(item(p, c.label.clone())),
                    "expiree" => r
                        .expiring
                        .push(item(p, format!("{} : {}", c.label, c.status_text))),
                    "verifiee" => {
                        if let Some(until) = c.until.as_deref().and_then(crate::model::Date::parse)
                            && until.days_since_epoch() - today.days_since_epoch()
                                <= RENEW_WITHIN_DAYS
                        {
                            r.expiring.push(item(
                                p,
                                format!("{} : valable jusqu'au {}", c.label, until.french()),
                            ));
                        }
                    }
                    _ => {}
                }
                for e in &c.evidence {
                    if e.kind != "diplome"
                        && let Some(year) = e.year
                        && i64::from(today.year()) - year
                            >= i64::from(max_evidence_age.saturating_sub(1))
                    {
                        let what = e
                            .title
                            .clone()
                            .or_else(|| e.detail.clone())
                            .unwrap_or_default();
                        r.stale_evidence.push(item(
                            p,
                            format!("{} : {} {what} ({year})", c.label, e.kind_label),
                        ));
                    }
                }
            }
        }
        if !p.charter_current {
            r.charters.push(item(
                p,
                format!(
                    "version {} signée le {}",
                    p.charter_version, p.charter_signed_fr
                ),
            ));
        }
        for w in &p.warnings {
            r.warnings.push(item(p, w.clone()));
        }
    }
    r
}
