//! The JSON exports: providers, nomenclature and communes, each with the common header (licence,
//! source, build date). Keys follow the entry format (`nom`, `resume`, `competences`…). The public
//! view holds no private field, so the public files hold none; the mediation files add the private
//! contact fields and evidence (marked `prive`), the mediators' notes and the check warnings.

use serde::Serialize;

use super::{Field, Header, absolute, header};
use crate::audience::{ClaimView, ContactView, EvidenceView, PlaceRef, ProviderView, View};
use crate::model::{EvidenceType, Forme};

#[derive(Serialize)]
struct ProvidersFile<'a> {
    #[serde(flatten)]
    header: Header,
    prestataires: Providers<'a>,
}

/// Every provider, each built as it is written (at 100,000 providers the list of them all would
/// cost a copy of every description).
struct Providers<'a>(&'a View);

impl Serialize for Providers<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.providers.iter().map(|p| provider(self.0, p)))
    }
}

/// Top-level keys of a provider object, in order. A unit test keeps them equal to what
/// [`providers`] writes and to `schema/donnees/prestataires.schema.json`.
pub const PROVIDER_FIELDS: &[Field] = &[
    Field {
        name: "slug",
        description: "identifiant stable de la fiche (nom du fichier)",
    },
    Field {
        name: "url",
        description: "adresse de la fiche dans l'annuaire",
    },
    Field {
        name: "nom",
        description: "nom du prestataire",
    },
    Field {
        name: "forme",
        description: "forme juridique : independant, entreprise, association ou collectivite",
    },
    Field {
        name: "forme_libelle",
        description: "forme juridique en toutes lettres",
    },
    Field {
        name: "siret",
        description: "numéro SIRET (14 chiffres) ou null",
    },
    Field {
        name: "commune",
        description: "commune du siège : code INSEE, nom, codes postaux, adresse de sa page",
    },
    Field {
        name: "zone",
        description: "zone d'intervention : type (commune, territoire ou communes), texte, communes",
    },
    Field {
        name: "resume",
        description: "résumé de l'activité",
    },
    Field {
        name: "description",
        description: "présentation, en texte brut (sans mise en forme ni liens)",
    },
    Field {
        name: "contact",
        description: "coordonnées rendues publiques par le prestataire : site, courriel, telephone, adresse, reseaux",
    },
    Field {
        name: "competences",
        description: "compétences déclarées : identifiant, libellé, famille, statut (declaree, a_verifier, verifiee, expiree) et statut en toutes lettres, justificatifs publics",
    },
    Field {
        name: "competences_verifiees",
        description: "nombre de compétences vérifiées par un médiateur et encore valables",
    },
    Field {
        name: "charte",
        description: "charte signée : version, date de signature, version en vigueur ou non",
    },
    Field {
        name: "langues",
        description: "langues de travail (codes ISO 639-1)",
    },
    Field {
        name: "mis_a_jour",
        description: "date de dernière mise à jour de la fiche (AAAA-MM-JJ) ou null",
    },
];

/// Keys the mediation export adds to each provider.
pub const MEDIATION_PROVIDER_FIELDS: &[Field] = &[
    Field {
        name: "avertissements",
        description: "avertissements de la vérification automatique de la fiche",
    },
    Field {
        name: "fichier",
        description: "fichier source de la fiche",
    },
];

#[derive(Serialize)]
struct Provider<'a> {
    slug: &'a str,
    url: String,
    nom: &'a str,
    forme: Forme,
    forme_libelle: &'a str,
    siret: Option<&'a str>,
    commune: Place<'a>,
    zone: ZoneOut<'a>,
    resume: &'a str,
    /// Plain text: raw Markdown could carry links the site itself refuses (`javascript:`).
    description: &'a str,
    contact: Contact<'a>,
    competences: Vec<Skill<'a>>,
    competences_verifiees: usize,
    charte: Charter<'a>,
    langues: &'a [String],
    mis_a_jour: Option<&'a str>,
    /// Mediation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    avertissements: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fichier: Option<&'a str>,
}

#[derive(Serialize)]
struct Place<'a> {
    code: &'a str,
    nom: &'a str,
    codes_postaux: &'a [String],
    url: Option<String>,
}

#[derive(Serialize)]
struct ZoneOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    texte: &'a str,
    communes: Vec<Place<'a>>,
}

#[derive(Serialize, Default)]
struct Contact<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    courriel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adresse: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reseaux: Vec<&'a str>,
    /// Mediation only: the fields the provider did not make public.
    #[serde(skip_serializing_if = "Option::is_none")]
    prives: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct Skill<'a> {
    id: &'a str,
    libelle: &'a str,
    famille: FamilyRef<'a>,
    url: String,
    statut: &'a str,
    statut_texte: &'a str,
    verifiee: bool,
    justificatifs: Vec<Evidence<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct FamilyRef<'a> {
    id: &'a str,
    libelle: &'a str,
}

