//! Project: the one place that decides what an audience may see.
//!
//! Templates, the search index and exports receive a [`View`], never the [`Directory`]: a field
//! that is not copied here cannot leak into the public build. The public view gets names, summaries,
//! descriptions, skills with their status, public evidence and the contact fields the provider
//! listed in `publics`; the mediation view gets everything, private fields marked as such.

use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use serde::Serialize;

use crate::model::directory::ClaimStatus;
use crate::model::{Directory, EvidenceKind, Forme, Provider, Zone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    Public,
    Mediation,
}

impl Audience {
    pub fn sees_private(self) -> bool {
        self == Audience::Mediation
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub description: String,
    pub base_url: String,
    /// Path prefix of every internal URL ("" at a domain root, "/annuaire" under a sub-path).
    pub root: String,
    pub lang: String,
    pub territory: String,
    /// "en Lozère".
    pub territory_in: String,
    pub publisher: String,
    pub audience: Audience,
    pub charter_version: String,
    pub build_date: String,
    pub build_date_fr: String,
    pub nav: Vec<Link>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub field: &'static str,
    pub label: &'static str,
    pub value: String,
    pub href: Option<String>,
    /// Shown to mediators only (not in `publics`).
    pub private: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: Option<String>,
    /// Client, institution or organisation.
    pub detail: Option<String>,
    pub year: Option<i64>,
    pub url: Option<String>,
    pub private: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    pub id: String,
    pub label: String,
    pub url: String,
    pub status: &'static str,
    pub status_text: String,
    pub verified: bool,
    /// End of validity of a verification (ISO date), for the review list.
    pub until: Option<String>,
    pub evidence: Vec<EvidenceView>,
    /// Mediator note (mediation only).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimGroup {
    pub family: String,
    pub family_label: String,
    pub url: String,
    pub claims: Vec<ClaimView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceRef {
    pub code: String,
    pub name: String,
    pub url: String,
    pub postal_codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub slug: String,
    pub url: String,
    pub name: String,
    pub forme: Forme,
    pub forme_label: &'static str,
    pub siret: Option<String>,
    pub commune: PlaceRef,
    pub zone_kind: &'static str,
    pub zone_text: String,
    pub zone: Vec<PlaceRef>,
    pub summary: String,
    /// Markdown; rendered (sanitised) by the render stage, which gives templates the HTML.
    #[serde(skip)]
    pub body: String,
    /// The body as plain text ([`crate::render::markdown::description_text`]), made once for
    /// the search index and the open-data export.
    #[serde(skip)]
    pub text: String,
    pub contacts: Vec<ContactView>,
    pub groups: Vec<ClaimGroup>,
    pub verified_count: usize,
    pub charter_version: String,
    pub charter_signed: String,
    pub charter_signed_fr: String,
    pub charter_current: bool,
    pub languages: Vec<String>,
    /// ISO 639-1 codes of `languages`, for the exports.
    pub language_codes: Vec<String>,
    pub updated: Option<String>,
    pub updated_fr: Option<String>,
    /// Check warnings (mediation only).
    pub warnings: Vec<String>,
    pub source: String,
}

/// The few fields listings show, so a listing never embeds whole entries. Shared: listings copy
/// cards for each of their pages, and `serve` for each new version.
#[derive(Debug, Clone)]
pub struct Card(Arc<CardFields>);

impl std::ops::Deref for Card {
    type Target = CardFields;

    fn deref(&self) -> &CardFields {
        &self.0
    }
}

impl Serialize for Card {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[derive(Debug, Serialize)]
pub struct CardFields {
    pub name: String,
    pub url: String,
    pub summary: String,
    pub commune: String,
    pub skills: Vec<String>,
    pub verified: bool,
    pub flagged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkillView {
    pub id: String,
    pub short_id: String,
    pub label: String,
    pub description: String,
    pub url: String,
    pub accepted: Vec<&'static str>,
    pub rome: Vec<String>,
    pub ecf: Vec<String>,
    /// Indices into [`View::providers`]: verified first, then by name.
    #[serde(skip)]
    pub providers: Vec<usize>,
    pub count: usize,
    pub verified_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyView {
    pub id: String,
    pub label: String,
    pub description: String,
    pub url: String,
    pub skills: Vec<SkillView>,
    #[serde(skip)]
    pub providers: Vec<usize>,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommuneView {
    pub code: String,
    pub name: String,
    pub slug: String,
    pub url: String,
    pub postal_codes: Vec<String>,
    pub former: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    /// Code of its group of communes (intercommunality).
    pub group: Option<String>,
    /// Providers based here.
    #[serde(skip)]
    pub based: Vec<usize>,
    /// Providers based elsewhere whose zone lists this commune.
    #[serde(skip)]
    pub serving: Vec<usize>,
    pub based_count: usize,
    pub serving_count: usize,
}

impl CommuneView {
    pub fn has_page(&self) -> bool {
        self.based_count + self.serving_count > 0
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    pub body: String,
}

/// What one audience may see of the directory, with its listings resolved.
pub struct View {
    pub audience: Audience,
    pub site: SiteInfo,
    /// Shared, so that `serve` keeps the views of the providers an edit did not touch.
    pub providers: Vec<Arc<ProviderView>>,
    pub cards: Vec<Card>,
    pub families: Vec<FamilyView>,
    pub communes: Vec<CommuneView>,
    /// Providers whose zone is the whole territory.
    pub territory_wide: Vec<usize>,
    pub pages: Vec<PageView>,
    pub charter: Option<PageView>,
    /// Provider indices by most recent update first.
    pub recent: Vec<usize>,
    /// Groups of communes (code, name), for the skills matrix.
    pub groups: Vec<(String, String)>,
    /// Commune boundaries, when the territory ships them.
    pub map: Option<std::sync::Arc<crate::map::MapGeometry>>,
    /// The build date.
    pub today: crate::model::Date,
    /// Charter rules the review list needs.
    pub max_evidence_age: u32,
    /// Paths of the pages this view makes (`/prestataires/x/`), filled on first use.
    pub known_paths: std::sync::OnceLock<Arc<foldhash::HashSet<String>>>,
}

impl View {
    /// Site paths (without the base path) of every page of the view, for link decisions.
    pub fn known_paths(&self) -> &foldhash::HashSet<String> {
        self.known_paths.get_or_init(|| {
            Arc::new(
                crate::render::pages::plan(self)
                    .into_iter()
                    .map(|job| {
                        let file = crate::render::pages::output_path(self, job);
                        format!("/{}", file.strip_suffix("index.html").unwrap_or(&file))
                    })
                    .collect(),
            )
        })
    }
}

/// Builds the view of `dir` for `audience`.
pub fn project(dir: &Directory, audience: Audience) -> View {
    let root = url_path_prefix(&dir.config.base_url);
    let index = Index::new(dir);
    // Each provider's view is independent of the others: built on every thread.
    let projected: Vec<Arc<Projected>> = dir
        .providers
        .par_iter()
        .map(|p| Arc::new(project_one(dir, p, audience, &root, &index)))
        .collect();
    assemble(dir, audience, root, &projected)
}

/// Provider views kept from one projection to the next, for `serve`: an edit then projects only
/// the providers it changed, and the listings are derived again from the kept views.
///
/// A provider's view depends on the provider and on the site (settings, nomenclature, communes,
/// date): the cache is valid for one audience and one state of those; `serve` starts a new one
/// whenever they change. Visibility is still decided by [`provider_view`] alone.
pub struct ViewCache {
    audience: Audience,
    /// By provider identity: the address of its `Arc`, kept alive (so never reused) by the entry.
    views: HashMap<usize, (Arc<Provider>, Arc<Projected>), BuildHasherDefault<AddressHasher>>,
}

/// Hashes an address (a `usize` the program chose, not the content): a multiplication spreads it,
/// where SipHash would cost more than the rest of a cache lookup.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // Allocations are aligned: the low bits carry nothing.
        self.0 = ((n >> 4) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl ViewCache {
    pub fn new(audience: Audience) -> ViewCache {
        ViewCache {
            audience,
            views: HashMap::default(),
        }
    }

    pub fn audience(&self) -> Audience {
        self.audience
    }

    /// How many provider views are kept.
    pub fn len(&self) -> usize {
        self.views.len()
    }

    pub fn is_empty(&self) -> bool {
        self.views.is_empty()
    }
}

/// [`project`] for `cache`'s audience, projecting only the providers not projected before (same
/// `Arc`); keeps exactly the views of `dir`'s providers for the next call. The result equals
/// `project(dir, cache.audience())` as long as the site is the one the cache was started for.
pub fn project_cached(dir: &Directory, cache: &mut ViewCache) -> View {
    let audience = cache.audience;
    let root = url_path_prefix(&dir.config.base_url);
    let mut index = None;
    let mut next = HashMap::with_capacity_and_hasher(dir.providers.len(), Default::default());
    let projected: Vec<Arc<Projected>> = dir
        .providers
        .iter()
        .map(|p| {
            let key = Arc::as_ptr(p) as usize;
            let one = match cache.views.get(&key) {
                Some((_, one)) => one.clone(),
                None => {
                    let index = index.get_or_insert_with(|| Index::new(dir));
                    Arc::new(project_one(dir, p, audience, &root, index))
                }
            };
            next.insert(key, (p.clone(), one.clone()));
            one
        })
        .collect();
    // Views of providers gone since the last call go with the old map.
    cache.views = next;
    assemble(dir, audience, root, &projected)
}

/// One provider's view, with where the listings show it, resolved to indices once so that
/// `serve` derives the listings of a new version without looking anything up.
struct Projected {
    view: Arc<ProviderView>,
    card: Card,
    /// (family, skill) indices in the nomenclature of each claim shown, and whether it is verified.
    skills: Vec<(usize, usize, bool)>,
    /// Index of its commune in `dir.communes.list`.
    based: Option<usize>,
    /// Indices of the other communes its zone lists.
    serving: Vec<usize>,
    territory_wide: bool,
}

fn card(p: &ProviderView, audience: Audience) -> Card {
    Card(Arc::new(CardFields {
        name: p.name.clone(),
        url: p.url.clone(),
        summary: p.summary.clone(),
        commune: p.commune.name.clone(),
        skills: p
            .groups
            .iter()
            .flat_map(|g| g.claims.iter().map(|c| c.label.clone()))
            .collect(),
        verified: p.verified_count > 0,
        flagged: audience.sees_private() && !p.warnings.is_empty(),
    }))
}

/// Skill ids and commune codes to their indices, for [`Projected`].
struct Index<'a> {
    skills: HashMap<&'a str, Vec<(usize, usize)>>,
    communes: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    fn new(dir: &'a Directory) -> Index<'a> {
        let mut skills: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (fi, f) in dir.nomenclature.families.iter().enumerate() {
            for (si, s) in f.skills.iter().enumerate() {
                skills.entry(s.id.as_str()).or_default().push((fi, si));
            }
        }
        let communes = dir
            .communes
            .list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.as_str(), i))
            .collect();
        Index { skills, communes }
    }
}

fn project_one(
    dir: &Directory,
    p: &Provider,
    audience: Audience,
    root: &str,
    index: &Index,
) -> Projected {
    let view = provider_view(dir, p, audience, root);
    let mut skills = Vec::new();
    for c in view.groups.iter().flat_map(|g| &g.claims) {
        for &(fi, si) in index.skills.get(c.id.as_str()).into_iter().flatten() {
            skills.push((fi, si, c.verified));
        }
    }
    let mut serving = Vec::new();
    if let Zone::Communes(codes) = &p.zone {
        for code in codes.iter().filter(|c| **c != p.commune) {
            serving.extend(index.communes.get(code.as_str()).copied());
        }
    }
    Projected {
        card: card(&view, audience),
        view: Arc::new(view),
        skills,
        based: index.communes.get(p.commune.as_str()).copied(),
        serving,
        territory_wide: p.zone == Zone::Territory,
    }
}

/// A commune as a provider page shows it (its code when the communes do not list it).
fn commune_ref(dir: &Directory, root: &str, code: &str) -> PlaceRef {
    let c = dir.communes.get(code);
    PlaceRef {
        code: code.to_string(),
        name: c.map_or_else(|| code.to_string(), |c| c.name.clone()),
        url: c.map_or_else(String::new, |c| format!("{root}/communes/{}/", c.slug)),
        postal_codes: c.map_or_else(Vec::new, |c| c.postal_codes.clone()),
    }
}

/// The view around the provider views (`projected[i]` is the view of `dir.providers[i]`): site
/// information, cards and listings.
fn assemble(
    dir: &Directory,
    audience: Audience,
    root: String,
    projected: &[Arc<Projected>],
) -> View {
    let providers: Vec<Arc<ProviderView>> = projected.iter().map(|p| p.view.clone()).collect();
    let private = audience.sees_private();
    let mut nav = vec![
        Link {
            title: "Rechercher".into(),
            url: format!("{root}/recherche/"),
        },
        Link {
            title: "Compétences".into(),
            url: format!("{root}/nomenclature/"),
        },
        Link {
            title: "Communes".into(),
            url: format!("{root}/communes/"),
        },
        Link {
            title: "Prestataires".into(),
            url: format!("{root}/prestataires/"),
        },
    ];
    // Only when the charter page exists (a broken `charte.md` is left out and reported).
    if dir.charter.is_some() {
        nav.push(Link {
            title: "Charte".into(),
            url: format!("{root}/charte/"),
        });
    }
    if dir.map.is_some() {
        nav.insert(
            3,
            Link {
                title: "Carte".into(),
                url: format!("{root}/carte/"),
            },
        );
    }
    if private {
        nav.insert(
            0,
            Link {
                title: "Médiation".into(),
                url: format!("{root}/mediation/"),
            },
        );
    }
    nav.extend(dir.pages.iter().map(|p| Link {
        title: p.title.clone(),
        url: format!("{root}/{}/", p.slug),
    }));
    let site = SiteInfo {
        title: dir.config.title.clone(),
        description: dir.config.description.clone(),
        base_url: dir.config.base_url.clone(),
        root: root.clone(),
        lang: dir.config.lang.clone(),
        territory: dir.config.territory.name.clone(),
        territory_in: format!(
            "{} {}",
            dir.config.territory.article, dir.config.territory.name
        ),
        publisher: dir.config.publisher.clone(),
        audience,
        charter_version: dir.config.charter.version.clone(),
        build_date: dir.today.to_string(),
        build_date_fr: dir.today.french(),
        nav,
    };

    let cards = projected.iter().map(|p| p.card.clone()).collect();

    // Listings: which providers show under each skill, family and commune.
    let mut by_skill: Vec<Vec<Vec<(bool, usize)>>> = dir
        .nomenclature
        .families
        .iter()
        .map(|f| vec![Vec::new(); f.skills.len()])
        .collect();
    for (i, p) in projected.iter().enumerate() {
        for &(fi, si, verified) in &p.skills {
            by_skill[fi][si].push((verified, i));
        }
    }
    let families = dir
        .nomenclature
        .families
        .iter()
        .zip(by_skill)
        .map(|(f, lists)| {
            let mut family_providers = Vec::new();
            let skills = f
                .skills
                .iter()
                .zip(lists)
                .map(|(s, mut list)| {
                    // Verified first, then the directory order (by name).
                    list.sort_by_key(|&(verified, i)| (!verified, i));
                    let verified_count = list.iter().filter(|x| x.0).count();
                    let providers: Vec<usize> = list.into_iter().map(|x| x.1).collect();
                    family_providers.extend(providers.iter().copied());
                    SkillView {
                        id: s.id.clone(),
                        short_id: s.short_id().to_string(),
                        label: s.label.clone(),
                        description: s.description.clone(),
                        url: format!("{root}/competences/{}/{}/", f.id, s.short_id()),
                        accepted: s.accepted.iter().map(|a| a.label()).collect(),
                        rome: s.rome.clone(),
                        ecf: s.ecf.clone(),
                        count: providers.len(),
                        providers,
                        verified_count,
                    }
                })
                .collect();
            family_providers.sort_unstable();
            family_providers.dedup();
            FamilyView {
                id: f.id.clone(),
                label: f.label.clone(),
                description: f.description.clone(),
                url: format!("{root}/competences/{}/", f.id),
                skills,
                count: family_providers.len(),
                providers: family_providers,
            }
        })
        .collect();

    let mut communes: Vec<CommuneView> = dir
        .communes
        .list
        .iter()
        .map(|c| CommuneView {
            code: c.code.clone(),
            name: c.name.clone(),
            slug: c.slug.clone(),
            url: format!("{root}/communes/{}/", c.slug),
            postal_codes: c.postal_codes.clone(),
            former: c
                .former
                .iter()
                .filter(|f| f.1 != c.name)
                .map(|f| f.1.clone())
                .collect(),
            lat: c.lat,
            group: c.group.clone(),
            lon: c.lon,
            based: Vec::new(),
            serving: Vec::new(),
            based_count: 0,
            serving_count: 0,
        })
        .collect();
    let mut territory_wide = Vec::new();
    for (i, p) in projected.iter().enumerate() {
        if let Some(ci) = p.based {
            communes[ci].based.push(i);
        }
        if p.territory_wide {
            territory_wide.push(i);
        }
        for &ci in &p.serving {
            communes[ci].serving.push(i);
        }
    }
    for c in &mut communes {
        c.based_count = c.based.len();
        c.serving_count = c.serving.len();
    }

    let page_view = |p: &crate::model::Page, url: String| PageView {
        slug: p.slug.clone(),
        url,
        title: p.title.clone(),
        description: p.description.clone(),
        body: p.body.clone(),
    };
    let pages = dir
        .pages
        .iter()
        .map(|p| page_view(p, format!("{root}/{}/", p.slug)))
        .collect();
    let charter = dir
        .charter
        .as_ref()
        .map(|p| page_view(p, format!("{root}/charte/")));

    let mut recent: Vec<usize> = (0..dir.providers.len()).collect();
    recent.sort_by_key(|&i| (std::cmp::Reverse(dir.providers[i].updated), i));

    View {
        audience,
        site,
        providers,
        cards,
        families,
        communes,
        territory_wide,
        pages,
        charter,
        recent,
        groups: dir.communes.groups.clone(),
        map: dir.map.clone(),
        today: dir.today,
        max_evidence_age: dir.config.charter.max_evidence_age_years,
        known_paths: std::sync::OnceLock::new(),
    }
}

fn provider_view(dir: &Directory, p: &Provider, audience: Audience, root: &str) -> ProviderView {
    let commune_ref = |code: &str| commune_ref(dir, root, code);
    let private = audience.sees_private();
    let c = &p.contact;
    let mut contacts = Vec::new();
    let mut add = |field: crate::model::ContactField,
                   label: &'static str,
                   value: &str,
                   href: Option<String>| {
        let is_public = c.publics.contains(&field);
        if is_public || private {
            contacts.push(ContactView {
                field: field.key(),
                label,
                value: value.to_string(),
                href,
                private: !is_public,
            });
        }
    };
    use crate::model::ContactField as F;
    if let Some(v) = &c.site {
        add(F::Site, "Site", v, Some(v.clone()));
    }
    if let Some(v) = &c.courriel {
        add(F::Courriel, "Courriel", v, Some(format!("mailto:{v}")));
    }
    if let Some(v) = &c.telephone {
        add(
            F::Telephone,
            "Téléphone",
            v,
            Some(format!(
                "tel:+33{}",
                v.replace(' ', "").trim_start_matches('0')
            )),
        );
    }
    if let Some(v) = &c.adresse {
        add(F::Adresse, "Adresse", v, None);
    }
    for v in &c.reseaux {
        add(F::Reseaux, "Réseau", v, Some(v.clone()));
    }

    let mut groups: Vec<ClaimGroup> = Vec::new();
    let mut verified_count = 0;
    for claim in &p.claims {
        let status = claim.status(dir.today);
        if matches!(status, ClaimStatus::Refused { .. }) && !private {
            continue;
        }
        let Some(skill) = dir.nomenclature.skill(&claim.skill) else {
            continue;
        };
        let evidence = claim
            .evidence
            .iter()
            .filter(|e| private || !e.private)
            .map(|e| {
                let (detail, url) = match &e.kind {
                    EvidenceKind::Portfolio { url } => (None, Some(url.clone())),
                    EvidenceKind::Reference { client, url, .. } => {
                        (Some(client.clone()), url.clone())
                    }
                    EvidenceKind::Diplome {
                        institution, url, ..
                    } => (institution.clone(), url.clone()),
                    EvidenceKind::Certification {
                        organisation, url, ..
                    } => (organisation.clone(), url.clone()),
                };
                let t = e.evidence_type();
                EvidenceView {
                    kind: t.key(),
                    kind_label: t.label(),
                    title: e.title.clone(),
                    detail,
                    year: e.year(),
                    url,
                    private: e.private,
                }
            })
            .collect();
        verified_count += usize::from(status.is_verified());
        let view = ClaimView {
            id: skill.id.clone(),
            label: skill.label.clone(),
            url: format!("{root}/competences/{}/{}/", skill.family, skill.short_id()),
            status: status.key(),
            status_text: status.text(),
            verified: status.is_verified(),
            until: match &status {
                ClaimStatus::Verified { until, .. } | ClaimStatus::Expired { until, .. } => {
                    Some(until.to_string())
                }
                _ => None,
            },
            evidence,
            note: if private {
                claim.verification.as_ref().and_then(|v| v.note.clone())
            } else {
                None
            },
        };
        match groups.iter_mut().find(|g| g.family == skill.family) {
            Some(g) => g.claims.push(view),
            None => {
                let fam = dir.nomenclature.family(&skill.family);
                groups.push(ClaimGroup {
                    family: skill.family.clone(),
                    family_label: fam.map_or_else(|| skill.family.clone(), |f| f.label.clone()),
                    url: format!("{root}/competences/{}/", skill.family),
                    claims: vec![view],
                });
            }
        }
    }
    // Families in nomenclature order, so every page reads the same way.
    let order: HashMap<&str, usize> = dir
        .nomenclature
        .families
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    groups.sort_by_key(|g| order.get(g.family.as_str()).copied().unwrap_or(usize::MAX));

    let (zone_kind, zone_text, zone) = match &p.zone {
        Zone::Commune => (
            "commune",
            "Intervient dans sa commune".to_string(),
            Vec::new(),
        ),
        Zone::Territory => (
            "territoire",
            format!(
                "Intervient dans tout le territoire ({})",
                dir.config.territory.name
            ),
            Vec::new(),
        ),
        Zone::Communes(codes) => (
            "communes",
            "Intervient dans ces communes".to_string(),
            codes.iter().map(|c| commune_ref(c)).collect(),
        ),
    };
    ProviderView {
        slug: p.slug.clone(),
        url: format!("{root}/prestataires/{}/", p.slug),
        name: p.name.clone(),
        forme: p.forme,
        forme_label: p.forme.label(),
        siret: p.siret.clone(),
        commune: commune_ref(&p.commune),
        zone_kind,
        zone_text,
        zone,
        summary: p.summary.clone(),
        body: p.body.clone(),
        text: crate::render::markdown::description_text(&p.body),
        contacts,
        groups,
        verified_count,
        charter_version: p.charter.version.clone(),
        charter_signed: p.charter.signed_on.to_string(),
        charter_signed_fr: p.charter.signed_on.french(),
        charter_current: p.charter.version == dir.config.charter.version,
        languages: p.languages.iter().map(|l| language_name(l)).collect(),
        language_codes: p.languages.clone(),
        updated: p.updated.map(|d| d.to_string()),
        updated_fr: p.updated.map(|d| d.french()),
        warnings: if private {
            p.warnings.clone()
        } else {
            Vec::new()
        },
        source: if private {
            p.source.display().to_string()
        } else {
            String::new()
        },
    }
}

/// Path part of the base URL, without trailing slash: `https://x.example/annuaire/` → `/annuaire`.
pub fn url_path_prefix(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |x| x.1);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

fn language_name(code: &str) -> String {
    match code {
        "fr" => "français",
        "en" => "anglais",
        "oc" => "occitan",
        "de" => "allemand",
        "es" => "espagnol",
        "it" => "italien",
        "nl" => "néerlandais",
        "pt" => "portugais",
        "ca" => "catalan",
        _ => code,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(url_path_prefix("https://a.example"), "");
        assert_eq!(url_path_prefix("https://a.example/"), "");
        assert_eq!(url_path_prefix("https://a.example/annuaire/"), "/annuaire");
    }

    /// Everything a view holds that pages, exports and the search read, as JSON.
    fn as_json(v: &View) -> serde_json::Value {
        serde_json::json!({
            "site": v.site,
            "providers": v.providers.iter().map(|p| &**p).collect::<Vec<_>>(),
            "cards": v.cards,
            "families": v.families.iter().map(|f| serde_json::json!({
                "family": f,
                "providers": f.providers,
                "skills": f.skills.iter().map(|s| &s.providers).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "communes": v.communes.iter().map(|c| serde_json::json!({
                "commune": c, "based": c.based, "serving": c.serving,
            })).collect::<Vec<_>>(),
            "territory_wide": v.territory_wide,
            "recent": v.recent,
            "pages": v.pages,
            "charter": v.charter,
        })
    }

    fn mini() -> Directory {
        let opts = crate::SiteOptions {
            root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini"),
            today: crate::model::Date::parse("2025-11-28").unwrap(),
            base_url: None,
        };
        crate::load(&opts).unwrap().directory
    }

    #[test]
    fn a_cached_projection_equals_a_full_one_and_reuses_unchanged_views() {
        for audience in [Audience::Public, Audience::Mediation] {
            let mut dir = mini();
            assert!(dir.providers.len() >= 2);
            let mut cache = ViewCache::new(audience);
            let first = project_cached(&dir, &mut cache);
            assert_eq!(as_json(&first), as_json(&project(&dir, audience)));

            // One provider edited (renamed, so the order changes), one added, one removed.
            let mut edited = (*dir.providers[1]).clone();
            edited.name = "Aaa renommé".into();
            edited.contact.publics.clear();
            let mut added = (*dir.providers[0]).clone();
            added.slug = "zz-ajout".into();
            added.name = "Zz ajout".into();
            let kept = dir.providers[0].clone();
            dir.providers = vec![kept.clone(), Arc::new(edited), Arc::new(added)];
            crate::model::directory::sort_providers(&mut dir.providers);
            let second = project_cached(&dir, &mut cache);
            assert_eq!(as_json(&second), as_json(&project(&dir, audience)));
            assert_eq!(cache.len(), 3);
            let view_of = |v: &View, slug: &str| {
                v.providers
                    .iter()
                    .find(|p| p.slug == slug)
                    .cloned()
                    .unwrap()
            };
            assert!(Arc::ptr_eq(
                &view_of(&first, &kept.slug),
                &view_of(&second, &kept.slug)
            ));

            dir.providers.retain(|p| p.slug != "zz-ajout");
            let third = project_cached(&dir, &mut cache);
            assert_eq!(as_json(&third), as_json(&project(&dir, audience)));
            assert_eq!(cache.len(), 2);
        }
    }
}
