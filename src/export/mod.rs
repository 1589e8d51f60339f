//! Open data and discoverability: the files a build writes besides its pages, all made from the
//! [`View`] (so the public build cannot export what the public view does not hold).
//!
//! - `donnees/prestataires.json`, `donnees/prestataires.csv`, `donnees/nomenclature.json`,
//!   `donnees/communes.json` at stable (not fingerprinted) URLs, with their JSON Schemas
//!   ([`json`], [`csv`]);
//! - `sitemap.xml` and `robots.txt` ([`sitemap`]), derived from the page plan;
//! - the Atom feed `flux.xml` ([`feed`]);
//! - `site.webmanifest`;
//! - the schema.org JSON-LD of provider pages and of the home page ([`jsonld`]).
//!
//! [`catalogue`] describes the data files for the "Données" page from the same field lists the
//! exports use, so the documentation cannot drift from the files.

pub mod csv;
pub mod feed;
pub mod json;
pub mod jsonld;
pub mod sitemap;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audience::{Audience, SiteInfo, View};
use crate::render::pages::Job;

/// Licence of the public data.
pub const LICENCE_NAME: &str = "Licence Ouverte 2.0";
pub const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";
/// What the mediation exports say instead: they hold private data.
pub const PRIVATE_LICENCE_NAME: &str =
    "Usage interne aux médiateurs : données privées, diffusion interdite";

/// Folder of the data files, relative to the site root.
pub const DATA_DIR: &str = "donnees";

/// One generated file, path relative to the site root.
#[derive(Debug, Clone)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A documented field of an export (a CSV column or a JSON key).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub description: &'static str,
}

/// The JSON Schemas of the JSON exports, shipped in the repository (`schema/donnees/`), embedded
/// in the binary and published beside the data.
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "prestataires.schema.json",
        include_str!("../../schema/donnees/prestataires.schema.json"),
    ),
    (
        "nomenclature.schema.json",
        include_str!("../../schema/donnees/nomenclature.schema.json"),
    ),
    (
        "communes.schema.json",
        include_str!("../../schema/donnees/communes.schema.json"),
    ),
];

/// Every file of this module for `view`: data files, schemas, sitemap, robots.txt, feed and web
/// manifest. `jobs` is the page plan; `asset_urls` maps theme asset names to their URLs.
pub fn files(view: &View, jobs: &[Job], asset_urls: &BTreeMap<String, String>) -> Vec<OutFile> {
    struct Collect(Vec<OutFile>);
    impl Sink for Collect {
        type Error = std::convert::Infallible;
        fn file(&mut self, file: OutFile) -> Result<(), Self::Error> {
            self.0.push(file);
            Ok(())
        }
        fn stream(
            &mut self,
            path: String,
            write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
        ) -> Result<(), Self::Error> {
            let mut bytes = Vec::new();
            // Writing to memory cannot fail.
            let _ = write(&mut bytes);
            self.0.push(OutFile { path, bytes });
            Ok(())
        }
    }
    let mut out = Collect(Vec::new());
    let _ = for_each_file(view, jobs, asset_urls, &mut out);
    out.0
}

/// Where [`for_each_file`] puts the files: small ones as bytes, the provider exports (tens of
/// megabytes at 10,000 entries, hundreds at 100,000) as a writer callback, so a build streams
/// them to disk instead of holding them.
pub trait Sink {
    type Error;
    fn file(&mut self, file: OutFile) -> Result<(), Self::Error>;
    fn stream(
        &mut self,
        path: String,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), Self::Error>;
}

