//! Plan: the list of pages a view makes, and the context each page's template gets.
//!
//! A [`Job`] is a few integers; its context is built only when the page renders, on whichever
//! thread renders it, so memory holds one page per thread, not the whole site. Listings carry
//! [`Card`](crate::audience::Card)s (a few fields each) and paginate, so no page grows with the size of the directory.

use serde::Serialize;
use tera::Context;

use crate::audience::{CommuneView, FamilyView, Link, PageView, ProviderView, SkillView, View};
use crate::render::RenderError;
use crate::render::cards::CardCache;
use crate::render::markdown;

/// Providers per listing page.
pub const PER_PAGE: usize = 48;
/// Recent entries on the home page.
pub const RECENT: usize = 8;

/// One page to render. `page` numbers start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Home,
    Provider(usize),
    Providers {
        page: usize,
    },
    Family {
        family: usize,
        page: usize,
    },
    Skill {
        family: usize,
        skill: usize,
        page: usize,
    },
    Commune {
        commune: usize,
        page: usize,
    },
    Communes,
    Nomenclature,
    Charter,
    Page(usize),
    Search,
    NotFound,
    /// The open data page: `/donnees/`.
    Data,
    /// The territory map, for all providers or one skill family.
    Map {
        family: Option<usize>,
    },
    /// Mediation audience only: the tools' hub, the skills matrix, routing help and the review list.
    MediationHome,
    Matrix,
    RoutingIndex,
    Routing {
        commune: usize,
    },
    Review,
}

fn pages_for(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}

/// Every page of the view, in a stable order.
pub fn plan(view: &View) -> Vec<Job> {
    let mut jobs = vec![
        Job::Home,
        Job::Communes,
        Job::Nomenclature,
        Job::Search,
        Job::NotFound,
        Job::Data,
    ];
    if view.charter.is_some() {
        jobs.push(Job::Charter);
    }
    jobs.extend((0..view.pages.len()).map(Job::Page));
    jobs.extend((0..view.providers.len()).map(Job::Provider));
    jobs.extend((1..=pages_for(view.providers.len())).map(|page| Job::Providers { page }));
    for (fi, f) in view.families.iter().enumerate() {
        jobs.extend(
            (1..=pages_for(f.providers.len())).map(|page| Job::Family { family: fi, page }),
        );
        for (si, s) in f.skills.iter().enumerate() {
            jobs.extend((1..=pages_for(s.providers.len())).map(|page| Job::Skill {
                family: fi,
                skill: si,
                page,
            }));
        }
    }
    for (ci, c) in view.communes.iter().enumerate() {
        if c.has_page() {
            let n = c.based.len() + c.serving.len();
            jobs.extend((1..=pages_for(n)).map(|page| Job::Commune { commune: ci, page }));
        }
    }
    if view.map.is_some() {
        jobs.push(Job::Map { family: None });
        jobs.extend((0..view.families.len()).map(|f| Job::Map { family: Some(f) }));
    }
    if view.audience == crate::audience::Audience::Mediation {
        jobs.extend([
            Job::MediationHome,
            Job::Matrix,
            Job::RoutingIndex,
            Job::Review,
        ]);
        jobs.extend((0..view.communes.len()).map(|commune| Job::Routing { commune }));
    }
    jobs
}

fn paged(url: &str, page: usize) -> String {
    if page <= 1 {
        url.to_string()
    } else {
        format!("{url}page/{page}/")
    }
}

/// The output path (relative to the site root) of a job.
pub fn output_path(view: &View, job: Job) -> String {
    let root = &view.site.root;
    let url = match job {
        Job::Home => format!("{root}/"),
        Job::Provider(i) => view.providers[i].url.clone(),
        Job::Providers { page } => paged(&format!("{root}/prestataires/"), page),
        Job::Family { family, page } => paged(&view.families[family].url, page),
        Job::Skill {
            family,
            skill,
            page,
        } => paged(&view.families[family].skills[skill].url, page),
        Job::Commune { commune, page } => paged(&view.communes[commune].url, page),
        Job::Communes => format!("{root}/communes/"),
        Job::Nomenclature => format!("{root}/nomenclature/"),
        Job::Charter => format!("{root}/charte/"),
        Job::Page(i) => view.pages[i].url.clone(),
        Job::Search => format!("{root}/recherche/"),
        Job::NotFound => return "404.html".to_string(),
        Job::Data => format!("{root}/donnees/"),
        Job::Map { family: None } => format!("{root}/carte/"),
        Job::Map { family: Some(f) } => format!("{root}/carte/{}/", view.families[f].id),
        Job::MediationHome => format!("{root}/mediation/"),
        Job::Matrix => format!("{root}/mediation/competences/"),
        Job::RoutingIndex => format!("{root}/mediation/orientation/"),
        Job::Routing { commune } => format!(
            "{root}/mediation/orientation/{}/",
            view.communes[commune].slug
        ),
        Job::Review => format!("{root}/mediation/revue/"),
    };
    // URLs carry the path prefix of the base URL; files are written relative to the output root.
    let path = url
        .strip_prefix(root.as_str())
        .unwrap_or(&url)
        .trim_start_matches('/');
    format!("{path}index.html")
}

