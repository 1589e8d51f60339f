//! One provider file: split, parse, decode and check every field, reporting all problems.

use std::collections::{BTreeSet, HashMap};

use crate::check::Context;
use crate::check::diagnostic::{Diagnostic, Problem, Severity};
use crate::check::rules;
use crate::decode::{Fields, Reader};
use crate::model::communes::Lookup;
use crate::model::{
    CharterSignature, Claim, Contact, ContactField, Date, Evidence, EvidenceKind, EvidenceType,
    Forme, Provider, Verification, VerificationStatus, Zone,
};
use crate::source::yaml::{self, Kind, Limits, Node, Pos, Span};
use crate::source::{SourceFile, SplitError, split_front_matter};

/// Keys of a provider front matter, in the documented order.
pub const KEYS: &[&str] = &[
    "nom",
    "forme",
    "siret",
    "commune",
    "zone",
    "resume",
    "contact",
    "competences",
    "charte",
    "langues",
    "mis_a_jour",
];
const CONTACT_KEYS: &[&str] = &[
    "site",
    "courriel",
    "telephone",
    "adresse",
    "reseaux",
    "publics",
];
const CLAIM_KEYS: &[&str] = &["id", "justificatifs", "verification"];
const EVIDENCE_KEYS: &[&str] = &[
    "type",
    "titre",
    "url",
    "client",
    "annee",
    "etablissement",
    "organisme",
    "prive",
];
const VERIFICATION_KEYS: &[&str] = &["statut", "par", "le", "jusqu_au", "note"];

/// Hard caps that bound the work one entry can cause, whatever `site.yaml` says.
pub const MAX_CLAIMS: usize = 32;
pub const MAX_EVIDENCE: usize = 16;
pub const MAX_NAME: usize = 120;
/// Problems listed per file; the rest are counted in one `fichier/trop-de-problemes`.
pub const MAX_DIAGNOSTICS: usize = 100;
/// Refused links listed per description.
const MAX_BODY_LINKS: usize = 20;

/// What cross-entry rules need to know of an entry, even one with errors.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub name: Option<(String, Span)>,
    pub siret: Option<(String, Span)>,
}

pub struct Checked {
    pub provider: Option<Provider>,
    pub identity: Identity,
    pub diagnostics: Vec<Diagnostic>,
    /// The parsed front matter, for rules comparing versions (self-verification).
    pub front_matter: Option<Node>,
}

pub fn check_entry(file: &SourceFile, slug: &str, ctx: &Context) -> Checked {
    let mut r = Reader::new(&file.path);
    let mut out = Checked {
        provider: None,
        identity: Identity::default(),
        diagnostics: Vec::new(),
        front_matter: None,
    };
    let split = match split_front_matter(&file.text) {
        Ok(s) => s,
        Err(SplitError::Missing) => {
            r.report(Problem::NoFrontMatter, Span::at(Pos { line: 1, col: 1 }));
            out.diagnostics = bounded(r.diags);
            return out;
        }
        Err(SplitError::Unterminated { line }) => {
            r.report(
                Problem::UnterminatedFrontMatter,
                Span::at(Pos { line, col: 1 }),
            );
            out.diagnostics = bounded(r.diags);
            return out;
        }
    };
    let doc = yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY);
    for e in &doc.errors {
        r.report_yaml(e);
    }
    if let Some(root) = doc.root {
        let root = if root.is_null() {
            // `---\n---`: an empty front matter is a map with every key missing.
            Node {
                kind: Kind::Map(Vec::new()),
                span: Span::at(Pos { line: 1, col: 1 }),
            }
        } else {
            root
        };
        let provider = decode_provider(
            &mut r,
            &root,
            slug,
            file,
            split.body,
            ctx,
            &mut out.identity,
        );
        if !r.has_errors() {
            out.provider = provider;
        }
        out.front_matter = Some(root);
    }
    out.diagnostics = bounded(r.diags);
    out
}