/// [`files`], each handed to `sink` as soon as it is made.
pub fn for_each_file<S: Sink>(
    view: &View,
    jobs: &[Job],
    asset_urls: &BTreeMap<String, String>,
    sink: &mut S,
) -> Result<(), S::Error> {
    sink.stream(format!("{DATA_DIR}/prestataires.json"), &mut |w| {
        json::write_providers(view, w)
    })?;
    sink.stream(format!("{DATA_DIR}/prestataires.csv"), &mut |w| {
        csv::write_providers(view, w)
    })?;
    sink.file(OutFile {
        path: format!("{DATA_DIR}/nomenclature.json"),
        bytes: json::nomenclature(view),
    })?;
    sink.file(OutFile {
        path: format!("{DATA_DIR}/communes.json"),
        bytes: json::communes(view),
    })?;
    for (name, text) in SCHEMAS {
        sink.file(OutFile {
            path: format!("{DATA_DIR}/{name}"),
            bytes: text.as_bytes().to_vec(),
        })?;
    }
    for file in sitemap::files(view, jobs) {
        sink.file(file)?;
    }
    sink.file(OutFile {
        path: "robots.txt".into(),
        bytes: sitemap::robots(view).into_bytes(),
    })?;
    sink.file(OutFile {
        path: feed::PATH.into(),
        bytes: feed::atom(view).into_bytes(),
    })?;
    sink.file(OutFile {
        path: "site.webmanifest".into(),
        bytes: manifest(view, asset_urls),
    })
}

/// The absolute URL of a site URL (`/annuaire/x/` → `https://host/annuaire/x/`).
pub fn absolute(site: &SiteInfo, url: &str) -> String {
    format!(
        "{}{}",
        site.base_url,
        url.strip_prefix(site.root.as_str()).unwrap_or(url)
    )
}

/// The header every JSON export starts with.
#[derive(Serialize)]
pub(crate) struct Header {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub licence: Licence,
    pub source: Source,
    /// Build date, `AAAA-MM-JJ`.
    pub date: String,
    pub audience: Audience,
}

#[derive(Serialize)]
pub(crate) struct Licence {
    pub nom: &'static str,
    pub url: String,
}

#[derive(Serialize)]
pub(crate) struct Source {
    pub nom: String,
    pub url: String,
    pub editeur: String,
}

pub(crate) fn header(view: &View, schema_name: &str) -> Header {
    let site = &view.site;
    let licence = if view.audience.sees_private() {
        Licence {
            nom: PRIVATE_LICENCE_NAME,
            url: absolute(site, &format!("{}/{DATA_DIR}/", site.root)),
        }
    } else {
        Licence {
            nom: LICENCE_NAME,
            url: LICENCE_URL.into(),
        }
    };
    Header {
        schema: absolute(site, &format!("{}/{DATA_DIR}/{schema_name}", site.root)),
        licence,
        source: Source {
            nom: site.title.clone(),
            url: absolute(site, &format!("{}/", site.root)),
            editeur: site.publisher.clone(),
        },
        date: site.build_date.clone(),
        audience: view.audience,
    }
}

/// Fields of the header of every JSON export (for the Données page).
pub const HEADER_FIELDS: &[Field] = &[
    Field {
        name: "$schema",
        description: "adresse du schéma JSON qui décrit le fichier",
    },
    Field {
        name: "licence",
        description: "nom et adresse de la licence",
    },
    Field {
        name: "source",
        description: "nom, adresse et éditeur de l'annuaire",
    },
    Field {
        name: "date",
        description: "date de production du fichier (AAAA-MM-JJ)",
    },
    Field {
        name: "audience",
        description: "« public » pour les données ouvertes",
    },
];

/// One data file as the Données page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FileDoc {
    pub name: &'static str,
    pub url: String,
    pub format: &'static str,
    pub media_type: &'static str,
    pub description: String,
    /// Root-relative URL of the JSON Schema (JSON files).
    pub schema_url: Option<String>,
    /// What one record holds (a provider, a CSV row, a family, a commune).
    pub record: &'static str,
    pub fields: Vec<Field>,
}

