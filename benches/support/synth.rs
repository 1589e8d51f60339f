//! Deterministic synthetic directories for benchmarks: `examples/gen.rs` (the command) and
//! `benches/pipeline.rs` both include this file with `#[path]` as `mod synth`.
//!
//! Entry `i` depends only on `i` and the bundled reference files (its PRNG is seeded from `i`),
//! so the same N always gives the same bytes, and the first 1,000 entries of a 10,000-entry
//! directory are the 1,000 entries of the smaller one.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use annuaire::model::communes::Lookup;
use annuaire::model::{Date, EvidenceType};

/// The build date the generated content is valid for (`SOURCE_DATE_EPOCH=1764288000`).
pub const TODAY: &str = "2025-11-28";
/// `TODAY` as Unix seconds, for `SOURCE_DATE_EPOCH`.
pub const TODAY_EPOCH: i64 = 1_764_288_000;
/// Written in a generated root so a later run may replace its entries (and nothing else's).
pub const MARKER: &str = ".annuaire-gen";

/// The site files copied from the repository's `content/`.
const SITE_FILES: &[&str] = &[
    "site.yaml",
    "nomenclature.yaml",
    "communes.yaml",
    "communes.geojson",
    "departement.geojson",
    "charte.md",
];

/// The repository root (holds `content/`).
pub fn bundled_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn today() -> Date {
    Date::parse(TODAY).expect("valid date")
}

/// Site options for a generated (or the bundled) root, built "today" = [`TODAY`].
pub fn site_options(root: &Path) -> annuaire::SiteOptions {
    annuaire::SiteOptions {
        root: root.to_path_buf(),
        today: today(),
        base_url: None,
    }
}

// ---------------------------------------------------------------------------------------------
// PRNG

/// splitmix64: tiny, fast, and good enough to pick words.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    pub fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// `k` distinct indices of `0..n`, in random order.
    pub fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

fn mix(i: u64) -> u64 {
    Rng::new(i.wrapping_mul(0xA076_1D64_78BD_642F)).next_u64()
}

// ---------------------------------------------------------------------------------------------
// Reference data from the bundled files

pub struct SkillRef {
    pub id: String,
    pub label: String,
    pub accepted: Vec<EvidenceType>,
}

pub struct CommuneRef {
    pub code: String,
    pub name: String,
    pub postal: String,
    /// The name alone finds this commune (`commune: Mende` is accepted).
    pub name_is_unique: bool,
}

pub struct Reference {
    pub skills: Vec<SkillRef>,
    pub communes: Vec<CommuneRef>,
    pub mediators: Vec<String>,
    pub charter_version: String,
    /// Place words for names: commune names and landscapes, unique once folded.
    places: Vec<String>,
}

/// Landscapes: the name (for provider names) and "de" + its article (for sentences).
const LANDSCAPES: &[(&str, &str)] = &[
    ("Aubrac", "de l'Aubrac"),
    ("Margeride", "de la Margeride"),
    ("Causses", "des Causses"),
    ("Cévennes", "des Cévennes"),
    ("Gévaudan", "du Gévaudan"),
    ("Mont Lozère", "du mont Lozère"),
    ("Tarn", "du Tarn"),
    ("Lot", "du Lot"),
    ("Allier", "de l'Allier"),
    ("Truyère", "de la Truyère"),
    ("Colagne", "de la Colagne"),
    ("Valdonnez", "du Valdonnez"),
    ("Bougès", "du Bougès"),
    ("Méjean", "du Méjean"),
    ("Sauveterre", "du Sauveterre"),
    ("Jonte", "de la Jonte"),
    ("Tarnon", "du Tarnon"),
    ("Chassezac", "du Chassezac"),
    ("Goulet", "du Goulet"),
    ("Boulaines", "des Boulaines"),
];