#[derive(Serialize)]
pub(crate) struct PageMeta {
    title: String,
    description: String,
    url: String,
    canonical: String,
    breadcrumbs: Vec<Link>,
    /// For the navigation's `aria-current`.
    section: &'static str,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
    first_item: usize,
    last_item: usize,
    items: usize,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

fn pagination(base: &str, page: usize, items: usize) -> Pagination {
    let total = pages_for(items);
    let window = |n: usize| n == 1 || n == total || n.abs_diff(page) <= 2;
    Pagination {
        current: page,
        total,
        prev: (page > 1).then(|| paged(base, page - 1)),
        next: (page < total).then(|| paged(base, page + 1)),
        pages: (1..=total)
            .filter(|&n| window(n))
            .map(|n| PageLink {
                number: n,
                url: paged(base, n),
                current: n == page,
            })
            .collect(),
        first_item: ((page - 1) * PER_PAGE + 1).min(items),
        last_item: (page * PER_PAGE).min(items),
        items,
    }
}

/// The cards of listing page `page` (from 1) of the cards at `indices`.
fn page_of(indices: impl Iterator<Item = usize>, page: usize) -> impl Iterator<Item = usize> {
    indices.skip((page - 1) * PER_PAGE).take(PER_PAGE)
}

/// A page title with its page number, so paginated pages are told apart.
fn numbered(title: &str, page: usize) -> String {
    if page > 1 {
        format!("{title} – page {page}")
    } else {
        title.to_string()
    }
}

/// Builds the template name and context of a job. Listings get their cards from `cards`, which
/// renders each with `tera` the first time it is needed.
pub fn context(
    view: &View,
    job: Job,
    tera: &tera::Tera,
    cards: &CardCache,
) -> Result<(&'static str, Context), RenderError> {
    let root = &view.site.root;
    let home = Link {
        title: "Accueil".into(),
        url: format!("{root}/"),
    };
    let mut ctx = Context::new();
    let site_host = site_host(&view.site.base_url);
    let md = |s: &str, top: u8| markdown::render(s, root, &site_host, top);
    let known = |path: &str| view.known_paths().contains(path);
    let md_untrusted =
        |s: &str, top: u8| markdown::render_untrusted(s, root, &site_host, top, &known);
    let meta = |title: String,
                description: String,
                url: String,
                crumbs: Vec<Link>,
                section: &'static str| {
        page_meta(view, title, description, url, crumbs, section)
    };
    let template = match job {
        Job::Map { .. }
        | Job::MediationHome
        | Job::Matrix
        | Job::RoutingIndex
        | Job::Routing { .. }
        | Job::Review => return Ok(super::tools::context(view, job, home)),
        Job::Home => {
            ctx.insert("families", &view.families);
            let recent = cards.list(view, tera, view.recent.iter().take(RECENT).copied())?;
            ctx.insert("recent", &recent);
            ctx.insert("stats", &stats(view));
            ctx.insert(
                "jsonld",
                &crate::export::jsonld::script_json(&crate::export::jsonld::website(view)),
            );
            ctx.insert(
                "page",
                &meta(
                    view.site.title.clone(),
                    view.site.description.clone(),
                    format!("{root}/"),
                    vec![],
                    "accueil",
                ),
            );
            "index.html"
        }
        Job::Provider(i) => {
            let p: &ProviderView = &view.providers[i];
            ctx.insert("provider", p);
            ctx.insert(
                "jsonld",
                &crate::export::jsonld::script_json(&crate::export::jsonld::provider(view, p)),
            );
            ctx.insert("description_html", &md_untrusted(&p.body, 3));
            ctx.insert(
                "page",
                &meta(
                    p.name.clone(),
                    p.summary.clone(),
                    p.url.clone(),
                    vec![
                        home,
                        Link {
                            title: "Prestataires".into(),
                            url: format!("{root}/prestataires/"),
                        },
                    ],
                    "prestataires",
                ),
            );
            "provider.html"
        }
        Job::Providers { page } => {
            let base = format!("{root}/prestataires/");
            let all = view.providers.len();
            ctx.insert("cards", &cards.list(view, tera, page_of(0..all, page))?);
            ctx.insert("pagination", &pagination(&base, page, all));
            ctx.insert(
                "page",
                &meta(
                    numbered("Tous les prestataires", page),
                    format!(
                        "Les {} prestataires du numérique de l'annuaire, de A à Z.",
                        all
                    ),
                    paged(&base, page),
                    vec![home],
                    "prestataires",
                ),
            );
            "providers.html"
        }
        Job::Family { family, page } => {
            let f: &FamilyView = &view.families[family];
            ctx.insert("family", f);
            let listed = page_of(f.providers.iter().copied(), page);
            ctx.insert("cards", &cards.list(view, tera, listed)?);
            ctx.insert("pagination", &pagination(&f.url, page, f.providers.len()));
            ctx.insert(
                "page",
                &meta(
                    numbered(&f.label, page),
                    f.description.clone(),
                    paged(&f.url, page),
                    vec![
                        home,
                        Link {
                            title: "Compétences".into(),
                            url: format!("{root}/nomenclature/"),
                        },
                    ],
                    "competences",
                ),
            );
            "family.html"
        }
        Job::Skill {
            family,
            skill,
            page,
        } => {
            let f = &view.families[family];
            let s: &SkillView = &f.skills[skill];
            ctx.insert(
                "family",
                &Link {
                    title: f.label.clone(),
                    url: f.url.clone(),
                },
            );
            ctx.insert("skill", s);
            let listed = page_of(s.providers.iter().copied(), page);
            ctx.insert("cards", &cards.list(view, tera, listed)?);
            ctx.insert("pagination", &pagination(&s.url, page, s.providers.len()));
            ctx.insert(
                "page",
                &meta(
                    numbered(&s.label, page),
                    s.description.clone(),
                    paged(&s.url, page),
                    vec![
                        home,
                        Link {
                            title: "Compétences".into(),
                            url: format!("{root}/nomenclature/"),
                        },
                        Link {
                            title: f.label.clone(),
                            url: f.url.clone(),
                        },
                    ],
                    "competences",
                ),
            );
            "skill.html"
        }
        Job::Commune { commune, page } => {
            let c: &CommuneView = &view.communes[commune];
            // Based here first, then those whose zone lists it: one paginated list.
            let all = c.based.iter().chain(c.serving.iter()).copied();
            let listed = cards.list(view, tera, page_of(all, page))?;
            let first_serving = c
                .based
                .len()
                .saturating_sub((page - 1) * PER_PAGE)
                .min(listed.len());
            let (based, serving) = listed.split_at(first_serving);
            ctx.insert("commune", c);
            ctx.insert("based", based);
            ctx.insert("serving", serving);
            ctx.insert("territory_wide", &view.territory_wide.len());
            let all = c.based.len() + c.serving.len();
            ctx.insert("pagination", &pagination(&c.url, page, all));
            ctx.insert(
                "page",
                &meta(
                    numbered(&c.name, page),
                    format!("Prestataires du numérique à {} et alentour.", c.name),
                    paged(&c.url, page),
                    vec![
                        home,
                        Link {
                            title: "Communes".into(),
                            url: format!("{root}/communes/"),
                        },
                    ],
                    "communes",
                ),
            );
            "commune.html"
        }
        Job::Communes => {
            let with: Vec<&CommuneView> = view.communes.iter().filter(|c| c.has_page()).collect();
            let without: Vec<&CommuneView> =
                view.communes.iter().filter(|c| !c.has_page()).collect();
            ctx.insert("communes", &with);
            ctx.insert("communes_without", &without);
            ctx.insert("territory_wide", &view.territory_wide.len());
            ctx.insert(
                "page",
                &meta(
                    "Communes".into(),
                    format!(
                        "Les communes {} et leurs prestataires du numérique.",
                        view.site.territory_in
                    ),
                    format!("{root}/communes/"),
                    vec![home],
                    "communes",
                ),
            );
            "communes.html"
        }
        Job::Nomenclature => {
            ctx.insert("families", &view.families);
            ctx.insert(
                "page",
                &meta(
                    "Compétences".into(),
                    "La nomenclature des compétences : familles, compétences et justificatifs acceptés.".into(),
                    format!("{root}/nomenclature/"),
                    vec![home],
                    "competences",
                ),
            );
            "nomenclature.html"
        }
        Job::Charter | Job::Page(_) => {
            let (p, section): (&PageView, &'static str) = match job {
                Job::Charter => (
                    view.charter.as_ref().expect("planned only when present"),
                    "charte",
                ),
                Job::Page(i) => (&view.pages[i], "page"),
                _ => unreachable!(),
            };
            ctx.insert("content", p);
            ctx.insert("body_html", &md(&p.body, 2));
            let description = p
                .description
                .clone()
                .unwrap_or_else(|| truncate(&markdown::plain_text(&p.body), 160));
            ctx.insert(
                "page",
                &meta(
                    p.title.clone(),
                    description,
                    p.url.clone(),
                    vec![home],
                    section,
                ),
            );
            "page.html"
        }
        Job::Search => {
            ctx.insert("families", &view.families);
            let with: Vec<&CommuneView> = view.communes.iter().filter(|c| c.has_page()).collect();
            ctx.insert("communes", &with);
            ctx.insert(
                "page",
                &meta(
                    "Rechercher un prestataire".into(),
                    "Chercher un prestataire du numérique par besoin, compétence ou commune."
                        .into(),
                    format!("{root}/recherche/"),
                    vec![home],
                    "recherche",
                ),
            );
            "search.html"
        }
        Job::Data => {
            ctx.insert("files", &crate::export::catalogue(view));
            ctx.insert("feed_max", &crate::export::feed::MAX_ENTRIES);
            ctx.insert("header_fields", crate::export::HEADER_FIELDS);
            ctx.insert("licence_name", crate::export::LICENCE_NAME);
            ctx.insert("licence_url", crate::export::LICENCE_URL);
            ctx.insert("feed_url", &format!("{root}/{}", crate::export::feed::PATH));
            ctx.insert(
                "sitemap_url",
                &format!("{root}/{}", crate::export::sitemap::PATH),
            );
            ctx.insert(
                "page",
                &meta(
                    if view.audience.sees_private() {
                        "Données (usage interne)".into()
                    } else {
                        "Données ouvertes".into()
                    },
                    "Les données de l'annuaire en téléchargement (JSON, CSV), leurs champs et leur licence.".into(),
                    format!("{root}/donnees/"),
                    vec![home],
                    "donnees",
                ),
            );
            "data.html"
        }
        Job::NotFound => {
            ctx.insert("families", &view.families);
            ctx.insert(
                "page",
                &meta(
                    "Page introuvable".into(),
                    String::new(),
                    format!("{root}/404.html"),
                    vec![home],
                    "404",
                ),
            );
            "404.html"
        }
    };
    Ok((template, ctx))
}

/// Title, description, URLs and breadcrumbs of a page.
pub(crate) fn page_meta(
    view: &View,
    title: String,
    description: String,
    url: String,
    breadcrumbs: Vec<Link>,
    section: &'static str,
) -> PageMeta {
    let root = &view.site.root;
    let canonical = format!(
        "{}{}",
        view.site.base_url,
        url.strip_prefix(root.as_str()).unwrap_or(&url)
    );
    PageMeta {
        title,
        description,
        url,
        canonical,
        breadcrumbs,
        section,
    }
}

#[derive(Serialize)]
struct Stats {
    providers: usize,
    verified: usize,
    skills: usize,
    communes: usize,
}

fn stats(view: &View) -> Stats {
    Stats {
        providers: view.providers.len(),
        verified: view
            .providers
            .iter()
            .filter(|p| p.verified_count > 0)
            .count(),
        skills: view
            .families
            .iter()
            .flat_map(|f| &f.skills)
            .filter(|s| s.count > 0)
            .count(),
        communes: view.communes.iter().filter(|c| c.based_count > 0).count(),
    }
}

pub fn site_host(base_url: &str) -> String {
    base_url
        .split_once("://")
        .map_or("", |x| x.1)
        .split(['/', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |x| x.0))
}