#[derive(Serialize)]
struct Evidence<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    type_libelle: &'a str,
    titre: Option<&'a str>,
    /// Client, institution or organisation.
    detail: Option<&'a str>,
    annee: Option<i64>,
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prive: Option<bool>,
}

#[derive(Serialize)]
struct Charter<'a> {
    version: &'a str,
    signee_le: &'a str,
    en_vigueur: bool,
}

fn place<'a>(view: &View, p: &'a PlaceRef) -> Place<'a> {
    Place {
        code: &p.code,
        nom: &p.name,
        codes_postaux: &p.postal_codes,
        url: (!p.url.is_empty()).then(|| absolute(&view.site, &p.url)),
    }
}

fn contact<'a>(contacts: &'a [ContactView], private: bool) -> Contact<'a> {
    let mut c = Contact::default();
    let mut prives = Vec::new();
    for cv in contacts {
        // The public view holds only public fields; this filter makes the rule visible here too.
        if cv.private && !private {
            continue;
        }
        let v = cv.value.as_str();
        match cv.field {
            "site" => c.site = Some(v),
            "courriel" => c.courriel = Some(v),
            "telephone" => c.telephone = Some(v),
            "adresse" => c.adresse = Some(v),
            "reseaux" => c.reseaux.push(v),
            _ => continue,
        }
        if cv.private && !prives.contains(&cv.field) {
            prives.push(cv.field);
        }
    }
    if private {
        c.prives = Some(prives);
    }
    c
}

fn evidence(e: &EvidenceView, private: bool) -> Evidence<'_> {
    Evidence {
        kind: e.kind,
        type_libelle: e.kind_label,
        titre: e.title.as_deref(),
        detail: e.detail.as_deref(),
        annee: e.year,
        url: e.url.as_deref(),
        prive: private.then_some(e.private),
    }
}

fn skill<'a>(
    view: &View,
    family: (&'a str, &'a str),
    c: &'a ClaimView,
    private: bool,
) -> Skill<'a> {
    Skill {
        id: &c.id,
        libelle: &c.label,
        famille: FamilyRef {
            id: family.0,
            libelle: family.1,
        },
        url: absolute(&view.site, &c.url),
        statut: c.status,
        statut_texte: &c.status_text,
        verifiee: c.verified,
        justificatifs: c
            .evidence
            .iter()
            .filter(|e| private || !e.private)
            .map(|e| evidence(e, private))
            .collect(),
        note: if private { c.note.as_deref() } else { None },
    }
}

fn provider<'a>(view: &View, p: &'a ProviderView) -> Provider<'a> {
    let private = view.audience.sees_private();
    Provider {
        slug: &p.slug,
        url: absolute(&view.site, &p.url),
        nom: &p.name,
        forme: p.forme,
        forme_libelle: p.forme_label,
        siret: p.siret.as_deref(),
        commune: place(view, &p.commune),
        zone: ZoneOut {
            kind: p.zone_kind,
            texte: &p.zone_text,
            communes: p.zone.iter().map(|z| place(view, z)).collect(),
        },
        resume: &p.summary,
        description: &p.text,
        contact: contact(&p.contacts, private),
        competences: p
            .groups
            .iter()
            .flat_map(|g| {
                g.claims
                    .iter()
                    .map(move |c| skill(view, (&g.family, &g.family_label), c, private))
            })
            .collect(),
        competences_verifiees: p.verified_count,
        charte: Charter {
            version: &p.charter_version,
            signee_le: &p.charter_signed,
            en_vigueur: p.charter_current,
        },
        langues: &p.language_codes,
        mis_a_jour: p.updated.as_deref(),
        avertissements: private.then_some(p.warnings.as_slice()),
        fichier: private.then_some(p.source.as_str()),
    }
}

/// Indented JSON for the small files, compact for the providers (which grow with the directory:
/// indentation would double the size at 10,000 entries).
fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let text = serde_json::to_string_pretty(value).expect("exports serialise");
    let mut out = crate::output::escape_json_markup(&text).into_bytes();
    out.push(b'\n');
    out
}

/// `donnees/prestataires.json`.
pub fn providers(view: &View) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_providers(view, &mut out);
    out
}

/// [`providers`], written to `out` as it is serialised (and escaped): at 100,000 providers the
/// file is hundreds of megabytes, never held in memory by the build.
pub fn write_providers(view: &View, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let file = ProvidersFile {
        header: header(view, "prestataires.schema.json"),
        prestataires: Providers(view),
    };
    serde_json::to_writer(crate::output::MarkupSafe(&mut *out), &file)?;
    out.write_all(b"\n")
}