/// The data files of `view`, with their fields, for the Données page.
pub fn catalogue(view: &View) -> Vec<FileDoc> {
    let root = &view.site.root;
    let url = |name: &str| format!("{root}/{DATA_DIR}/{name}");
    let csv_note = if view.audience.sees_private() {
        "UTF-8 avec BOM, séparateur point-virgule (pour Excel et LibreOffice en français), fins de ligne CRLF"
    } else {
        "UTF-8 sans BOM, séparateur virgule, guillemets et fins de ligne CRLF selon la RFC 4180"
    };
    vec![
        FileDoc {
            name: "prestataires.json",
            url: url("prestataires.json"),
            format: "JSON",
            media_type: "application/json",
            description: "Les prestataires et leurs compétences, avec les justificatifs publics et le statut de chaque compétence.".into(),
            schema_url: Some(url("prestataires.schema.json")),
            record: "prestataires[]",
            fields: json::PROVIDER_FIELDS
                .iter()
                .chain(if view.audience.sees_private() {
                    json::MEDIATION_PROVIDER_FIELDS
                } else {
                    &[]
                })
                .copied()
                .collect(),
        },
        FileDoc {
            name: "prestataires.csv",
            url: url("prestataires.csv"),
            format: "CSV",
            media_type: "text/csv",
            description: format!(
                "Une ligne par prestataire et par compétence, pour un tableur ({csv_note})."
            ),
            schema_url: None,
            record: "ligne",
            fields: csv::columns(view.audience).iter().map(|c| c.field).collect(),
        },
        FileDoc {
            name: "nomenclature.json",
            url: url("nomenclature.json"),
            format: "JSON",
            media_type: "application/json",
            description: "La nomenclature des compétences : familles, compétences, justificatifs acceptés, codes ROME et e-CF, nombre de prestataires.".into(),
            schema_url: Some(url("nomenclature.schema.json")),
            record: "familles[]",
            fields: json::FAMILY_FIELDS.to_vec(),
        },
        FileDoc {
            name: "communes.json",
            url: url("communes.json"),
            format: "JSON",
            media_type: "application/json",
            description: format!(
                "Les communes {} (code INSEE, codes postaux, anciennes communes, centre) et le nombre de prestataires de chacune.",
                view.site.territory_in
            ),
            schema_url: Some(url("communes.schema.json")),
            record: "communes[]",
            fields: json::COMMUNE_FIELDS.to_vec(),
        },
    ]
}

#[derive(Serialize)]
struct Manifest<'a> {
    name: &'a str,
    short_name: String,
    description: &'a str,
    lang: &'a str,
    start_url: String,
    scope: String,
    display: &'static str,
    background_color: &'static str,
    theme_color: &'static str,
    icons: Vec<Icon>,
}

#[derive(Serialize)]
struct Icon {
    src: String,
    sizes: &'static str,
    #[serde(rename = "type")]
    media_type: &'static str,
    purpose: &'static str,
}

