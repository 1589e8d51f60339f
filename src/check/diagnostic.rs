//! Contributor-facing problems.
//!
//! A [`Diagnostic`] is a [`Problem`] found somewhere. Every problem kind lives in the one enum below,
//! with its stable rule id, default severity, and its message and help in French and English, so
//! adding a rule means adding a variant and the compiler points at every text still to write.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::source::yaml::{Pos, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// Language of contributor-facing texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The site language from `site.yaml` (anything but English reads as French).
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub problem: Problem,
    pub severity: Severity,
    /// Path relative to the site root; `None` for problems of the whole directory.
    pub file: Option<PathBuf>,
    pub span: Option<Span>,
}

impl Diagnostic {
    pub fn new(problem: Problem, file: Option<PathBuf>, span: Option<Span>) -> Self {
        let severity = problem.default_severity();
        Diagnostic {
            problem,
            severity,
            file,
            span,
        }
    }

    pub fn rule(&self) -> &'static str {
        self.problem.rule()
    }

    pub fn pos(&self) -> Option<Pos> {
        self.span.map(|s| s.start)
    }

    pub fn message(&self, lang: Lang) -> String {
        self.problem.message(lang)
    }

    pub fn help(&self, lang: Lang) -> String {
        self.problem.help(lang)
    }

    /// Orders diagnostics by file, then position, so output is stable whatever the thread timing.
    pub fn sort_key(&self) -> (Option<PathBuf>, Pos, &'static str) {
        (
            self.file.clone(),
            self.pos().unwrap_or_default(),
            self.rule(),
        )
    }
}

/// Every kind of problem the checker knows. Field names are the data the messages need.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    // Files
    Unreadable {
        reason: String,
    },
    FileTooLarge {
        size: u64,
        limit: u64,
    },
    BinaryFile,
    InvalidUtf8,
    SymlinkOutside,
    InvalidSlug {
        slug: String,
        suggestion: String,
    },
    DuplicateSlug {
        slug: String,
        other: PathBuf,
    },
    NoFrontMatter,
    UnterminatedFrontMatter,
    // YAML
    YamlSyntax {
        detail: String,
    },
    DuplicateKey {
        key: String,
        first_line: u32,
    },
    ComplexKey,
    TooDeep {
        limit: usize,
    },
    TooLarge {
        nodes: usize,
    },
    UnknownAlias,
    // Schema
    MissingKey {
        key: String,
    },
    UnknownKey {
        key: String,
        suggestion: Option<String>,
    },
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    InvalidValue {
        key: String,
        value: String,
        allowed: Vec<String>,
        suggestion: Option<String>,
    },
    InvalidDate {
        key: String,
        value: String,
    },
    InvalidNumber {
        key: String,
        value: String,
    },
    TextTooLong {
        key: String,
        len: usize,
        max: usize,
    },
    InvisibleCharacters {
        key: String,
    },
    TooManyItems {
        key: String,
        count: usize,
        max: usize,
    },
    // Nomenclature
    UnknownSkill {
        id: String,
        suggestion: Option<String>,
    },
    DuplicateSkill {
        id: String,
        first_line: u32,
    },
    EvidenceNotAccepted {
        kind: String,
        skill: String,
        accepted: Vec<String>,
    },
    // Charter
    NotEnoughEvidence {
        skill: String,
        count: usize,
        min: usize,
    },
    PortfolioNeedsHttps,
    ReferenceNeedsClient,
    TitleAndYearNeeded {
        kind: String,
    },
    YearInFuture {
        year: i64,
    },
    EvidenceOld {
        year: i64,
        max_years: u32,
    },
    TooManySkills {
        count: usize,
        max: usize,
    },
    BannedWord {
        word: String,
        key: String,
    },
    CharterNotSigned,
    DateInFuture {
        key: String,
        date: String,
    },
    CharterOutdated {
        version: String,
        current: String,
    },
    // Identity
    InvalidSiret {
        value: String,
    },
    MissingSiret {
        forme: String,
    },
    DuplicateSiret {
        other: PathBuf,
    },
    DuplicateName {
        name: String,
        other: PathBuf,
    },
    // Place
    UnknownCommune {
        value: String,
        suggestion: Option<String>,
    },
    AmbiguousCommune {
        value: String,
        codes: Vec<String>,
    },
    UnknownZone {
        value: String,
        suggestion: Option<String>,
    },
    // Contact
    InvalidEmail {
        value: String,
    },
    InvalidPhone {
        value: String,
    },
    InvalidUrl {
        key: String,
        value: String,
    },
    UnknownPublicField {
        field: String,
        present: Vec<String>,
    },
    // External addresses (`check --links`)
    EvidenceUnreachable {
        url: String,
        reason: String,
    },
    ContactSiteUnreachable {
        url: String,
        reason: String,
    },
    // Verification
    UnknownMediator {
        name: String,
        known: Vec<String>,
        suggestion: Option<String>,
    },
    VerificationIncomplete {
        missing: String,
    },
    VerificationExpired {
        until: String,
    },
    SelfVerification {
        author: String,
    },
    // Markup, shown as text rather than interpreted
    Markup {
        key: String,
    },
    BodyHtml {
        count: usize,
    },
    BodyLinkRefused {
        url: String,
    },
    /// The file has more problems than are worth listing; the first ones are shown.
    TooManyProblems {
        hidden: usize,
    },
    // Site-level
    SummaryTooLong {
        len: usize,
        max: usize,
    },
    Config {
        detail: String,
    },
}