/// Keeps the first [`MAX_DIAGNOSTICS`] problems of a file (by position) and says how many more
/// there are: a hostile entry can hold 20,000 wrong values, and each one quoted in a CI log is
/// gigabytes of output.
fn bounded(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() <= MAX_DIAGNOSTICS {
        return diags;
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let hidden = diags.split_off(MAX_DIAGNOSTICS);
    let mut more = Diagnostic::new(
        Problem::TooManyProblems {
            hidden: hidden.len(),
        },
        hidden[0].file.clone(),
        hidden[0].span,
    );
    if hidden.iter().all(|d| d.severity == Severity::Warning) {
        more.severity = Severity::Warning;
    }
    diags.push(more);
    diags
}

#[allow(clippy::too_many_arguments)]
fn decode_provider(
    r: &mut Reader,
    root: &Node,
    slug: &str,
    file: &SourceFile,
    body: &str,
    ctx: &Context,
    identity: &mut Identity,
) -> Option<Provider> {
    let mut m = r.map(root, "en-tête")?;
    let rules_cfg = &ctx.config.charter;

    let name = m.required(r, "nom").and_then(|n| {
        let s = r.text(n, "nom", MAX_NAME)?;
        identity.name = Some((s.clone(), n.span));
        Some(s)
    });
    let forme = m
        .required(r, "forme")
        .and_then(|n| r.choice(n, "forme", &Forme::ALL));
    let siret = m.get("siret").and_then(|n| {
        let s = rules::normalize_siret(&r.string(n, "siret")?);
        if !rules::siret_is_valid(&s) {
            r.report(Problem::InvalidSiret { value: s }, n.span);
            return None;
        }
        identity.siret = Some((s.clone(), n.span));
        Some(s)
    });
    if let Some(f) = forme
        && f.needs_siret()
        && m.get("siret").is_none()
    {
        r.report(
            Problem::MissingSiret {
                forme: f.key().into(),
            },
            Span::at(m.span.start),
        );
    }
    let commune = m.required(r, "commune").and_then(|n| {
        let s = r.string(n, "commune")?;
        match ctx.communes.lookup(&s) {
            Lookup::Found(c) => Some(c.code.clone()),
            Lookup::Ambiguous(codes) => {
                r.report(Problem::AmbiguousCommune { value: s, codes }, n.span);
                None
            }
            Lookup::NotFound { suggestion } => {
                r.report(
                    Problem::UnknownCommune {
                        value: s,
                        suggestion,
                    },
                    n.span,
                );
                None
            }
        }
    });
    let zone = match m.get("zone") {
        None => Some(Zone::Commune),
        Some(n) => decode_zone(r, n, ctx),
    };
    let summary = m.required(r, "resume").and_then(|n| {
        let s = r.text(n, "resume", 4 * rules_cfg.max_summary.max(280))?;
        let len = s.chars().count();
        if len > rules_cfg.max_summary {
            r.report(
                Problem::SummaryTooLong {
                    len,
                    max: rules_cfg.max_summary,
                },
                n.span,
            );
        }
        if let Some(w) = rules::banned_word(&s, &rules_cfg.banned_words) {
            r.report(
                Problem::BannedWord {
                    word: w.to_string(),
                    key: "resume".into(),
                },
                n.span,
            );
        }
        Some(s)
    });
    let contact = match m.get("contact") {
        Some(n) => decode_contact(r, n),
        None => Some(Contact::default()),
    };
    let claims = m
        .required(r, "competences")
        .and_then(|n| decode_claims(r, n, ctx));
    let charter = match m.get("charte") {
        None => {
            r.report(Problem::CharterNotSigned, Span::at(m.span.start));
            None
        }
        Some(n) => decode_charter(r, n, ctx),
    };
    let languages = m
        .get("langues")
        .and_then(|n| r.string_list(n, "langues"))
        .map(|langs| {
            langs
                .into_iter()
                .filter_map(|(l, span)| {
                    let ok =
                        (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase());
                    if !ok {
                        r.report(
                            Problem::InvalidValue {
                                key: "langues".into(),
                                value: l,
                                allowed: vec![
                                    "fr".into(),
                                    "en".into(),
                                    "oc".into(),
                                    "de".into(),
                                    "es".into(),
                                ],
                                suggestion: None,
                            },
                            span,
                        );
                        return None;
                    }
                    Some(l)
                })
                .collect()
        })
        .unwrap_or_default();
    let updated = m.get("mis_a_jour").and_then(|n| {
        let d = r.date(n, "mis_a_jour")?;
        not_future(r, d, "mis_a_jour", n.span, ctx.today);
        Some(d)
    });
    m.finish(r, KEYS);

    if let Some(w) = rules::banned_word(body, &rules_cfg.banned_words) {
        r.report(
            Problem::BannedWord {
                word: w.to_string(),
                key: "description".into(),
            },
            Span::at(Pos {
                line: body_line_of(file, body, w),
                col: 1,
            }),
        );
    }

    report_body_markup(r, file, body);

    let warnings = r
        .diags
        .iter()
        .filter(|d| d.severity == crate::check::diagnostic::Severity::Warning)
        .map(|d| d.message(crate::check::diagnostic::Lang::Fr))
        .collect();
    Some(Provider {
        slug: slug.to_string(),
        source: file.path.clone(),
        name: name?,
        forme: forme?,
        siret,
        commune: commune?,
        zone: zone?,
        summary: summary?,
        contact: contact?,
        claims: claims?,
        charter: charter?,
        languages,
        updated,
        body: body.to_string(),
        warnings,
    })
}

/// Raw HTML and refused links in the description: the renderer neutralises them silently, so the
/// contributor learns it here (warnings: what is published stays safe either way).
fn report_body_markup(r: &mut Reader, file: &SourceFile, body: &str) {
    use crate::render::markdown::{Finding, audit};
    let body_start = file.text.len() - body.len();
    // Terminal escapes and other control characters have no place in a description (bidi marks
    // may: Arabic or Hebrew text needs them, and the page shows them for what they are).
    if let Some(i) = body.find(|c: char| c.is_control() && c != '\n' && c != '\t') {
        r.report(
            Problem::InvisibleCharacters {
                key: "description".into(),
            },
            Span::at(pos_at(&file.text, body_start + i)),
        );
    }
    let mut first_html = None;
    let mut html = 0;
    let mut links = 0;
    for (range, finding) in audit(body) {
        match finding {
            Finding::Html => {
                html += 1;
                first_html.get_or_insert(range.start);
            }
            Finding::RefusedLink { url } if links < MAX_BODY_LINKS => {
                links += 1;
                let at = pos_at(&file.text, body_start + range.start);
                r.report(Problem::BodyLinkRefused { url }, Span::at(at));
            }
            Finding::RefusedLink { .. } => {}
        }
    }
    if let Some(offset) = first_html {
        let at = pos_at(&file.text, body_start + offset);
        r.report(Problem::BodyHtml { count: html }, Span::at(at));
    }
}

/// Line and character column of a byte offset.
fn pos_at(text: &str, offset: usize) -> Pos {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Pos { line, col }
}

/// The file line where a banned word appears in the body, for the diagnostic.
fn body_line_of(file: &SourceFile, body: &str, word: &str) -> u32 {
    let body_start = file.text.len() - body.len();
    let folded_word = crate::text::fold(word);
    let first_body_line = file.text[..body_start].matches('\n').count() as u32 + 1;
    body.lines()
        .position(|l| crate::text::fold(l).contains(&folded_word))
        .map_or(first_body_line, |i| first_body_line + i as u32)
}

fn not_future(r: &mut Reader, d: Date, key: &str, span: Span, today: Date) {
    if d > today {
        r.report(
            Problem::DateInFuture {
                key: key.into(),
                date: d.to_string(),
            },
            span,
        );
    }
}

fn decode_zone(r: &mut Reader, n: &Node, ctx: &Context) -> Option<Zone> {
    if let Kind::Scalar(s) = &n.kind
        && s.text.trim() == "departement"
    {
        return Some(Zone::Territory);
    }
    let items = r.string_list(n, "zone")?;
    // A zone lists at most every commune of the territory. Each unknown value costs a search for
    // the nearest commune name; 20,000 of them (what the YAML budget allows) cost seconds.
    let max = ctx.communes.len().max(1);
    if items.len() > max {
        r.report(
            Problem::TooManyItems {
                key: "zone".into(),
                count: items.len(),
                max,
            },
            n.span,
        );
        return None;
    }
    let mut codes = Vec::new();
    let mut ok = true;
    for (value, span) in items {
        match ctx.communes.lookup(&value) {
            Lookup::Found(c) => {
                if !codes.contains(&c.code) {
                    codes.push(c.code.clone());
                }
            }
            _ => {
                let suggestion = if value.trim() == "département" {
                    Some("departement".to_string())
                } else {
                    crate::text::suggest(&value, ["departement"])
                };
                r.report(Problem::UnknownZone { value, suggestion }, span);
                ok = false;
            }
        }
    }
    ok.then_some(Zone::Communes(codes))
}

fn url_field(
    r: &mut Reader,
    fields: &mut Fields,
    key: &str,
    https_only: bool,
) -> Option<Option<String>> {
    let Some(n) = fields.get(key) else {
        return Some(None);
    };
    let s = r.string(n, key)?.trim().to_string();
    if !rules::url_is_valid(&s, https_only) {
        if https_only && rules::url_is_valid(&s, false) {
            r.report(Problem::PortfolioNeedsHttps, n.span);
        } else {
            r.report(
                Problem::InvalidUrl {
                    key: key.into(),
                    value: s,
                },
                n.span,
            );
        }
        return None;
    }
    Some(Some(s))
}

fn decode_contact(r: &mut Reader, n: &Node) -> Option<Contact> {
    let mut m = r.map(n, "contact")?;
    let mut ok = true;
    let mut c = Contact::default();
    match url_field(r, &mut m, "site", false) {
        Some(v) => c.site = v,
        None => ok = false,
    }
    if let Some(n) = m.get("courriel")
        && let Some(s) = r.string(n, "courriel")
    {
        if rules::email_is_valid(s.trim()) {
            c.courriel = Some(s.trim().to_string());
        } else {
            r.report(Problem::InvalidEmail { value: s }, n.span);
            ok = false;
        }
    }
    if let Some(n) = m.get("telephone")
        && let Some(s) = r.string(n, "telephone")
    {
        match rules::normalize_phone(&s) {
            Some(p) => c.telephone = Some(p),
            None => {
                r.report(Problem::InvalidPhone { value: s }, n.span);
                ok = false;
            }
        }
    }
    c.adresse = m.get("adresse").and_then(|n| r.text(n, "adresse", 300));
    if let Some(n) = m.get("reseaux") {
        for (url, span) in r.string_list(n, "reseaux").unwrap_or_default() {
            if rules::url_is_valid(url.trim(), false) {
                c.reseaux.push(url.trim().to_string());
            } else {
                r.report(
                    Problem::InvalidUrl {
                        key: "reseaux".into(),
                        value: url,
                    },
                    span,
                );
                ok = false;
            }
        }
    }
    // A field written but invalid has its own error already: `publics` naming it is not a second
    // one (an empty `reseaux: []` is not written).
    let written: Vec<ContactField> = ContactField::ALL
        .iter()
        .filter(|&&(k, f)| {
            c.has(f)
                || m.get(k)
                    .is_some_and(|v| !matches!(&v.kind, Kind::Seq(items) if items.is_empty()))
        })
        .map(|&(_, f)| f)
        .collect();
    let mut publics = BTreeSet::new();
    if let Some(n) = m.get("publics") {
        let items = match &n.kind {
            Kind::Seq(items) => items.as_slice(),
            _ => std::slice::from_ref(n),
        };
        for item in items {
            if let Some(field) = r.choice(item, "publics", &ContactField::ALL) {
                if c.has(field) {
                    publics.insert(field);
                } else if !written.contains(&field) {
                    let present = written.iter().map(|f| f.key().to_string()).collect();
                    r.report(
                        Problem::UnknownPublicField {
                            field: field.key().into(),
                            present,
                        },
                        item.span,
                    );
                }
            }
        }
    }
    c.publics = publics;
    m.finish(r, CONTACT_KEYS);
    ok.then_some(c)
}

fn decode_claims(r: &mut Reader, n: &Node, ctx: &Context) -> Option<Vec<Claim>> {
    let items = r.list(n, "competences")?;
    let max = ctx.config.charter.max_skills;
    if items.len() > max {
        r.report(
            Problem::TooManySkills {
                count: items.len(),
                max,
            },
            n.span,
        );
    }
    if items.len() > MAX_CLAIMS {
        r.report(
            Problem::TooManyItems {
                key: "competences".into(),
                count: items.len(),
                max: MAX_CLAIMS,
            },
            n.span,
        );
        return None;
    }
    if items.is_empty() {
        r.report(
            Problem::MissingKey {
                key: "competences".into(),
            },
            n.span,
        );
        return None;
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut claims = Vec::new();
    let mut ok = true;
    for item in items {
        match decode_claim(r, item, ctx, &mut seen) {
            Some(c) => claims.push(c),
            None => ok = false,
        }
    }
    ok.then_some(claims)
}

fn decode_claim(
    r: &mut Reader,
    n: &Node,
    ctx: &Context,
    seen: &mut HashMap<String, u32>,
) -> Option<Claim> {
    let mut m = r.map(n, "competences")?;
    let skill = m.required(r, "id").and_then(|idn| {
        let id = r.string(idn, "id")?.trim().to_string();
        if let Some(first_line) = seen.get(&id) {
            r.report(
                Problem::DuplicateSkill {
                    id,
                    first_line: *first_line,
                },
                idn.span,
            );
            return None;
        }
        seen.insert(id.clone(), idn.span.start.line);
        match ctx.nomenclature.skill(&id) {
            Some(s) => Some(s),
            None => {
                let suggestion = crate::text::suggest(&id, ctx.nomenclature.skill_ids());
                r.report(Problem::UnknownSkill { id, suggestion }, idn.span);
                None
            }
        }
    });
    let evidence = m.required(r, "justificatifs").and_then(|en| {
        let items = r.list(en, "justificatifs")?;
        if items.len() > MAX_EVIDENCE {
            r.report(
                Problem::TooManyItems {
                    key: "justificatifs".into(),
                    count: items.len(),
                    max: MAX_EVIDENCE,
                },
                en.span,
            );
            return None;
        }
        let mut list = Vec::new();
        let mut ok = true;
        for item in items {
            match decode_evidence(r, item, skill, ctx) {
                Some(e) => list.push(e),
                None => ok = false,
            }
        }
        let min = ctx.config.charter.min_evidence;
        if ok && list.len() < min {
            r.report(
                Problem::NotEnoughEvidence {
                    skill: skill.map_or_else(String::new, |s| s.id.clone()),
                    count: list.len(),
                    min,
                },
                en.span,
            );
        }
        ok.then_some(list)
    });
    // An empty `justificatifs:` reads as absent: it is the charter rule, not a schema error.
    if m.get("justificatifs").is_none() && evidence.is_none() {
        r.diags.retain(|d| {
            !(d.problem
                == Problem::MissingKey {
                    key: "justificatifs".into(),
                })
        });
        r.report(
            Problem::NotEnoughEvidence {
                skill: skill.map_or_else(String::new, |s| s.id.clone()),
                count: 0,
                min: ctx.config.charter.min_evidence,
            },
            n.span,
        );
    }
    let verification = match m.get("verification") {
        None => Some(None),
        Some(vn) => decode_verification(r, vn, ctx).map(Some),
    };
    m.finish(r, CLAIM_KEYS);
    Some(Claim {
        skill: skill?.id.clone(),
        evidence: evidence?,
        verification: verification?,
        line: n.span.start.line,
    })
}

fn decode_evidence(
    r: &mut Reader,
    n: &Node,
    skill: Option<&crate::model::Skill>,
    ctx: &Context,
) -> Option<Evidence> {
    let mut m = r.map(n, "justificatifs")?;
    let kind = m.required(r, "type").and_then(|tn| {
        let t = r.choice(tn, "type", &EvidenceType::ALL)?;
        if let Some(skill) = skill
            && !skill.accepted.contains(&t)
        {
            r.report(
                Problem::EvidenceNotAccepted {
                    kind: t.key().into(),
                    skill: skill.id.clone(),
                    accepted: skill.accepted.iter().map(|a| a.key().to_string()).collect(),
                },
                tn.span,
            );
        }
        Some(t)
    });
    let title = m.get("titre").and_then(|tn| r.text(tn, "titre", 200));
    let private = m
        .get("prive")
        .and_then(|pn| r.bool(pn, "prive"))
        .unwrap_or(false);
    let year = m.get("annee").and_then(|yn| {
        let y = r.year(yn, "annee")?;
        let this_year = i64::from(ctx.today.year());
        if y > this_year {
            r.report(Problem::YearInFuture { year: y }, yn.span);
            return None;
        }
        // A diploma does not go stale; a reference or a certification does.
        let max = ctx.config.charter.max_evidence_age_years;
        if kind != Some(EvidenceType::Diplome) && this_year - y > i64::from(max) {
            r.report(
                Problem::EvidenceOld {
                    year: y,
                    max_years: max,
                },
                yn.span,
            );
        }
        Some(y)
    });
    let annee_given = m.get("annee").is_some();
    let detail =
        |r: &mut Reader, m: &mut Fields, key: &str| m.get(key).and_then(|dn| r.text(dn, key, 200));
    let result = match kind? {
        EvidenceType::Portfolio => {
            let url = url_field(r, &mut m, "url", true);
            match url {
                Some(Some(url)) => {
                    if title.is_none() {
                        r.report(
                            Problem::MissingKey {
                                key: "titre".into(),
                            },
                            Span::at(m.span.start),
                        );
                    }
                    Some(EvidenceKind::Portfolio { url })
                }
                Some(None) => {
                    r.report(Problem::PortfolioNeedsHttps, Span::at(m.span.start));
                    None
                }
                None => None,
            }
        }
        EvidenceType::Reference => {
            let client = detail(r, &mut m, "client");
            let url = url_field(r, &mut m, "url", false);
            if client.is_none() {
                r.report(Problem::ReferenceNeedsClient, Span::at(m.span.start));
            }
            Some(EvidenceKind::Reference {
                client: client?,
                year,
                url: url?,
            })
        }
        t @ (EvidenceType::Diplome | EvidenceType::Certification) => {
            let url = url_field(r, &mut m, "url", false);
            if title.is_none() || (year.is_none() && !annee_given) {
                r.report(
                    Problem::TitleAndYearNeeded {
                        kind: t.key().into(),
                    },
                    Span::at(m.span.start),
                );
            }
            let (year, url) = (year?, url?);
            if t == EvidenceType::Diplome {
                Some(EvidenceKind::Diplome {
                    year,
                    institution: detail(r, &mut m, "etablissement"),
                    url,
                })
            } else {
                Some(EvidenceKind::Certification {
                    year,
                    organisation: detail(r, &mut m, "organisme"),
                    url,
                })
            }
        }
    };
    m.finish(r, EVIDENCE_KEYS);
    let kind = result?;
    if matches!(
        kind,
        EvidenceKind::Portfolio { .. }
            | EvidenceKind::Diplome { .. }
            | EvidenceKind::Certification { .. }
    ) && title.is_none()
    {
        return None;
    }
    Some(Evidence {
        title,
        kind,
        private,
        line: n.span.start.line,
    })
}

fn decode_verification(r: &mut Reader, n: &Node, ctx: &Context) -> Option<Verification> {
    let mut m = r.map(n, "verification")?;
    #[derive(Clone, Copy)]
    enum S {
        Pending,
        Verified,
        Refused,
    }
    let status = m.required(r, "statut").and_then(|sn| {
        r.choice(
            sn,
            "statut",
            &[
                ("a_verifier", S::Pending),
                ("verifiee", S::Verified),
                ("refusee", S::Refused),
            ],
        )
    });
    let by = m.get("par").and_then(|bn| r.text(bn, "par", 200));
    let on = m.get("le").and_then(|dn| {
        let d = r.date(dn, "le")?;
        not_future(r, d, "le", dn.span, ctx.today);
        Some(d)
    });
    let until_node = m.get("jusqu_au");
    let until = until_node.and_then(|un| r.date(un, "jusqu_au"));
    let note = m.get("note").and_then(|nn| r.text(nn, "note", 1000));
    if let Some(name) = &by
        && !ctx.config.mediators.is_empty()
        && !ctx
            .config
            .mediators
            .iter()
            .any(|md| crate::text::fold(&md.name) == crate::text::fold(name))
    {
        let known: Vec<String> = ctx
            .config
            .mediators
            .iter()
            .map(|md| md.name.clone())
            .collect();
        let span = m.get("par").map_or(Span::at(m.span.start), |n| n.span);
        r.report(
            Problem::UnknownMediator {
                suggestion: crate::text::suggest(name, known.iter().map(String::as_str)),
                name: name.clone(),
                known,
            },
            span,
        );
    }
    let status = match status? {
        S::Pending => VerificationStatus::Pending,
        S::Verified | S::Refused => {
            // Who decided and when: required for a verification and for a refusal alike.
            for (missing, present) in [("par", by.is_some()), ("le", on.is_some())] {
                if !present && m.get(missing).is_none() {
                    r.report(
                        Problem::VerificationIncomplete {
                            missing: missing.into(),
                        },
                        Span::at(m.span.start),
                    );
                }
            }
            let (by, on) = (by?, on?);
            if matches!(status?, S::Refused) {
                VerificationStatus::Refused { by, on }
            } else {
                let until = until.unwrap_or_else(|| {
                    on.add_months(ctx.config.charter.verification_validity_months)
                });
                if until < ctx.today {
                    let span = until_node.map_or(Span::at(m.span.start), |u| u.span);
                    r.report(
                        Problem::VerificationExpired {
                            until: until.to_string(),
                        },
                        span,
                    );
                }
                VerificationStatus::Verified { by, on, until }
            }
        }
    };
    m.finish(r, VERIFICATION_KEYS);
    Some(Verification { status, note })
}

fn decode_charter(r: &mut Reader, n: &Node, ctx: &Context) -> Option<CharterSignature> {
    let mut m = r.map(n, "charte")?;
    let version = m.required(r, "version").and_then(|vn| {
        let v = r.string(vn, "version")?;
        if v != ctx.config.charter.version {
            r.report(
                Problem::CharterOutdated {
                    version: v.clone(),
                    current: ctx.config.charter.version.clone(),
                },
                vn.span,
            );
        }
        Some(v)
    });
    let signed = match m.get("signee_le") {
        None => {
            r.report(Problem::CharterNotSigned, Span::at(m.span.start));
            None
        }
        Some(dn) => r
            .date(dn, "signee_le")
            .inspect(|&d| not_future(r, d, "signee_le", dn.span, ctx.today)),
    };
    m.finish(r, &["version", "signee_le"]);
    Some(CharterSignature {
        version: version?,
        signed_on: signed?,
    })
}
