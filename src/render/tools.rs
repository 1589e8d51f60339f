//! Contexts of the territory pages: the map (both audiences) and the mediators' tools (the
//! mediation audience only; `plan` never schedules them for the public).

use std::collections::HashMap;

use serde::Serialize;
use tera::Context;

use crate::audience::{Link, View};
use crate::map::{self, Shade};
use crate::mediation;
use crate::render::pages::{Job, page_meta};

#[derive(Serialize)]
struct LegendEntry {
    class: u8,
    label: String,
}

#[derive(Serialize)]
struct CommuneCount<'a> {
    name: &'a str,
    url: Option<&'a str>,
    count: usize,
}

pub fn context(view: &View, job: Job, home: Link) -> (&'static str, Context) {
    let root = &view.site.root;
    let mut ctx = Context::new();
    let mediation_link = Link {
        title: "Médiation".into(),
        url: format!("{root}/mediation/"),
    };
    let template = match job {
        Job::Map { family } => {
            let cover = mediation::coverage(view);
            let fam = family.map(|f| &view.families[f]);
            let counts = mediation::commune_counts(view, &cover, fam.map(|f| f.id.as_str()));
            let bounds = map::classes(&counts);
            // The family is in the map's own label: each commune says its count only.
            let what = "prestataires";
            let shades: HashMap<String, Shade> = view
                .communes
                .iter()
                .zip(&counts)
                .map(|(c, &n)| {
                    let label = format!("{} : {n} {what}", c.name);
                    let href = c.has_page().then(|| c.url.clone());
                    (
                        c.code.clone(),
                        Shade {
                            class: map::class_of(n, &bounds),
                            label,
                            href,
                        },
                    )
                })
                .collect();
            let title = match fam {
                Some(f) => format!("Carte : {}", f.label),
                None => "Carte des prestataires".to_string(),
            };
            let svg = view
                .map
                .as_deref()
                .map(|g| {
                    let shapes = format!("{}/{}", view.site.root, g.shapes_file().0);
                    map::svg(g, &shades, &title, &shapes)
                })
                .unwrap_or_default();
            let legend = legend(&bounds);
            let mut table: Vec<CommuneCount> = view
                .communes
                .iter()
                .zip(&counts)
                .map(|(c, &n)| CommuneCount {
                    name: &c.name,
                    url: c.has_page().then_some(c.url.as_str()),
                    count: n,
                })
                .collect();
            table.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(b.name)));
            let filters: Vec<Link> = std::iter::once(Link {
                title: "Toutes les compétences".into(),
                url: format!("{root}/carte/"),
            })
            .chain(view.families.iter().map(|f| Link {
                title: f.label.clone(),
                url: format!("{root}/carte/{}/", f.id),
            }))
            .collect();
            let url = match fam {
                Some(f) => format!("{root}/carte/{}/", f.id),
                None => format!("{root}/carte/"),
            };
            ctx.insert("svg", &svg);
            ctx.insert("legend", &legend);
            ctx.insert("table", &table);
            ctx.insert("filters", &filters);
            ctx.insert("family", &fam.map(|f| &f.label));
            ctx.insert("territory_wide", &view.territory_wide.len());
            let mut crumbs = vec![home];
            if fam.is_some() {
                crumbs.push(Link {
                    title: "Carte".into(),
                    url: format!("{root}/carte/"),
                });
            }
            let description = format!(
                "Nombre de {what} qui interviennent dans chaque commune {}.",
                view.site.territory_in
            );
            ctx.insert(
                "page",
                &page_meta(view, title, description, url, crumbs, "carte"),
            );
            "map.html"
        }
        Job::MediationHome => {
            ctx.insert("has_map", &view.map.is_some());
            ctx.insert(
                "page",
                &page_meta(
                    view,
                    "Outils de médiation".into(),
                    "Carte des compétences du territoire, orientation, relecture des fiches."
                        .into(),
                    format!("{root}/mediation/"),
                    vec![home],
                    "mediation",
                ),
            );
            "mediation.html"
        }
        Job::Matrix => {
            let cover = mediation::coverage(view);
            ctx.insert("matrix", &mediation::skills_matrix(view, &cover));
            ctx.insert("grouped", &!view.groups.is_empty());
            ctx.insert(
                "page",
                &page_meta(
                    view,
                    "Compétences par territoire".into(),
                    "Pour chaque compétence, le nombre de prestataires qui interviennent dans chaque intercommunalité, dont vérifiés."
                        .into(),
                    format!("{root}/mediation/competences/"),
                    vec![home, mediation_link],
                    "mediation",
                ),
            );
            "matrix.html"
        }
        Job::RoutingIndex => {
            #[derive(Serialize)]
            struct Group<'a> {
                name: &'a str,
                communes: Vec<Link>,
            }
            let link = |c: &crate::audience::CommuneView| Link {
                title: c.name.clone(),
                url: format!("{root}/mediation/orientation/{}/", c.slug),
            };
            let columns = mediation::columns(view);
            let groups: Vec<Group> = if view.groups.is_empty() {
                vec![Group {
                    name: "Communes",
                    communes: view.communes.iter().map(link).collect(),
                }]
            } else {
                columns
                    .iter()
                    .map(|col| Group {
                        name: col.name.as_str(),
                        communes: col
                            .communes
                            .iter()
                            .map(|&i| link(&view.communes[i]))
                            .collect(),
                    })
                    .collect()
            };
            ctx.insert("groups", &groups);
            ctx.insert(
                "page",
                &page_meta(
                    view,
                    "Orientation".into(),
                    "Choisir la commune de la personne ou de l'entreprise à orienter.".into(),
                    format!("{root}/mediation/orientation/"),
                    vec![home, mediation_link],
                    "mediation",
                ),
            );
            "routing-index.html"
        }
        Job::Routing { commune } => {
            let cover = mediation::coverage(view);
            let c = &view.communes[commune];
            ctx.insert("commune", c);
            ctx.insert("skills", &mediation::routing(view, &cover, commune));
            ctx.insert("limit", &mediation::ROUTING_LIMIT);
            ctx.insert(
                "page",
                &page_meta(
                    view,
                    format!("Orientation à {}", c.name),
                    format!(
                        "Prestataires qui interviennent à {}, par compétence, vérifiés d'abord.",
                        c.name
                    ),
                    format!("{root}/mediation/orientation/{}/", c.slug),
                    vec![
                        home,
                        mediation_link,
                        Link {
                            title: "Orientation".into(),
                            url: format!("{root}/mediation/orientation/"),
                        },
                    ],
                    "mediation",
                ),
            );
            "routing.html"
        }
        Job::Review => {
            ctx.insert(
                "review",
                &mediation::review(view, view.today, view.max_evidence_age),
            );
            ctx.insert("renew_days", &mediation::RENEW_WITHIN_DAYS);
            ctx.insert(
                "page",
                &page_meta(
                    view,
                    "Fiches à revoir".into(),
                    "Compétences à vérifier, vérifications à renouveler, chartes à signer de nouveau, justificatifs anciens."
                        .into(),
                    format!("{root}/mediation/revue/"),
                    vec![home, mediation_link],
                    "mediation",
                ),
            );
            "review.html"
        }
        _ => unreachable!("pages.rs handles the other jobs"),
    };
    (template, ctx)
}

fn legend(bounds: &[usize; 4]) -> Vec<LegendEntry> {
    let mut out = vec![LegendEntry {
        class: 0,
        label: "aucun".into(),
    }];
    for class in 1..=4u8 {
        let lo = bounds[usize::from(class) - 1];
        // Classes below the first distinct value are empty (same bound as the next one).
        if class < 4 && bounds[usize::from(class)] == lo {
            continue;
        }
        let label = match bounds.get(usize::from(class)) {
            Some(&next) if next - 1 > lo => format!("{lo} à {}", next - 1),
            Some(_) => lo.to_string(),
            None => format!("{lo} ou plus"),
        };
        out.push(LegendEntry { class, label });
    }
    out
}