/// `site.webmanifest`: name, language, start URL, standalone display, the SVG icon.
pub fn manifest(view: &View, asset_urls: &BTreeMap<String, String>) -> Vec<u8> {
    let site = &view.site;
    // Home screens show about 12 characters: the title when it fits, else its first word.
    let short_name = if site.title.chars().count() <= 12 {
        site.title.clone()
    } else {
        site.title
            .split_whitespace()
            .next()
            .unwrap_or(&site.title)
            .chars()
            .take(12)
            .collect()
    };
    let m = Manifest {
        name: &site.title,
        short_name,
        description: &site.description,
        lang: &site.lang,
        start_url: format!("{}/", site.root),
        scope: format!("{}/", site.root),
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#2a5a3c",
        icons: asset_urls
            .get("favicon.svg")
            .map(|src| Icon {
                src: src.clone(),
                sizes: "any",
                media_type: "image/svg+xml",
                purpose: "any",
            })
            .into_iter()
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&m).expect("a manifest serialises");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::{Audience, project};
    use serde_json::Value;

    fn view(audience: Audience) -> View {
        let opts = crate::SiteOptions {
            root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini"),
            today: crate::model::Date::from_unix(1_764_320_000),
            base_url: None,
        };
        let loaded = crate::load(&opts).expect("the mini fixture loads");
        project(&loaded.directory, audience)
    }

    fn names(fields: &[Field]) -> Vec<&str> {
        fields.iter().map(|f| f.name).collect()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        v.sort_unstable();
        v
    }

    fn schema(name: &str) -> Value {
        let text = SCHEMAS.iter().find(|s| s.0 == name).unwrap().1;
        serde_json::from_str(text).unwrap()
    }

    /// The documented field lists (Données page), the files and the JSON Schemas agree.
    #[test]
    fn documented_fields_are_the_exported_and_schema_fields() {
        let public = view(Audience::Public);
        let mediation = view(Audience::Mediation);
        let providers: Value = serde_json::from_slice(&json::providers(&public)).unwrap();
        let private: Value = serde_json::from_slice(&json::providers(&mediation)).unwrap();
        let p = &providers["prestataires"][0];
        assert_eq!(
            sorted(keys(p)),
            sorted(names(json::PROVIDER_FIELDS)),
            "public provider keys"
        );
        let mut all = names(json::PROVIDER_FIELDS);
        all.extend(names(json::MEDIATION_PROVIDER_FIELDS));
        assert_eq!(
            sorted(keys(&private["prestataires"][0])),
            sorted(all.clone()),
            "mediation keys"
        );
        let s = schema("prestataires.schema.json");
        let def = &s["$defs"]["prestataire"];
        assert_eq!(sorted(keys(&def["properties"])), sorted(all));
        let required: Vec<&str> = def["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(sorted(required), sorted(names(json::PROVIDER_FIELDS)));

        let header: Vec<&str> = names(HEADER_FIELDS);
        let mut top = keys(&providers);
        top.retain(|k| *k != "prestataires");
        assert_eq!(sorted(top), sorted(header.clone()));

        let n: Value = serde_json::from_slice(&json::nomenclature(&public)).unwrap();
        assert_eq!(
            sorted(keys(&n["familles"][0])),
            sorted(names(json::FAMILY_FIELDS))
        );
        assert_eq!(
            sorted(keys(
                &schema("nomenclature.schema.json")["$defs"]["famille"]["properties"]
            )),
            sorted(names(json::FAMILY_FIELDS))
        );
        let c: Value = serde_json::from_slice(&json::communes(&public)).unwrap();
        assert_eq!(
            sorted(keys(&c["communes"][0])),
            sorted(names(json::COMMUNE_FIELDS))
        );
        assert_eq!(
            sorted(keys(
                &schema("communes.schema.json")["$defs"]["commune"]["properties"]
            )),
            sorted(names(json::COMMUNE_FIELDS))
        );
        for (name, _) in SCHEMAS {
            let s = schema(name);
            let mut props = keys(&s["properties"]);
            let data = s["required"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap();
            props.retain(|k| *k != data);
            assert_eq!(sorted(props), sorted(header.clone()), "{name} header");
        }
    }

    #[test]
    fn csv_header_is_the_column_list() {
        for audience in [Audience::Public, Audience::Mediation] {
            let v = view(audience);
            let bytes = csv::providers(&v);
            let body = bytes.strip_prefix(csv::BOM).unwrap_or(&bytes);
            let first = std::str::from_utf8(body)
                .unwrap()
                .split("\r\n")
                .next()
                .unwrap();
            let sep = if audience.sees_private() { ";" } else { "," };
            let want: Vec<&str> = csv::columns(audience)
                .iter()
                .map(|c| c.field.name)
                .collect();
            assert_eq!(first, want.join(sep));
            let documented: Vec<&str> = catalogue(&v)[1].fields.iter().map(|f| f.name).collect();
            assert_eq!(documented, want);
        }
    }

    #[test]
    fn spreadsheet_formulas_are_defused_in_the_mediation_csv_only() {
        let mut v = view(Audience::Mediation);
        std::sync::Arc::make_mut(&mut v.providers[0]).summary =
            "=HYPERLINK(\"http://x.example\")".into();
        let text = String::from_utf8(csv::providers(&v)).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        let mut v = view(Audience::Public);
        std::sync::Arc::make_mut(&mut v.providers[0]).summary = "=1+1".into();
        let text = String::from_utf8(csv::providers(&v)).unwrap();
        assert!(text.contains(",=1+1,"), "{text}");
    }
}
