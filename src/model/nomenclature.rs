//! The shared skill nomenclature: families of skills with stable ids.

use std::collections::HashMap;

use crate::decode::Reader;
use crate::model::EvidenceType;
use crate::source::yaml::Node;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub id: String,
    pub label: String,
    pub description: String,
    pub skills: Vec<Skill>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    /// `famille/competence`.
    pub id: String,
    pub family: String,
    pub label: String,
    pub description: String,
    pub accepted: Vec<EvidenceType>,
    pub rome: Vec<String>,
    pub ecf: Vec<String>,
}

impl Skill {
    /// The part after the slash, used in URLs under the family.
    pub fn short_id(&self) -> &str {
        self.id.rsplit('/').next().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Nomenclature {
    pub families: Vec<Family>,
    index: HashMap<String, (usize, usize)>,
}

impl Nomenclature {
    pub fn new(families: Vec<Family>) -> Self {
        let mut index = HashMap::new();
        for (fi, f) in families.iter().enumerate() {
            for (si, s) in f.skills.iter().enumerate() {
                index.insert(s.id.clone(), (fi, si));
            }
        }
        Nomenclature { families, index }
    }

    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.index
            .get(id)
            .map(|&(f, s)| &self.families[f].skills[s])
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    pub fn skill_ids(&self) -> impl Iterator<Item = &str> {
        self.families
            .iter()
            .flat_map(|f| f.skills.iter().map(|s| s.id.as_str()))
    }

    pub fn skill_count(&self) -> usize {
        self.index.len()
    }

    /// Reads `nomenclature.yaml`; problems go to the reader (they fail the build).
    pub fn decode(r: &mut Reader, root: &Node) -> Nomenclature {
        let mut families = Vec::new();
        let Some(mut top) = r.map(root, "nomenclature") else {
            return Nomenclature::default();
        };
        let list = top
            .required(r, "familles")
            .and_then(|n| r.list(n, "familles"))
            .unwrap_or_default();
        top.finish(r, &["familles"]);
        let mut seen = HashMap::new();
        for fnode in list {
            let Some(mut f) = r.map(fnode, "familles") else {
                continue;
            };
            let id = f.required(r, "id").and_then(|n| slug_id(r, n));
            let label = f
                .required(r, "libelle")
                .and_then(|n| r.text(n, "libelle", 120));
            let description = f
                .get("description")
                .and_then(|n| r.text(n, "description", 600))
                .unwrap_or_default();
            let skills_nodes = f
                .required(r, "competences")
                .and_then(|n| r.list(n, "competences"))
                .unwrap_or_default();
            f.finish(r, &["id", "libelle", "description", "competences"]);
            let (Some(id), Some(label)) = (id, label) else {
                continue;
            };
            let mut skills = Vec::new();
            for snode in skills_nodes {
                if let Some(skill) = decode_skill(r, snode, &id) {
                    if seen.insert(skill.id.clone(), ()).is_some() {
                        r.report(
                            crate::check::diagnostic::Problem::Config {
                                detail: format!("compétence « {} » en double", skill.id),
                            },
                            snode.span,
                        );
                        continue;
                    }
                    skills.push(skill);
                }
            }
            families.push(Family {
                id,
                label,
                description,
                skills,
            });
        }
        Nomenclature::new(families)
    }
}

fn slug_id(r: &mut Reader, n: &Node) -> Option<String> {
    let s = r.string(n, "id")?;
    if !text::is_slug(&s) {
        r.report(
            crate::check::diagnostic::Problem::InvalidSlug {
                suggestion: text::slugify(&s),
                slug: s,
            },
            n.span,
        );
        return None;
    }
    Some(s)
}

fn decode_skill(r: &mut Reader, node: &Node, family: &str) -> Option<Skill> {
    let mut s = r.map(node, "competences")?;
    let id = s.required(r, "id").and_then(|n| slug_id(r, n));
    let label = s
        .required(r, "libelle")
        .and_then(|n| r.text(n, "libelle", 120));
    let description = s
        .get("description")
        .and_then(|n| r.text(n, "description", 600))
        .unwrap_or_default();
    let mut accepted = Vec::new();
    if let Some(n) = s.required(r, "justificatifs") {
        for item in r.list(n, "justificatifs").unwrap_or_default() {
            if let Some(t) = r.choice(item, "justificatifs", &EvidenceType::ALL) {
                accepted.push(t);
            }
        }
    }
    let (mut rome, mut ecf) = (Vec::new(), Vec::new());
    if let Some(mut codes) = s.get("codes").and_then(|n| r.map(n, "codes")) {
        rome = codes
            .get("rome")
            .and_then(|n| r.string_list(n, "rome"))
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.0)
            .collect();
        ecf = codes
            .get("ecf")
            .and_then(|n| r.string_list(n, "ecf"))
            .unwrap_or_default()
            .into_iter()
            .map(|x| x.0)
            .collect();
        codes.finish(r, &["rome", "ecf"]);
    }
    s.finish(
        r,
        &["id", "libelle", "description", "justificatifs", "codes"],
    );
    Some(Skill {
        id: format!("{family}/{}", id?),
        family: family.to_string(),
        label: label?,
        description,
        accepted,
        rome,
        ecf,
    })
}
