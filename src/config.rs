//! `site.yaml`: site settings and the charter rules that checks enforce.

use std::collections::BTreeMap;

use crate::check::diagnostic::{Problem, Severity};
use crate::decode::Reader;
use crate::source::yaml::Node;

#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Without trailing slash.
    pub base_url: String,
    pub lang: String,
    pub theme: String,
    pub territory: Territory,
    pub publisher: String,
    pub charter: CharterRules,
    pub mediators: Vec<Mediator>,
    /// Per-rule severity overrides (`regles:`), `None` meaning the rule is off.
    pub rules: BTreeMap<String, Option<Severity>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Territory {
    pub name: String,
    pub code: String,
    /// The preposition before the name ("en Lozère", "dans le Gard").
    pub article: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CharterRules {
    pub version: String,
    pub min_evidence: usize,
    pub max_evidence_age_years: u32,
    pub max_skills: usize,
    pub max_summary: usize,
    pub verification_validity_months: u32,
    pub banned_words: Vec<String>,
}

impl Default for CharterRules {
    fn default() -> Self {
        CharterRules {
            version: "1".into(),
            min_evidence: 1,
            max_evidence_age_years: 5,
            max_skills: 8,
            max_summary: 280,
            verification_validity_months: 24,
            banned_words: [
                "n°1",
                "numéro 1",
                "le meilleur",
                "la meilleure",
                "leader",
                "incontournable",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mediator {
    pub name: String,
    /// Forge account names (pull-request authors) of this mediator.
    pub accounts: Vec<String>,
}

impl SiteConfig {
    pub fn is_mediator_account(&self, account: &str) -> bool {
        self.mediators
            .iter()
            .any(|m| m.accounts.iter().any(|a| a.eq_ignore_ascii_case(account)))
    }

    pub fn decode(r: &mut Reader, root: &Node) -> Option<SiteConfig> {
        let mut m = r.map(root, "site.yaml")?;
        let title = m.required(r, "titre").and_then(|n| r.text(n, "titre", 200));
        let description = m
            .get("description")
            .and_then(|n| r.text(n, "description", 500))
            .unwrap_or_default();
        let base_url = m.required(r, "url_base").and_then(|n| {
            let s = r.string(n, "url_base")?;
            if !(s.starts_with("https://") || s.starts_with("http://")) {
                r.report(
                    Problem::InvalidUrl {
                        key: "url_base".into(),
                        value: s,
                    },
                    n.span,
                );
                return None;
            }
            Some(s.trim_end_matches('/').to_string())
        });
        let lang = m
            .get("langue")
            .and_then(|n| r.string(n, "langue"))
            .unwrap_or_else(|| "fr".into());
        let theme = m
            .get("theme")
            .and_then(|n| r.string(n, "theme"))
            .unwrap_or_else(|| "default".into());
        let publisher = m
            .get("editeur")
            .and_then(|n| r.text(n, "editeur", 200))
            .unwrap_or_default();
        let territory = m.required(r, "territoire").and_then(|n| {
            let mut t = r.map(n, "territoire")?;
            let name = t.required(r, "nom").and_then(|n| r.text(n, "nom", 120));
            let code = t
                .get("code")
                .and_then(|n| r.string(n, "code"))
                .unwrap_or_default();
            let article = t
                .get("article")
                .and_then(|n| r.string(n, "article"))
                .unwrap_or_else(|| "en".into());
            t.finish(r, &["nom", "code", "article"]);
            Some(Territory {
                name: name?,
                code,
                article,
            })
        });
        let mut charter = CharterRules::default();
        if let Some(mut c) = m.get("charte").and_then(|n| r.map(n, "charte")) {
            if let Some(v) = c
                .required(r, "version")
                .and_then(|n| r.string(n, "version"))
            {
                charter.version = v;
            }
            let mut num = |key: &str, target: &mut u32| {
                if let Some(v) = c.get(key).and_then(|n| r.uint(n, key)) {
                    *target = v;
                }
            };
            let mut min_evidence = charter.min_evidence as u32;
            let mut max_skills = charter.max_skills as u32;
            let mut max_summary = charter.max_summary as u32;
            num("justificatifs_min", &mut min_evidence);
            num("anciennete_max_ans", &mut charter.max_evidence_age_years);
            num("competences_max", &mut max_skills);
            num("resume_max", &mut max_summary);
            num(
                "validite_verification_mois",
                &mut charter.verification_validity_months,
            );
            charter.min_evidence = min_evidence as usize;
            charter.max_skills = max_skills as usize;
            charter.max_summary = max_summary as usize;
            if let Some(words) = c
                .get("mots_interdits")
                .and_then(|n| r.string_list(n, "mots_interdits"))
            {
                charter.banned_words = words.into_iter().map(|w| w.0).collect();
            }
            c.finish(
                r,
                &[
                    "version",
                    "justificatifs_min",
                    "anciennete_max_ans",
                    "competences_max",
                    "resume_max",
                    "validite_verification_mois",
                    "mots_interdits",
                ],
            );
        }
        let mut mediators = Vec::new();
        for item in m
            .get("mediateurs")
            .and_then(|n| r.list(n, "mediateurs"))
            .unwrap_or_default()
        {
            let Some(mut md) = r.map(item, "mediateurs") else {
                continue;
            };
            let name = md.required(r, "nom").and_then(|n| r.text(n, "nom", 200));
            let accounts = md
                .get("comptes")
                .and_then(|n| r.string_list(n, "comptes"))
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.0)
                .collect();
            md.finish(r, &["nom", "comptes"]);
            if let Some(name) = name {
                mediators.push(Mediator { name, accounts });
            }
        }
        let mut rules = BTreeMap::new();
        if let Some(Node {
            kind: crate::source::yaml::Kind::Map(entries),
            ..
        }) = m.get("regles")
        {
            for e in entries {
                let level = r.choice(
                    &e.value,
                    &e.key,
                    &[
                        ("erreur", Some(Severity::Error)),
                        ("avertissement", Some(Severity::Warning)),
                        ("desactivee", None),
                    ],
                );
                if let Some(level) = level {
                    rules.insert(e.key.clone(), level);
                }
            }
        }
        m.finish(
            r,
            &[
                "titre",
                "description",
                "url_base",
                "langue",
                "theme",
                "territoire",
                "editeur",
                "charte",
                "mediateurs",
                "regles",
            ],
        );
        Some(SiteConfig {
            title: title?,
            description,
            base_url: base_url?,
            lang,
            theme,
            territory: territory?,
            publisher,
            charter,
            mediators,
            rules,
        })
    }
}