/// Keys of a family object in `nomenclature.json`.
pub const FAMILY_FIELDS: &[Field] = &[
    Field {
        name: "id",
        description: "identifiant de la famille",
    },
    Field {
        name: "libelle",
        description: "nom de la famille",
    },
    Field {
        name: "description",
        description: "ce que couvre la famille",
    },
    Field {
        name: "url",
        description: "adresse de la page de la famille",
    },
    Field {
        name: "prestataires",
        description: "nombre de prestataires ayant au moins une compétence de la famille",
    },
    Field {
        name: "competences",
        description: "compétences : id (famille/competence), libelle, description, url, justificatifs acceptés, codes ROME et e-CF, nombre de prestataires et de vérifiés",
    },
];

#[derive(Serialize)]
struct NomenclatureFile<'a> {
    #[serde(flatten)]
    header: Header,
    familles: Vec<FamilyOut<'a>>,
}

#[derive(Serialize)]
struct FamilyOut<'a> {
    id: &'a str,
    libelle: &'a str,
    description: &'a str,
    url: String,
    prestataires: usize,
    competences: Vec<SkillOut<'a>>,
}

#[derive(Serialize)]
struct SkillOut<'a> {
    id: &'a str,
    libelle: &'a str,
    description: &'a str,
    url: String,
    justificatifs_acceptes: Vec<&'static str>,
    codes: Codes<'a>,
    prestataires: usize,
    verifies: usize,
}

#[derive(Serialize)]
struct Codes<'a> {
    rome: &'a [String],
    ecf: &'a [String],
}

/// The key of an evidence type from its label (the view carries labels).
fn evidence_key(label: &str) -> &'static str {
    EvidenceType::ALL
        .iter()
        .find(|(_, t)| t.label() == label)
        .map_or("", |(k, _)| k)
}

/// `donnees/nomenclature.json`.
pub fn nomenclature(view: &View) -> Vec<u8> {
    to_bytes(&NomenclatureFile {
        header: header(view, "nomenclature.schema.json"),
        familles: view
            .families
            .iter()
            .map(|f| FamilyOut {
                id: &f.id,
                libelle: &f.label,
                description: &f.description,
                url: absolute(&view.site, &f.url),
                prestataires: f.count,
                competences: f
                    .skills
                    .iter()
                    .map(|s| SkillOut {
                        id: &s.id,
                        libelle: &s.label,
                        description: &s.description,
                        url: absolute(&view.site, &s.url),
                        justificatifs_acceptes: s
                            .accepted
                            .iter()
                            .map(|l| evidence_key(l))
                            .collect(),
                        codes: Codes {
                            rome: &s.rome,
                            ecf: &s.ecf,
                        },
                        prestataires: s.count,
                        verifies: s.verified_count,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Keys of a commune object in `communes.json`.
pub const COMMUNE_FIELDS: &[Field] = &[
    Field {
        name: "code",
        description: "code INSEE",
    },
    Field {
        name: "nom",
        description: "nom officiel",
    },
    Field {
        name: "slug",
        description: "identifiant dans les adresses de l'annuaire",
    },
    Field {
        name: "url",
        description: "adresse de la page de la commune, ou null quand aucun prestataire n'y est ni n'y intervient",
    },
    Field {
        name: "codes_postaux",
        description: "codes postaux",
    },
    Field {
        name: "anciennes_communes",
        description: "noms des communes fusionnées dans celle-ci",
    },
    Field {
        name: "centre",
        description: "latitude et longitude du centre (WGS 84)",
    },
    Field {
        name: "prestataires_siege",
        description: "nombre de prestataires dont le siège est dans la commune",
    },
    Field {
        name: "prestataires_intervenant",
        description: "nombre de prestataires d'autres communes qui y interviennent",
    },
];

#[derive(Serialize)]
struct CommunesFile<'a> {
    #[serde(flatten)]
    header: Header,
    communes: Vec<CommuneOut<'a>>,
}

#[derive(Serialize)]
struct CommuneOut<'a> {
    code: &'a str,
    nom: &'a str,
    slug: &'a str,
    url: Option<String>,
    codes_postaux: &'a [String],
    anciennes_communes: &'a [String],
    centre: Centre,
    prestataires_siege: usize,
    prestataires_intervenant: usize,
}

#[derive(Serialize)]
struct Centre {
    lat: f64,
    lon: f64,
}

/// `donnees/communes.json`.
pub fn communes(view: &View) -> Vec<u8> {
    to_bytes(&CommunesFile {
        header: header(view, "communes.schema.json"),
        communes: view
            .communes
            .iter()
            .map(|c| CommuneOut {
                code: &c.code,
                nom: &c.name,
                slug: &c.slug,
                url: c.has_page().then(|| absolute(&view.site, &c.url)),
                codes_postaux: &c.postal_codes,
                anciennes_communes: &c.former,
                centre: Centre {
                    lat: c.lat,
                    lon: c.lon,
                },
                prestataires_siege: c.based_count,
                prestataires_intervenant: c.serving_count,
            })
            .collect(),
    })
}