impl Reference {
    /// Reads `site.yaml`, `nomenclature.yaml` and `communes.yaml` under `root/content`.
    pub fn load(root: &Path) -> Result<Reference, String> {
        let files = annuaire::load_site_files(&site_options(root))
            .map_err(|e| format!("{}: {e}", root.display()))?;
        let skills: Vec<SkillRef> = files
            .nomenclature
            .families
            .iter()
            .flat_map(|f| f.skills.iter())
            .map(|s| SkillRef {
                id: s.id.clone(),
                label: s.label.clone(),
                accepted: s.accepted.clone(),
            })
            .collect();
        let communes: Vec<CommuneRef> = files
            .communes
            .list
            .iter()
            .map(|c| CommuneRef {
                code: c.code.clone(),
                name: c.name.clone(),
                postal: c.postal_codes.first().cloned().unwrap_or_default(),
                name_is_unique: matches!(
                    files.communes.lookup(&c.name),
                    Lookup::Found(found) if found.code == c.code
                ),
            })
            .collect();
        let mut seen = HashSet::new();
        let places: Vec<String> = LANDSCAPES
            .iter()
            .map(|(name, _)| name.to_string())
            .chain(communes.iter().map(|c| c.name.clone()))
            .filter(|p| seen.insert(annuaire::text::fold(p)))
            .collect();
        if skills.is_empty() || communes.is_empty() || files.config.mediators.is_empty() {
            return Err("nomenclature, communes or mediators missing".into());
        }
        Ok(Reference {
            skills,
            communes,
            mediators: files
                .config
                .mediators
                .iter()
                .map(|m| m.name.clone())
                .collect(),
            charter_version: files.config.charter.version.clone(),
            places,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists

const PREFIXES: &[&str] = &[
    "Atelier",
    "Studio",
    "Agence",
    "Cabinet",
    "Collectif",
    "Maison",
    "Fabrique",
    "Bureau",
    "Comptoir",
    "Coopérative",
    "Espace",
    "Laboratoire",
    "Pôle",
    "Relais",
    "Réseau",
    "Ateliers",
    "Compagnie",
    "Forge",
    "Bulle",
    "Cercle",
    "Grange",
    "Halle",
    "Lanterne",
    "Passerelle",
    "Refuge",
    "Sentier",
    "Source",
    "Boussole",
    "Ruche",
    "Fenêtre",
];

const DOMAINS: &[&str] = &[
    "Numérique",
    "Web",
    "Pixel",
    "Graphique",
    "Informatique",
    "Digital",
    "Multimédia",
    "Création",
    "Images",
    "Réseaux",
    "Logiciel",
    "Code",
    "Données",
    "Design",
    "Communication",
    "Photo",
    "Vidéo",
    "Clic",
    "Écran",
    "Signal",
    "Octet",
    "Nuage",
    "Lumière",
    "Connexion",
];

const FIRST_NAMES: &[&str] = &[
    "Margot",
    "Julien",
    "Camille",
    "Thomas",
    "Léa",
    "Nicolas",
    "Manon",
    "Antoine",
    "Chloé",
    "Pierre",
    "Sarah",
    "Mathieu",
    "Laura",
    "Romain",
    "Émilie",
    "Guillaume",
    "Pauline",
    "Maxime",
    "Élodie",
    "Florian",
    "Marion",
    "Kévin",
    "Aurélie",
    "Jérémy",
    "Claire",
    "Sébastien",
    "Lucie",
    "Damien",
    "Justine",
    "Adrien",
    "Mélanie",
    "Benoît",
    "Anaïs",
    "Cédric",
    "Hélène",
    "Yannick",
    "Céline",
    "Franck",
    "Agathe",
    "Loïc",
    "Solène",
    "Baptiste",
    "Inès",
    "Rémi",
    "Juliette",
    "Hugo",
    "Zoé",
    "Louis",
];

const LAST_NAMES: &[&str] = &[
    "Delmas",
    "Bonnal",
    "Pagès",
    "Boyer",
    "Chabert",
    "Rouvière",
    "Malzac",
    "Brun",
    "Vidal",
    "Rouquette",
    "Galtier",
    "Fabre",
    "Roux",
    "Bastide",
    "Pradal",
    "Hermet",
    "Astruc",
    "Barthélemy",
    "Portal",
    "Bouniol",
    "Jourdan",
    "Séguin",
    "Teissier",
    "Valentin",
    "Castan",
    "Molinier",
    "Couderc",
    "Laporte",
    "Gibelin",
    "Monteil",
    "Rivière",
    "Salles",
    "Soulier",
    "Tichit",
    "Vernhet",
    "Boissonnade",
    "Caylus",
    "Amouroux",
    "Chazal",
    "Daudé",
    "Estève",
    "Fournier",
    "Grousset",
    "Jaffuel",
    "Meissonnier",
    "Nogaret",
    "Prouhèze",
    "Trauchessec",
];

const ACTIVITIES: &[&str] = &[
    "Communication",
    "Informatique",
    "Web",
    "Graphisme",
    "Photographie",
    "Conseil",
    "Formation",
    "Création",
    "Développement",
    "Design",
    "Vidéo",
    "Services",
];

const PUBLICS: &[&str] = &[
    "artisans",
    "commerçants",
    "associations",
    "hébergeurs",
    "agriculteurs",
    "collectivités",
    "TPE",
    "professions libérales",
    "producteurs locaux",
    "offices de tourisme",
    "petites entreprises",
    "particuliers",
];

const TOOLS: &[&str] = &[
    "WordPress",
    "Nextcloud",
    "LibreOffice",
    "Linux",
    "Figma",
    "Inkscape",
    "Scribus",
    "Matomo",
    "PrestaShop",
    "Dolibarr",
    "Proxmox",
    "Blender",
    "Krita",
    "Python",
    "PostgreSQL",
];

const STREETS: &[&str] = &[
    "rue de la République",
    "avenue Foch",
    "place du Foirail",
    "route de Mende",
    "chemin des Écoliers",
    "rue du Pont",
    "boulevard du Soubeyran",
    "impasse des Genêts",
    "rue Basse",
    "Grand-Rue",
    "rue de l'Ange",
    "avenue du Gévaudan",
];

const CLIENT_FORMS: &[&str] = &[
    "Mairie de {c}",
    "Office de tourisme de {c}",
    "Camping municipal de {c}",
    "Foyer rural de {c}",
    "Maison de santé de {c}",
    "Association des parents d'élèves de {c}",
    "Boulangerie {n}",
    "Garage {n}",
    "Ferme {n}",
    "Menuiserie {n}",
    "Hôtel {n}",
    "Gîte des Sources {p}",
    "Communauté de communes {p}",
    "Coopérative laitière {p}",
    "Comité des fêtes de {c}",
    "Bibliothèque de {c}",
];

const REF_TITLES: &[&str] = &[
    "Refonte du site",
    "Création du logo et de la charte",
    "Animation des réseaux sociaux",
    "Mise en place de la sauvegarde",
    "Formation des équipes",
    "Reportage photo",
    "Boutique en ligne",
    "Audit et plan d'action",
    "Installation du réseau",
    "Conception de la plaquette",
];

const DIPLOMAS: &[(&str, &str)] = &[
    (
        "BTS Services informatiques aux organisations",
        "Lycée Chaptal, Mende",
    ),
    (
        "Licence professionnelle Métiers du numérique",
        "Université de Montpellier",
    ),
    ("Master Informatique", "Université Toulouse III"),
    (
        "DUT Métiers du multimédia et de l'internet",
        "IUT du Puy-en-Velay",
    ),
    ("BUT Informatique", "IUT de Rodez"),
    (
        "Diplôme national des métiers d'art et du design",
        "École supérieure des beaux-arts de Nîmes",
    ),
    (
        "Titre professionnel Développeur web et web mobile",
        "AFPA de Mende",
    ),
    (
        "Licence Information et communication",
        "Université Clermont Auvergne",
    ),
    ("BTS Communication", "Lycée Émile Peytavin, Mende"),
    ("Master Design graphique", "Université Grenoble Alpes"),
];

const CERTIFICATIONS: &[(&str, &str)] = &[
    ("Certification Opquast Qualité numérique", "Opquast"),
    ("Google Analytics Individual Qualification", "Google"),
    ("Cisco CCNA", "Cisco"),
    ("ITIL 4 Foundation", "PeopleCert"),
    ("Microsoft 365 Certified Fundamentals", "Microsoft"),
    ("Attestation SecNumacadémie", "ANSSI"),
    ("Certification Pix", "Pix"),
    ("Adobe Certified Professional", "Adobe"),
    ("ISO/IEC 27001 Lead Implementer", "PECB"),
    ("Certification DPO", "AFNOR Certification"),
];

const NOTES: &[&str] = &[
    "Justificatifs vus en rendez-vous.",
    "Diplôme original présenté.",
    "Référence confirmée par le client.",
    "Portfolio consulté avec le prestataire.",
];

const HEADINGS: &[&str] = &[
    "Comment je travaille",
    "Nos services",
    "Ce que nous proposons",
    "Pour qui ?",
    "Notre démarche",
    "Quelques réalisations",
    "Tarifs et déplacements",
    "Accompagnement",
];

/// Sentence templates: {c} commune, {p} place, {s} service, {t} tool, {u} public, {y} year.
const SENTENCES: &[&str] = &[
    "Installé à {c} depuis {y}, j'accompagne les {u} de la région dans leurs projets numériques.",
    "Notre équipe intervient sur tout le secteur {p}, du premier rendez-vous à la mise en ligne.",
    "Nous privilégions les logiciels libres comme {t}, pour que vous restiez maîtres de vos outils.",
    "Chaque projet commence par un échange sans engagement pour comprendre votre activité.",
    "Je me déplace volontiers dans les villages, y compris en hiver quand les routes le permettent.",
    "Les {u} trouvent chez nous un interlocuteur unique en {s}.",
    "Après plusieurs années en agence à Montpellier, je suis revenu m'installer à {c}.",
    "Un devis détaillé vous est remis sous une semaine, avec un calendrier réaliste.",
    "Nous formons aussi vos équipes, pour que vous soyez autonomes une fois le travail livré.",
    "La sobriété numérique guide nos choix : des sites légers, rapides et accessibles à tous.",
    "Nous travaillons en lien avec les autres professionnels du territoire quand un projet le demande.",
    "Notre atelier de {c} vous accueille sur rendez-vous, du lundi au vendredi.",
    "Depuis {y}, plus d'une centaine de structures {p} nous ont fait confiance.",
    "Je réponds aussi aux demandes urgentes, en particulier pour le dépannage et la sécurité.",
    "Les tarifs sont publiés et identiques pour tous, avec une remise pour les associations.",
    "Nous aimons les projets qui valorisent les savoir-faire et les paysages de la Lozère.",
    "Chaque projet de {s} est conçu pour durer, et nous en assurons le suivi.",
    "La maintenance peut se faire à distance, avec {t} ou par téléphone selon vos préférences.",
    "Nous respectons le RGPD et hébergeons vos données en France.",
    "Un point d'étape régulier permet d'ajuster le projet à vos retours.",
];

const LIST_ITEMS: &[&str] = &[
    "{s}, de l'étude à la livraison ;",
    "formation à {t} pour vos équipes ;",
    "accompagnement des {u} dans leurs démarches en ligne ;",
    "maintenance et mises à jour régulières ;",
    "conseil pour choisir les bons outils ;",
    "interventions sur site dans tout le secteur {p} ;",
    "sauvegardes et sécurité de vos données ;",
    "reportages et visuels pour vos supports de communication ;",
    "accessibilité et référencement naturel ;",
    "suivi personnalisé après la livraison ;",
];

// ---------------------------------------------------------------------------------------------
// Names, SIRETs

/// The provider name of entry `i`: unique (also once folded) for every `i`.
pub fn name(i: usize, refs: &Reference) -> String {
    if i % 4 == 3 {
        // Independent workers: "Margot Delmas Communication".
        let k = i / 4;
        let space = FIRST_NAMES.len() * LAST_NAMES.len() * ACTIVITIES.len();
        let (round, j) = (k / space, permute(k % space, space));
        let first = FIRST_NAMES[j % FIRST_NAMES.len()];
        let last = LAST_NAMES[(j / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let act = ACTIVITIES[j / (FIRST_NAMES.len() * LAST_NAMES.len())];
        with_round(format!("{first} {last} {act}"), round)
    } else {
        // "Atelier Numérique Mende".
        let k = i - i / 4;
        let places = &refs.places;
        let space = PREFIXES.len() * DOMAINS.len() * places.len();
        let (round, j) = (k / space, permute(k % space, space));
        let prefix = PREFIXES[j % PREFIXES.len()];
        let domain = DOMAINS[(j / PREFIXES.len()) % DOMAINS.len()];
        let place = &places[j / (PREFIXES.len() * DOMAINS.len())];
        with_round(format!("{prefix} {domain} {place}"), round)
    }
}

fn with_round(name: String, round: usize) -> String {
    if round == 0 {
        name
    } else {
        format!("{name} {}", round + 1)
    }
}

/// A bijection of `0..n` that scatters neighbours (an affine map with a multiplier prime to n).
fn permute(k: usize, n: usize) -> usize {
    let mut a = 7919 % n.max(1);
    while a == 0 || gcd(a, n) != 1 {
        a += 1;
    }
    (k * a + 104_729) % n
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A unique 14-digit SIRET with a valid Luhn key for entry `i`.
pub fn siret(i: usize, rng: &mut Rng) -> String {
    // 600,000,000 = 2^9 · 3 · 5^8: 7919 is prime to it, so the SIREN part is unique for every i.
    let siren = 300_000_000 + (i as u64 * 7_919) % 600_000_000;
    let nic = 10 + rng.below(9_990) as u64; // 4 digits (0010..9999), then the key
    let body = format!("{siren:09}{nic:04}");
    format!("{body}{}", luhn_key(&body))
}

/// The digit that makes `body` + digit pass the Luhn check.
pub fn luhn_key(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

// ---------------------------------------------------------------------------------------------
// Entries

/// What kind of deliberate error an entry carries (about 2 % of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    UnknownSkill,
    BadSiret,
    MissingSummary,
    UnknownCommune,
    BadEmail,
    EvidenceNotAccepted,
    YamlSyntax,
    BadForme,
}

const FLAWS: [Flaw; 8] = [
    Flaw::UnknownSkill,
    Flaw::BadSiret,
    Flaw::MissingSummary,
    Flaw::UnknownCommune,
    Flaw::BadEmail,
    Flaw::EvidenceNotAccepted,
    Flaw::YamlSyntax,
    Flaw::BadForme,
];

pub fn flaw(i: usize) -> Option<Flaw> {
    let h = mix(i as u64 ^ 0xF1A5);
    (h % 100 < 2).then(|| FLAWS[((h >> 32) % FLAWS.len() as u64) as usize])
}

/// A generated entry.
pub struct Entry {
    pub slug: String,
    pub text: String,
    pub flaw: Option<Flaw>,
    pub verified: bool,
}

#[derive(Clone, Copy)]
struct Ymd(i64, i64, i64);

impl std::fmt::Display for Ymd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }
}

/// A date from `from` (months since year 0, e.g. 2024*12) to the day before [`TODAY`].
fn date_between(rng: &mut Rng, from_month: i64) -> Ymd {
    let last_month = 2025 * 12 + 10; // November 2025 (months counted from 0)
    let m = rng.range(from_month, last_month);
    let day_max = if m == last_month { 27 } else { 28 };
    Ymd(m / 12, m % 12 + 1, rng.range(1, day_max))
}

/// A YAML scalar: plain when nothing in it needs quoting, double-quoted otherwise.
fn scalar(s: &str) -> String {
    let plain = s.chars().next().is_some_and(char::is_alphabetic)
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.ends_with(' ')
        && !s.contains(['[', ']', '{', '}', '"', '\\', '\t', '\n'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.chars().nth(1).is_some_and(char::is_uppercase) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

fn fill(template: &str, rng: &mut Rng, ctx: &Fill) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let key = &rest[start + 1..start + 2];
        rest = &rest[start + 3..];
        match key {
            "c" => out.push_str(&ctx.commune),
            "p" => out.push_str(rng.pick(LANDSCAPES).1),
            "s" => out.push_str(&ctx.services[rng.below(ctx.services.len())]),
            "t" => out.push_str(rng.word(TOOLS)),
            "u" => out.push_str(rng.word(PUBLICS)),
            "y" => {
                let _ = write!(out, "{}", rng.range(2005, 2023));
            }
            "n" => out.push_str(rng.word(LAST_NAMES)),
            _ => unreachable!("unknown slot {key}"),
        }
    }
    out.push_str(rest);
    out
}

struct Fill {
    commune: String,
    services: Vec<String>,
}

/// Word-wraps a paragraph at about 95 columns, as contributors' editors do.
fn wrap(text: &str, out: &mut String) {
    let mut col = 0;
    for w in text.split_whitespace() {
        let len = w.chars().count();
        if col > 0 && col + 1 + len > 95 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += len;
    }
    out.push('\n');
}

/// Entry `i`: depends only on `i` and `refs`.
pub fn entry(i: usize, refs: &Reference) -> Entry {
    let mut rng = Rng::new(i as u64);
    let flaw = flaw(i);
    let name = name(i, refs);
    let slug = annuaire::text::slugify(&name);
    let independent = i % 4 == 3;
    let forme = if independent {
        "independant"
    } else {
        match rng.below(100) {
            0..=54 => "entreprise",
            55..=79 => "independant",
            80..=97 => "association",
            _ => "collectivite",
        }
    };
    let forme = match flaw {
        Some(Flaw::BadSiret) => "entreprise",
        Some(Flaw::BadForme) => "sarl",
        _ => forme,
    };
    let with_siret = matches!(forme, "entreprise" | "independant" | "sarl")
        || (forme == "association" && rng.chance(50));
    let commune = &refs.communes[rng.below(refs.communes.len())];

    // Skills: 1-8, distinct.
    let n_skills = 1 + match rng.below(100) {
        0..=19 => 0,
        20..=44 => 1,
        45..=69 => 2,
        70..=84 => 3,
        85..=92 => 4,
        93..=96 => 5,
        97..=98 => 6,
        _ => 7,
    };
    let skills: Vec<&SkillRef> = rng
        .distinct(refs.skills.len(), n_skills)
        .into_iter()
        .map(|k| &refs.skills[k])
        .collect();
    let fill_ctx = Fill {
        commune: commune.name.clone(),
        services: skills.iter().map(|s| lower_first(&s.label)).collect(),
    };
    let verified = rng.chance(30);

    let mut y = String::with_capacity(2048);
    y.push_str("---\n");
    let _ = writeln!(y, "nom: {}", scalar(&name));
    let _ = writeln!(y, "forme: {forme}");
    if with_siret {
        let mut s = siret(i, &mut rng);
        if flaw == Some(Flaw::BadSiret) {
            let last = s.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
            s.push(char::from_digit((last + 1) % 10, 10).unwrap_or('0'));
        }
        // Some contributors write it with spaces, as on their invoices.
        if rng.chance(15) {
            s = format!("{} {} {} {}", &s[..3], &s[3..6], &s[6..9], &s[9..]);
        }
        let _ = writeln!(y, "siret: \"{s}\"");
    }
    if flaw == Some(Flaw::UnknownCommune) {
        y.push_str("commune: \"48999\"\n");
    } else if commune.name_is_unique && rng.chance(10) {
        let _ = writeln!(y, "commune: {}", scalar(&commune.name));
    } else {
        let _ = writeln!(y, "commune: \"{}\"", commune.code);
    }
    match rng.below(100) {
        0..=49 => {}
        50..=74 => y.push_str("zone: departement\n"),
        _ => {
            let k = 1 + rng.below(6);
            let mut codes = vec![commune.code.clone()];
            for j in rng.distinct(refs.communes.len(), k) {
                let code = &refs.communes[j].code;
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
            let list: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
            let _ = writeln!(y, "zone: [{}]", list.join(", "));
        }
    }
    if flaw != Some(Flaw::MissingSummary) {
        let services: Vec<&str> = fill_ctx
            .services
            .iter()
            .take(3)
            .map(String::as_str)
            .collect();
        let services = match services.as_slice() {
            [one] => one.to_string(),
            [rest @ .., last] => format!("{} et {last}", rest.join(", ")),
            [] => String::new(),
        };
        let who = rng.distinct(PUBLICS.len(), 2);
        let mut summary = format!(
            "{} pour les {} et les {} {}.",
            upper_first(&services),
            PUBLICS[who[0]],
            PUBLICS[who[1]],
            match rng.below(3) {
                0 => format!("de {}", commune.name),
                1 => rng.pick(LANDSCAPES).1.to_string(),
                _ => "de Lozère".to_string(),
            }
        );
        if summary.chars().count() > 280 {
            summary = summary.chars().take(279).collect::<String>() + ".";
        }
        let _ = writeln!(y, "resume: {}", scalar(&summary));
    }

    // Contact.
    y.push_str("contact:\n");
    let mut written = vec!["site", "courriel"];
    let _ = writeln!(y, "  site: https://{slug}.example");
    if flaw == Some(Flaw::BadEmail) {
        let _ = writeln!(y, "  courriel: contact(at){slug}.example");
    } else {
        let _ = writeln!(y, "  courriel: contact@{slug}.example");
    }
    if rng.chance(85) {
        let prefix = if rng.chance(50) { "04 66" } else { "06" };
        let mut phone = prefix.to_string();
        let groups = if prefix == "06" { 4 } else { 3 };
        for _ in 0..groups {
            let _ = write!(phone, " {:02}", rng.below(100));
        }
        let _ = writeln!(y, "  telephone: \"{phone}\"");
        written.push("telephone");
    }
    if rng.chance(50) {
        let addr = format!(
            "{} {}, {} {}",
            1 + rng.below(40),
            rng.word(STREETS),
            commune.postal,
            commune.name
        );
        let _ = writeln!(y, "  adresse: {}", scalar(&addr));
        written.push("adresse");
    }
    if rng.chance(20) {
        let handle: String = slug.chars().filter(|c| *c != '-').take(20).collect();
        let _ = writeln!(y, "  reseaux: [https://mastodon.example/@{handle}]");
        written.push("reseaux");
    }
    let publics: Vec<&str> = written
        .iter()
        .copied()
        .filter(|f| *f == "site" || rng.chance(60))
        .collect();
    let _ = writeln!(y, "  publics: [{}]", publics.join(", "));

    // Skills and evidence.
    y.push_str("competences:\n");
    let mut n_verified = 0;
    for (k, skill) in skills.iter().enumerate() {
        let id = if k == 0 && flaw == Some(Flaw::UnknownSkill) {
            format!("{}x", skill.id)
        } else {
            skill.id.clone()
        };
        let _ = writeln!(y, "  - id: {id}");
        y.push_str("    justificatifs:\n");
        let n_ev = 1 + rng.below(3);
        for e in 0..n_ev {
            let mut t = *rng.pick(&skill.accepted);
            if k == 0 && e == 0 && flaw == Some(Flaw::EvidenceNotAccepted) {
                // A type this skill does not accept (or, when it accepts all, an unknown one).
                match [
                    EvidenceType::Portfolio,
                    EvidenceType::Reference,
                    EvidenceType::Diplome,
                    EvidenceType::Certification,
                ]
                .into_iter()
                .find(|x| !skill.accepted.contains(x))
                {
                    Some(x) => t = x,
                    None => {
                        y.push_str("      - type: temoignage\n        titre: Avis client\n");
                        continue;
                    }
                }
            }
            evidence(&mut y, t, &slug, skill, refs, &mut rng, k, e);
        }
        if verified && (k == 0 || rng.chance(50)) {
            n_verified += 1;
            let on = date_between(&mut rng, 2024 * 12);
            y.push_str("    verification:\n      statut: verifiee\n");
            let _ = writeln!(
                y,
                "      par: {}",
                scalar(rng.pick(&refs.mediators).as_str())
            );
            let _ = writeln!(y, "      le: {on}");
            if rng.chance(40) {
                let _ = writeln!(y, "      jusqu_au: {}", Ymd(on.0 + 2, on.1, on.2));
            }
            if rng.chance(50) {
                let _ = writeln!(y, "      note: {}", scalar(rng.word(NOTES)));
            }
        } else if rng.chance(5) {
            y.push_str("    verification:\n      statut: a_verifier\n");
        }
    }
    let signed = date_between(&mut rng, 2025 * 12);
    let _ = writeln!(
        y,
        "charte:\n  version: \"{}\"\n  signee_le: {signed}",
        refs.charter_version
    );
    let langs = match rng.below(10) {
        0..=5 => "[fr]",
        6..=8 => "[fr, en]",
        _ => "[fr, oc]",
    };
    if flaw == Some(Flaw::YamlSyntax) {
        y.push_str("langues: [fr, en\n");
    } else {
        let _ = writeln!(y, "langues: {langs}");
    }
    let _ = writeln!(y, "mis_a_jour: {signed}");
    y.push_str("---\n");

    body(&mut y, &slug, &fill_ctx, &mut rng);
    Entry {
        slug,
        text: y,
        flaw,
        verified: n_verified > 0,
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn evidence(
    y: &mut String,
    t: EvidenceType,
    slug: &str,
    skill: &SkillRef,
    refs: &Reference,
    rng: &mut Rng,
    k: usize,
    e: usize,
) {
    let label = lower_first(&skill.label);
    match t {
        EvidenceType::Portfolio => {
            let title = match rng.below(3) {
                0 => format!("Réalisations en {label}"),
                1 => format!("Portfolio {label}"),
                _ => format!("Exemples de travaux : {label}"),
            };
            let _ = writeln!(
                y,
                "      - type: portfolio\n        titre: {}",
                scalar(&title)
            );
            let _ = writeln!(
                y,
                "        url: https://{slug}.example/realisations/{}",
                k * 4 + e + 1
            );
        }
        EvidenceType::Reference => {
            let form = rng.word(CLIENT_FORMS);
            let commune = refs.communes[rng.below(refs.communes.len())].name.clone();
            let ctx = Fill {
                commune,
                services: vec![label.clone()],
            };
            let client = fill(form, rng, &ctx);
            let _ = writeln!(
                y,
                "      - type: reference\n        client: {}",
                scalar(&client)
            );
            if rng.chance(70) {
                let _ = writeln!(y, "        titre: {}", scalar(rng.word(REF_TITLES)));
            }
            let _ = writeln!(y, "        annee: {}", rng.range(2021, 2025));
            if rng.chance(15) {
                y.push_str("        prive: true\n");
            }
        }
        EvidenceType::Diplome => {
            let (title, school) = rng.pick(DIPLOMAS);
            let _ = writeln!(y, "      - type: diplome\n        titre: {}", scalar(title));
            if rng.chance(80) {
                let _ = writeln!(y, "        etablissement: {}", scalar(school));
            }
            let _ = writeln!(y, "        annee: {}", rng.range(1995, 2024));
        }
        EvidenceType::Certification => {
            let (title, org) = rng.pick(CERTIFICATIONS);
            let _ = writeln!(
                y,
                "      - type: certification\n        titre: {}",
                scalar(title)
            );
            if rng.chance(80) {
                let _ = writeln!(y, "        organisme: {}", scalar(org));
            }
            let _ = writeln!(y, "        annee: {}", rng.range(2021, 2025));
        }
    }
}

/// 150-250 words: a paragraph, a heading, a list, a paragraph, a link.
fn body(out: &mut String, slug: &str, ctx: &Fill, rng: &mut Rng) {
    let target = rng.range(150, 250) as usize;
    let words = |s: &str| s.split_whitespace().count();
    let mut count = 0;

    let mut para = String::new();
    while count < target * 2 / 5 {
        let s = fill(rng.word(SENTENCES), rng, ctx);
        count += words(&s);
        para.push_str(&s);
        para.push(' ');
    }
    wrap(&para, out);
    out.push('\n');

    let heading = rng.word(HEADINGS);
    let _ = writeln!(out, "## {heading}\n");
    count += words(heading);

    let n_items = 3 + rng.below(3);
    for (j, k) in rng
        .distinct(LIST_ITEMS.len(), n_items)
        .into_iter()
        .enumerate()
    {
        let mut item = fill(LIST_ITEMS[k], rng, ctx);
        if j == n_items - 1 {
            item = item.trim_end_matches(" ;").to_string() + ".";
        }
        count += words(&item);
        let _ = writeln!(out, "- {item}");
    }
    out.push('\n');

    let link = format!(
        "Plus d'informations et nos réalisations sur [{slug}.example](https://{slug}.example)."
    );
    let link_words = words(&link);
    let mut para = String::new();
    while count + link_words < target {
        let s = fill(rng.word(SENTENCES), rng, ctx);
        if count + words(&s) + link_words > 250 && count + link_words >= 150 {
            break;
        }
        count += words(&s);
        para.push_str(&s);
        para.push(' ');
    }
    if !para.is_empty() {
        wrap(&para, out);
        out.push('\n');
    }
    wrap(&link, out);
}

// ---------------------------------------------------------------------------------------------
// Sites

/// What [`generate`] wrote.
#[derive(Debug, Default)]
pub struct Stats {
    pub entries: usize,
    pub flawed: usize,
    pub verified: usize,
    pub bytes: u64,
}

/// Writes a complete site root at `out` with `n` entries. Replaces the entries of a root written
/// by an earlier run; refuses to touch any other existing `content/`.
pub fn generate(n: usize, out: &Path) -> io::Result<Stats> {
    generate_from(&bundled_root(), n, out)
}

pub fn generate_from(from_root: &Path, n: usize, out: &Path) -> io::Result<Stats> {
    let refs = Reference::load(from_root).map_err(io::Error::other)?;
    let content = out.join("content");
    if content.exists() && !out.join(MARKER).exists() {
        return Err(io::Error::other(format!(
            "{} exists and was not made by this generator: refusing to overwrite it",
            content.display()
        )));
    }
    let from = from_root.join("content");
    fs::create_dir_all(&content)?;
    fs::write(out.join(MARKER), format!("{n}\n"))?;
    for f in SITE_FILES {
        fs::copy(from.join(f), content.join(f))?;
    }
    let pages = content.join("pages");
    if pages.exists() {
        fs::remove_dir_all(&pages)?;
    }
    fs::create_dir_all(&pages)?;
    for e in fs::read_dir(from.join("pages"))? {
        let e = e?;
        if e.file_type()?.is_file() {
            fs::copy(e.path(), pages.join(e.file_name()))?;
        }
    }
    let dir = content.join("prestataires");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    let mut stats = Stats::default();
    let mut slugs = HashSet::with_capacity(n);
    for i in 0..n {
        let e = entry(i, &refs);
        if !slugs.insert(e.slug.clone()) {
            return Err(io::Error::other(format!("duplicate slug {}", e.slug)));
        }
        stats.entries += 1;
        stats.flawed += usize::from(e.flaw.is_some());
        stats.verified += usize::from(e.verified);
        stats.bytes += e.text.len() as u64;
        fs::write(dir.join(format!("{}.md", e.slug)), e.text)?;
    }
    Ok(stats)
}