type Texts = (&'static str, Severity);

impl Problem {
    fn meta(&self) -> Texts {
        use Problem::*;
        use Severity::*;
        match self {
            Unreadable { .. } => ("fichier/illisible", Error),
            FileTooLarge { .. } => ("fichier/trop-gros", Error),
            BinaryFile => ("fichier/binaire", Error),
            InvalidUtf8 => ("fichier/utf8", Error),
            SymlinkOutside => ("fichier/lien-symbolique", Error),
            InvalidSlug { .. } => ("fichier/slug-invalide", Error),
            DuplicateSlug { .. } => ("fichier/slug-en-double", Error),
            NoFrontMatter => ("fichier/entete-manquante", Error),
            UnterminatedFrontMatter => ("fichier/entete-non-terminee", Error),
            YamlSyntax { .. } => ("yaml/syntaxe", Error),
            DuplicateKey { .. } => ("yaml/cle-en-double", Error),
            ComplexKey => ("yaml/cle-non-texte", Error),
            TooDeep { .. } => ("yaml/profondeur", Error),
            TooLarge { .. } => ("yaml/alias", Error),
            UnknownAlias => ("yaml/syntaxe", Error),
            MissingKey { .. } => ("schema/cle-requise", Error),
            UnknownKey { .. } => ("schema/cle-inconnue", Error),
            WrongType { .. } => ("schema/type", Error),
            InvalidValue { key, .. } if key == "statut" => ("verification/statut", Error),
            InvalidValue { .. } => ("schema/valeur", Error),
            InvalidDate { .. } => ("schema/date", Error),
            InvalidNumber { .. } => ("schema/nombre", Error),
            TextTooLong { .. } => ("schema/texte-trop-long", Error),
            InvisibleCharacters { .. } => ("schema/caracteres-invisibles", Error),
            TooManyItems { .. } => ("schema/trop-d-elements", Error),
            UnknownSkill { .. } => ("nomenclature/competence-inconnue", Error),
            DuplicateSkill { .. } => ("nomenclature/competence-en-double", Error),
            EvidenceNotAccepted { .. } => ("nomenclature/justificatif-non-accepte", Error),
            NotEnoughEvidence { .. } => ("charte/justificatif-manquant", Error),
            PortfolioNeedsHttps => ("charte/portfolio-https", Error),
            ReferenceNeedsClient => ("charte/reference-client", Error),
            TitleAndYearNeeded { .. } => ("charte/diplome-titre-annee", Error),
            YearInFuture { .. } => ("charte/annee-future", Error),
            EvidenceOld { .. } => ("charte/justificatif-ancien", Warning),
            TooManySkills { .. } => ("charte/trop-de-competences", Error),
            BannedWord { .. } => ("charte/mot-interdit", Error),
            CharterNotSigned => ("charte/non-signee", Error),
            DateInFuture { key, .. } if key == "le" => ("verification/date-future", Error),
            DateInFuture { .. } => ("charte/date-future", Error),
            CharterOutdated { .. } => ("charte/version-ancienne", Warning),
            InvalidSiret { .. } => ("identite/siret-invalide", Error),
            MissingSiret { .. } => ("identite/siret-manquant", Error),
            DuplicateSiret { .. } => ("identite/siret-en-double", Error),
            DuplicateName { .. } => ("identite/nom-en-double", Error),
            UnknownCommune { .. } => ("lieu/commune-inconnue", Error),
            AmbiguousCommune { .. } => ("lieu/commune-ambigue", Error),
            UnknownZone { .. } => ("lieu/zone-inconnue", Error),
            InvalidEmail { .. } => ("contact/courriel", Error),
            InvalidPhone { .. } => ("contact/telephone", Error),
            InvalidUrl { .. } => ("contact/url", Error),
            UnknownPublicField { .. } => ("contact/public-inconnu", Error),
            EvidenceUnreachable { .. } => ("charte/justificatif-injoignable", Warning),
            ContactSiteUnreachable { .. } => ("contact/site-injoignable", Warning),
            UnknownMediator { .. } => ("verification/mediateur-inconnu", Error),
            VerificationIncomplete { .. } => ("verification/incomplete", Error),
            VerificationExpired { .. } => ("verification/expiree", Warning),
            SelfVerification { .. } => ("verification/auto-verification", Error),
            Markup { .. } => ("schema/balisage", Warning),
            BodyHtml { .. } => ("description/html", Warning),
            BodyLinkRefused { .. } => ("description/lien-refuse", Warning),
            TooManyProblems { .. } => ("fichier/trop-de-problemes", Error),
            SummaryTooLong { .. } => ("resume/trop-long", Error),
            Config { .. } => ("site/configuration", Error),
        }
    }

    pub fn rule(&self) -> &'static str {
        self.meta().0
    }

    /// The other file of a duplicate, which the diagnostic concerns as much as its own file.
    pub fn other_file(&self) -> Option<&PathBuf> {
        match self {
            Problem::DuplicateSlug { other, .. }
            | Problem::DuplicateSiret { other }
            | Problem::DuplicateName { other, .. } => Some(other),
            _ => None,
        }
    }

    pub fn default_severity(&self) -> Severity {
        self.meta().1
    }

    /// The message, safe to print: control, bidi and invisible characters of quoted values are
    /// spelled out (`\u{1b}`), so a value cannot drive the terminal or reorder a CI log line, and
    /// it is cut to [`MAX_MESSAGE_CHARS`] (a hostile value can be 256 KiB long).
    pub fn message(&self, lang: Lang) -> String {
        let message = self.raw_message(lang);
        let mut out = printable(&message);
        if out.chars().count() > MAX_MESSAGE_CHARS {
            out = out.chars().take(MAX_MESSAGE_CHARS).collect();
            out.push('…');
        }
        out
    }

    fn raw_message(&self, lang: Lang) -> String {
        use Problem::*;
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        match self {
            Unreadable { reason } => pick(
                format!("fichier illisible : {reason}"),
                format!("cannot read file: {reason}"),
            ),
            FileTooLarge { size, limit } => pick(
                format!("fichier trop gros ({size} octets, maximum {limit})"),
                format!("file too large ({size} bytes, at most {limit})"),
            ),
            BinaryFile => pick(
                "fichier binaire, pas du texte".into(),
                "binary file, not text".into(),
            ),
            InvalidUtf8 => pick(
                "le fichier n'est pas encodé en UTF-8".into(),
                "the file is not valid UTF-8".into(),
            ),
            SymlinkOutside => pick(
                "lien symbolique vers un fichier hors de content/".into(),
                "symbolic link to a file outside content/".into(),
            ),
            InvalidSlug { slug, .. } => pick(
                format!("nom de fichier « {slug} » invalide"),
                format!("invalid file name `{slug}`"),
            ),
            DuplicateSlug { slug, other } => pick(
                format!(
                    "le nom de fichier « {slug} » est déjà utilisé par {}",
                    other.display()
                ),
                format!("file name `{slug}` is already used by {}", other.display()),
            ),
            NoFrontMatter => pick(
                "pas d'en-tête YAML : le fichier doit commencer par une ligne ---".into(),
                "no YAML front matter: the file must start with a --- line".into(),
            ),
            UnterminatedFrontMatter => pick(
                "en-tête YAML non terminé : ligne --- de fermeture absente".into(),
                "unterminated front matter: closing --- line missing".into(),
            ),
            YamlSyntax { detail } => pick(
                format!("erreur de syntaxe YAML : {detail}"),
                format!("YAML syntax error: {detail}"),
            ),
            DuplicateKey { key, first_line } => pick(
                format!("clé « {key} » en double (déjà à la ligne {first_line})"),
                format!("duplicate key `{key}` (already on line {first_line})"),
            ),
            ComplexKey => pick(
                "une clé doit être un texte simple".into(),
                "a key must be plain text".into(),
            ),
            TooDeep { limit } => pick(
                format!("imbrication trop profonde (maximum {limit} niveaux)"),
                format!("nesting too deep (at most {limit} levels)"),
            ),
            TooLarge { nodes } => pick(
                format!(
                    "en-tête trop volumineux une fois les alias développés (maximum {nodes} éléments)"
                ),
                format!("front matter too large once aliases are expanded (at most {nodes} nodes)"),
            ),
            UnknownAlias => pick(
                "alias YAML vers une ancre inconnue".into(),
                "YAML alias to an unknown anchor".into(),
            ),
            MissingKey { key } => pick(
                format!("clé requise « {key} » absente ou vide"),
                format!("required key `{key}` is missing or empty"),
            ),
            UnknownKey { key, .. } => pick(
                format!("clé inconnue « {key} »"),
                format!("unknown key `{key}`"),
            ),
            WrongType {
                key,
                expected,
                found,
            } => pick(
                format!(
                    "« {key} » doit être {}, pas {}",
                    type_fr(expected),
                    type_fr(found)
                ),
                format!("`{key}` must be a {expected}, not a {found}"),
            ),
            InvalidValue { key, value, .. } => pick(
                format!("valeur « {value} » invalide pour « {key} »"),
                format!("invalid value `{value}` for `{key}`"),
            ),
            InvalidDate { key, value } => pick(
                format!("date « {value} » invalide pour « {key} »"),
                format!("invalid date `{value}` for `{key}`"),
            ),
            InvalidNumber { key, value } => pick(
                format!("nombre « {value} » invalide pour « {key} »"),
                format!("invalid number `{value}` for `{key}`"),
            ),
            TextTooLong { key, len, max } => pick(
                format!("« {key} » est trop long ({len} caractères, maximum {max})"),
                format!("`{key}` is too long ({len} characters, at most {max})"),
            ),
            InvisibleCharacters { key } => pick(
                format!(
                    "« {key} » contient des caractères invisibles ou de contrôle de sens d'écriture"
                ),
                format!("`{key}` contains invisible or text-direction control characters"),
            ),
            TooManyItems { key, count, max } => pick(
                format!("trop d'éléments dans « {key} » ({count}, maximum {max})"),
                format!("too many items in `{key}` ({count}, at most {max})"),
            ),
            UnknownSkill { id, .. } => pick(
                format!("compétence « {id} » absente de la nomenclature"),
                format!("skill `{id}` is not in the nomenclature"),
            ),
            DuplicateSkill { id, first_line } => pick(
                format!("compétence « {id} » déclarée deux fois (déjà à la ligne {first_line})"),
                format!("skill `{id}` claimed twice (already on line {first_line})"),
            ),
            EvidenceNotAccepted { kind, skill, .. } => pick(
                format!("un justificatif de type « {kind} » n'est pas accepté pour « {skill} »"),
                format!("evidence of type `{kind}` is not accepted for `{skill}`"),
            ),
            NotEnoughEvidence { skill, count, min } => pick(
                format!(
                    "« {skill} » a {count} justificatif(s), la charte en demande au moins {min}"
                ),
                format!(
                    "`{skill}` has {count} evidence item(s); the charter asks for at least {min}"
                ),
            ),
            PortfolioNeedsHttps => pick(
                "un portfolio doit avoir une adresse https://".into(),
                "a portfolio needs an https:// URL".into(),
            ),
            ReferenceNeedsClient => pick(
                "une référence doit nommer son client".into(),
                "a reference must name its client".into(),
            ),
            TitleAndYearNeeded { kind } => pick(
                format!("un justificatif « {kind} » doit avoir un titre et une année"),
                format!("a `{kind}` evidence item needs a title and a year"),
            ),
            YearInFuture { year } => pick(
                format!("l'année {year} est dans le futur"),
                format!("year {year} is in the future"),
            ),
            EvidenceOld { year, max_years } => pick(
                format!("justificatif de {year}, plus ancien que {max_years} ans"),
                format!("evidence from {year} is older than {max_years} years"),
            ),
            TooManySkills { count, max } => pick(
                format!("{count} compétences déclarées, la charte en permet au plus {max}"),
                format!("{count} skills claimed; the charter allows at most {max}"),
            ),
            BannedWord { word, key } => pick(
                format!("« {key} » contient l'expression interdite « {word} »"),
                format!("`{key}` uses the banned expression `{word}`"),
            ),
            CharterNotSigned => pick(
                "la charte n'est pas signée".into(),
                "the charter is not signed".into(),
            ),
            DateInFuture { key, date } => pick(
                format!("la date {date} de « {key} » est dans le futur"),
                format!("date {date} of `{key}` is in the future"),
            ),
            CharterOutdated { version, current } => pick(
                format!(
                    "charte signée en version {version}, la version en vigueur est {current} : charte à signer de nouveau"
                ),
                format!(
                    "charter signed in version {version}, current version is {current}: sign it again"
                ),
            ),
            InvalidSiret { value } => pick(
                format!("SIRET « {value} » invalide"),
                format!("invalid SIRET `{value}`"),
            ),
            MissingSiret { forme } => pick(
                format!("le SIRET est obligatoire pour la forme « {forme} »"),
                format!("a SIRET is required for `{forme}`"),
            ),
            DuplicateSiret { other } => pick(
                format!("ce SIRET est déjà utilisé par {}", other.display()),
                format!("this SIRET is already used by {}", other.display()),
            ),
            DuplicateName { name, other } => pick(
                format!("le nom « {name} » est déjà utilisé par {}", other.display()),
                format!("name `{name}` is already used by {}", other.display()),
            ),
            UnknownCommune { value, .. } => pick(
                format!("commune « {value} » inconnue sur le territoire"),
                format!("unknown commune `{value}` in the territory"),
            ),
            AmbiguousCommune { value, codes } => pick(
                format!(
                    "plusieurs communes s'appellent « {value} » ({})",
                    codes.join(", ")
                ),
                format!(
                    "several communes are named `{value}` ({})",
                    codes.join(", ")
                ),
            ),
            UnknownZone { value, .. } => pick(
                format!(
                    "zone « {value} » inconnue : ni « departement » ni un code INSEE du territoire"
                ),
                format!(
                    "unknown zone `{value}`: neither `departement` nor an INSEE code of the territory"
                ),
            ),
            InvalidEmail { value } => pick(
                format!("adresse électronique « {value} » invalide"),
                format!("invalid e-mail `{value}`"),
            ),
            InvalidPhone { value } => pick(
                format!("numéro de téléphone « {value} » invalide"),
                format!("invalid phone number `{value}`"),
            ),
            InvalidUrl { key, value } => pick(
                format!(
                    "adresse « {value} » invalide pour « {key} » : seules les adresses http(s) sont acceptées"
                ),
                format!("invalid URL `{value}` for `{key}`: only http(s) URLs are accepted"),
            ),
            UnknownPublicField { field, .. } => pick(
                format!("« publics » cite « {field} », absent du contact"),
                format!("`publics` names `{field}`, which the contact does not have"),
            ),
            EvidenceUnreachable { url, reason } => pick(
                format!("le justificatif « {url} » ne répond pas ({reason})"),
                format!("evidence `{url}` does not answer ({})", reason_en(reason)),
            ),
            ContactSiteUnreachable { url, reason } => pick(
                format!("l'adresse « {url} » ne répond pas ({reason})"),
                format!("`{url}` does not answer ({})", reason_en(reason)),
            ),
            UnknownMediator { name, .. } => pick(
                format!("« {name} » n'est pas un médiateur de l'annuaire"),
                format!("`{name}` is not one of the directory's mediators"),
            ),
            VerificationIncomplete { missing } => pick(
                format!("la vérification n'indique pas « {missing} »"),
                format!("the verification does not say `{missing}`"),
            ),
            VerificationExpired { until } => pick(
                format!("vérification expirée depuis le {until}"),
                format!("verification expired on {until}"),
            ),
            SelfVerification { author } => pick(
                format!(
                    "bloc « verification » ajouté ou modifié par « {author} », qui n'est pas médiateur"
                ),
                format!(
                    "`verification` block added or changed by `{author}`, who is not a mediator"
                ),
            ),
            Markup { key } => pick(
                format!("« {key} » contient du balisage HTML, qui sera affiché tel quel"),
                format!("`{key}` contains HTML markup, which is shown as is"),
            ),
            BodyHtml { count } => pick(
                format!(
                    "la description contient du HTML ({count} endroit(s)), affiché comme du texte et non interprété"
                ),
                format!(
                    "the description contains raw HTML ({count} place(s)), shown as text rather than interpreted"
                ),
            ),
            BodyLinkRefused { url } => pick(
                format!("lien « {url} » refusé : le texte sera affiché sans le lien"),
                format!("link `{url}` refused: its text is shown without the link"),
            ),
            TooManyProblems { hidden } => pick(
                format!("{hidden} autre(s) problème(s) non affiché(s) dans ce fichier"),
                format!("{hidden} more problem(s) not shown for this file"),
            ),
            SummaryTooLong { len, max } => pick(
                format!("résumé trop long ({len} caractères, maximum {max})"),
                format!("summary too long ({len} characters, at most {max})"),
            ),
            Config { detail } => detail.clone(),
        }
    }

    pub fn help(&self, lang: Lang) -> String {
        use Problem::*;
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        let did_you_mean = |s: &Option<String>| match s {
            Some(s) => pick(
                format!("vouliez-vous dire « {s} » ?"),
                format!("did you mean `{s}`?"),
            ),
            None => String::new(),
        };
        match self {
            Unreadable { .. } => pick("vérifiez les droits du fichier".into(), "check the file permissions".into()),
            FileTooLarge { .. } => pick(
                "une fiche tient en quelques kilo-octets : raccourcissez la description".into(),
                "an entry fits in a few kilobytes: shorten the description".into(),
            ),
            BinaryFile | InvalidUtf8 => pick(
                "enregistrez le fichier en texte UTF-8 (Markdown)".into(),
                "save the file as UTF-8 text (Markdown)".into(),
            ),
            SymlinkOutside => pick(
                "remplacez le lien par le fichier lui-même".into(),
                "replace the link with the file itself".into(),
            ),
            InvalidSlug { suggestion, .. } => pick(
                format!("minuscules sans accents, chiffres et tirets, 80 caractères au plus : renommez en « {suggestion}.md »"),
                format!("lowercase ascii letters, digits and hyphens, at most 80 characters: rename to `{suggestion}.md`"),
            ),
            DuplicateSlug { .. } => pick(
                "chaque fiche doit avoir un nom de fichier unique".into(),
                "each entry needs a unique file name".into(),
            ),
            NoFrontMatter | UnterminatedFrontMatter => pick(
                "encadrez l'en-tête par deux lignes --- (voir CONTRIBUTING.md)".into(),
                "put the front matter between two --- lines (see CONTRIBUTING.md)".into(),
            ),
            YamlSyntax { .. } | UnknownAlias => pick(
                "vérifiez l'indentation (des espaces, pas de tabulations) et les guillemets".into(),
                "check indentation (spaces, no tabs) and quotes".into(),
            ),
            DuplicateKey { .. } => pick("gardez une seule fois chaque clé".into(), "keep each key once".into()),
            ComplexKey => pick("écrivez la clé comme un simple mot".into(), "write the key as a plain word".into()),
            TooDeep { .. } | TooLarge { .. } => pick(
                "une fiche n'a pas besoin d'ancres ni d'alias YAML : écrivez les valeurs en clair".into(),
                "an entry needs no YAML anchors or aliases: write values out".into(),
            ),
            MissingKey { key } => pick(format!("ajoutez « {key}: … »"), format!("add `{key}: …`")),
            UnknownKey { suggestion, .. } => {
                let s = did_you_mean(suggestion);
                if s.is_empty() {
                    pick("retirez cette clé (voir CONTRIBUTING.md)".into(), "remove this key (see CONTRIBUTING.md)".into())
                } else {
                    s
                }
            }
            WrongType { expected, .. } => {
                pick(format!("écrivez {} à cet endroit", type_fr(expected)), format!("write a {expected} here"))
            }
            InvalidValue { allowed, suggestion, .. } => {
                let s = did_you_mean(suggestion);
                let list = allowed.join(", ");
                if s.is_empty() {
                    pick(format!("valeurs possibles : {list}"), format!("allowed values: {list}"))
                } else {
                    pick(format!("{s} (valeurs possibles : {list})"), format!("{s} (allowed values: {list})"))
                }
            }
            InvalidDate { .. } => pick(
                "écrivez une date réelle au format AAAA-MM-JJ, par exemple 2025-03-12".into(),
                "write a real date as YYYY-MM-DD, e.g. 2025-03-12".into(),
            ),
            InvalidNumber { .. } => pick("écrivez une année à quatre chiffres".into(), "write a four-digit year".into()),
            TextTooLong { .. } | SummaryTooLong { .. } => {
                pick("raccourcissez ce texte".into(), "shorten this text".into())
            }
            InvisibleCharacters { .. } => pick(
                "retapez ce texte sans le copier-coller d'un traitement de texte".into(),
                "retype this text instead of pasting it from a word processor".into(),
            ),
            TooManyItems { .. } => pick("retirez des éléments".into(), "remove some items".into()),
            UnknownSkill { suggestion, .. } => {
                let s = did_you_mean(suggestion);
                if s.is_empty() {
                    pick(
                        "choisissez un identifiant de la page Nomenclature (famille/competence)".into(),
                        "pick an id from the nomenclature page (family/skill)".into(),
                    )
                } else {
                    s
                }
            }
            DuplicateSkill { .. } => pick(
                "regroupez les justificatifs sous une seule déclaration".into(),
                "group the evidence under one claim".into(),
            ),
            EvidenceNotAccepted { accepted, .. } => pick(
                format!("justificatifs acceptés pour cette compétence : {}", accepted.join(", ")),
                format!("evidence accepted for this skill: {}", accepted.join(", ")),
            ),
            NotEnoughEvidence { .. } => pick(
                "ajoutez un portfolio, une référence client, un diplôme ou une certification".into(),
                "add a portfolio, a client reference, a diploma or a certification".into(),
            ),
            PortfolioNeedsHttps => pick(
                "ajoutez « url: https://… » vers les réalisations".into(),
                "add `url: https://…` pointing at the work".into(),
            ),
            ReferenceNeedsClient => pick("ajoutez « client: … »".into(), "add `client: …`".into()),
            TitleAndYearNeeded { .. } => pick(
                "ajoutez « titre: … » et « annee: AAAA »".into(),
                "add `titre: …` and `annee: YYYY`".into(),
            ),
            YearInFuture { .. } | DateInFuture { .. } => {
                pick("corrigez la date".into(), "correct the date".into())
            }
            EvidenceOld { .. } => pick(
                "ajoutez un justificatif plus récent".into(),
                "add more recent evidence".into(),
            ),
            TooManySkills { .. } => pick(
                "gardez les compétences que vous pouvez le mieux justifier".into(),
                "keep the skills you can best back with evidence".into(),
            ),
            BannedWord { .. } => pick(
                "décrivez ce que vous faites, sans superlatif".into(),
                "describe what you do, without superlatives".into(),
            ),
            CharterNotSigned => pick(
                "lisez la charte puis ajoutez « charte: {version: …, signee_le: AAAA-MM-JJ} »".into(),
                "read the charter then add `charte: {version: …, signee_le: YYYY-MM-DD}`".into(),
            ),
            CharterOutdated { current, .. } => pick(
                format!("relisez la charte et indiquez « version: \"{current}\" » avec la date du jour"),
                format!("read the charter again and set `version: \"{current}\"` with today's date"),
            ),
            InvalidSiret { .. } => pick(
                "14 chiffres, tels qu'ils figurent sur l'avis de situation SIRENE".into(),
                "14 digits, as on the SIRENE registration notice".into(),
            ),
            MissingSiret { .. } => pick("ajoutez « siret: \"…\" »".into(), "add `siret: \"…\"`".into()),
            DuplicateSiret { .. } | DuplicateName { .. } => pick(
                "une structure n'a qu'une fiche : complétez la fiche existante".into(),
                "one organisation has one entry: update the existing one".into(),
            ),
            UnknownCommune { suggestion, .. } | UnknownZone { suggestion, .. } => {
                let s = did_you_mean(suggestion);
                if s.is_empty() {
                    pick(
                        "indiquez le code INSEE de la commune (liste sur la page Communes)".into(),
                        "give the commune's INSEE code (see the communes page)".into(),
                    )
                } else {
                    s
                }
            }
            AmbiguousCommune { .. } => pick("indiquez le code INSEE".into(), "give the INSEE code".into()),
            InvalidEmail { .. } => pick("forme attendue : nom@domaine.fr".into(), "expected form: name@domain.fr".into()),
            InvalidPhone { .. } => pick(
                "dix chiffres commençant par 0, ou +33 suivi de neuf chiffres".into(),
                "ten digits starting with 0, or +33 then nine digits".into(),
            ),
            InvalidUrl { .. } => pick("commencez l'adresse par https://".into(), "start the URL with https://".into()),
            EvidenceUnreachable { .. } => pick(
                "vérifiez l'adresse dans un navigateur ; si la page a disparu, remplacez-la ou retirez ce justificatif (la charte demande des justificatifs consultables)".into(),
                "open the URL in a browser; if the page is gone, replace it or remove this evidence (the charter asks for evidence that can be consulted)".into(),
            ),
            ContactSiteUnreachable { .. } => pick(
                "vérifiez l'adresse dans un navigateur ; corrigez-la ou retirez-la du contact".into(),
                "open the URL in a browser; correct it or remove it from the contact".into(),
            ),
            UnknownPublicField { present, .. } => pick(
                format!("champs de contact présents : {}", present.join(", ")),
                format!("contact fields present: {}", present.join(", ")),
            ),
            VerificationIncomplete { missing } => pick(format!("ajoutez « {missing}: … »"), format!("add `{missing}: …`")),
            UnknownMediator { known, suggestion, .. } => {
                let s = did_you_mean(suggestion);
                let list = known.join(", ");
                if s.is_empty() {
                    pick(format!("médiateurs de site.yaml : {list}"), format!("mediators in site.yaml: {list}"))
                } else {
                    pick(format!("{s} (médiateurs : {list})"), format!("{s} (mediators: {list})"))
                }
            }
            VerificationExpired { .. } => pick(
                "demandez une nouvelle vérification à un médiateur".into(),
                "ask a mediator for a new verification".into(),
            ),
            SelfVerification { .. } => pick(
                "retirez le bloc « verification » : seul un médiateur l'écrit, après avoir vu les justificatifs".into(),
                "remove the `verification` block: only a mediator writes it, after seeing the evidence".into(),
            ),
            Markup { .. } => pick(
                "écrivez du texte simple, sans balises < > : elles ne sont pas interprétées".into(),
                "write plain text without < > tags: they are not interpreted".into(),
            ),
            BodyHtml { .. } => pick(
                "utilisez la syntaxe Markdown : **gras**, *italique*, [lien](https://…), listes « - »".into(),
                "use Markdown syntax: **bold**, *italics*, [link](https://…), `-` lists".into(),
            ),
            BodyLinkRefused { .. } => pick(
                "un lien commence par https://, http://, mailto: ou tel: ; une image par https://".into(),
                "a link starts with https://, http://, mailto: or tel:; an image with https://".into(),
            ),
            TooManyProblems { .. } => pick(
                "corrigez d'abord les problèmes ci-dessus, puis relancez la vérification".into(),
                "fix the problems above first, then check again".into(),
            ),
            Config { .. } => pick("voir docs/format.md".into(), "see docs/format.md".into()),
        }
    }
}

/// The reason of an unreachable address in English (`check --links` words it in French).
fn reason_en(reason: &str) -> String {
    if let Some(rest) = reason.strip_prefix("pas de réponse en ") {
        return format!("no answer within {rest}");
    }
    match reason {
        "nom de domaine introuvable" => "domain name not found".into(),
        "connexion impossible" => "cannot connect".into(),
        "connexion refusée" => "connection refused".into(),
        "trop de redirections" => "too many redirects".into(),
        "adresse invalide" => "invalid URL".into(),
        other => other.to_string(),
    }
}

fn type_fr(t: &str) -> &'static str {
    match t {
        "string" => "un texte",
        "list" => "une liste",
        "map" => "un dictionnaire de clés",
        "number" => "un nombre",
        "bool" => "true ou false",
        "null" => "vide",
        "date" => "une date",
        _ => "une valeur",
    }
}

/// Longest message printed, in characters (values quoted in it are cut).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `s` with every control, bidi-control and invisible character written as `\u{…}`, so it prints
/// as what it is: no terminal escape sequence, no carriage return overwriting a line, no text
/// reordered on screen.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if c.is_control() || crate::text::has_invisible(c.encode_utf8(&mut buf)) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Counts for the closing line of a check or build.
pub fn summary(diags: &[Diagnostic], lang: Lang) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let mut s = String::new();
    match lang {
        Lang::Fr => {
            let _ = write!(
                s,
                "{errors} erreur{}, {warnings} avertissement{}",
                plural(errors),
                plural(warnings)
            );
        }
        Lang::En => {
            let _ = write!(
                s,
                "{errors} error{}, {warnings} warning{}",
                plural(errors),
                plural(warnings)
            );
        }
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_spell_out_control_characters_and_stay_short() {
        let p = Problem::InvalidValue {
            key: "forme".into(),
            value: "a\u{1b}[2J\r\u{202e}b".into(),
            allowed: vec![],
            suggestion: None,
        };
        let m = p.message(Lang::En);
        assert_eq!(m, "invalid value `a\\u{1b}[2J\\u{d}\\u{202e}b` for `forme`");

        let long = Problem::UnknownKey {
            key: "k".repeat(100_000),
            suggestion: None,
        };
        let m = long.message(Lang::Fr);
        assert_eq!(m.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(m.ends_with('…'));
    }
}
