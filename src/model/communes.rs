//! The territory's communes, keyed by INSEE code, with their former communes as aliases.

use std::collections::HashMap;

use crate::decode::Reader;
use crate::source::yaml::{Kind, Node};
use crate::text;

#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    pub code: String,
    pub name: String,
    /// URL segment, unique in the territory.
    pub slug: String,
    pub postal_codes: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    /// Former communes (communes déléguées), as (INSEE code, name).
    pub former: Vec<(String, String)>,
    /// Code of its group (the intercommunality), for maps and the skills matrix.
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Communes {
    /// Sorted by INSEE code.
    pub list: Vec<Commune>,
    /// Groups of communes (intercommunalities): (code, name), sorted by name.
    pub groups: Vec<(String, String)>,
    by_code: HashMap<String, usize>,
    /// Folded current and former names → communes bearing them.
    by_name: HashMap<String, Vec<usize>>,
}

/// How a value written by a contributor resolved to a commune.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    Found(&'a Commune),
    Ambiguous(Vec<String>),
    NotFound { suggestion: Option<String> },
}

impl Communes {
    pub fn new(mut list: Vec<Commune>, mut groups: Vec<(String, String)>) -> Self {
        list.sort_by(|a, b| a.code.cmp(&b.code));
        groups.sort_by_cached_key(|g| (text::fold(&g.1), g.0.clone()));
        let mut slugs: HashMap<String, usize> = HashMap::new();
        for c in &list {
            *slugs.entry(text::slugify(&c.name)).or_default() += 1;
        }
        for c in &mut list {
            let base = text::slugify(&c.name);
            c.slug = if slugs[&base] > 1 {
                format!("{base}-{}", c.code)
            } else {
                base
            };
        }
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            by_code.insert(c.code.clone(), i);
            by_name.entry(text::fold(&c.name)).or_default().push(i);
            for (code, name) in &c.former {
                by_code.entry(code.clone()).or_insert(i);
                let v = by_name.entry(text::fold(name)).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
        }
        Communes {
            list,
            groups,
            by_code,
            by_name,
        }
    }

    pub fn get(&self, code: &str) -> Option<&Commune> {
        self.by_code.get(code).map(|&i| &self.list[i])
    }

    /// Resolves an INSEE code (current or former) or a unique name (current or former).
    pub fn lookup(&self, value: &str) -> Lookup<'_> {
        let value = value.trim();
        if let Some(c) = self.get(value) {
            return Lookup::Found(c);
        }
        match self.by_name.get(&text::fold(value)).map(Vec::as_slice) {
            Some([i]) => Lookup::Found(&self.list[*i]),
            Some(many) => {
                Lookup::Ambiguous(many.iter().map(|&i| self.list[i].code.clone()).collect())
            }
            None => {
                let names = self.list.iter().map(|c| c.name.as_str());
                Lookup::NotFound {
                    suggestion: text::suggest(value, names),
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn decode(r: &mut Reader, root: &Node) -> Communes {
        let Some(mut top) = r.map(root, "communes") else {
            return Communes::default();
        };
        let map = top.required(r, "communes");
        let mut groups = Vec::new();
        if let Some(Node {
            kind: Kind::Map(entries),
            ..
        }) = top.get("groupes")
        {
            for e in entries {
                if let Some(name) = r.text(&e.value, &e.key, 200) {
                    groups.push((e.key.clone(), name));
                }
            }
        }
        top.finish(r, &["communes", "groupes"]);
        let mut list = Vec::new();
        let Some(Node {
            kind: Kind::Map(entries),
            ..
        }) = map
        else {
            if let Some(m) = map {
                r.map(m, "communes");
            }
            return Communes::default();
        };
        for e in entries {
            let Some(mut c) = r.map(&e.value, &e.key) else {
                continue;
            };
            let name = c.required(r, "nom").and_then(|n| r.text(n, "nom", 120));
            let postal_codes = c
                .required(r, "codes_postaux")
                .and_then(|n| r.string_list(n, "codes_postaux"))
                .unwrap_or_default()
                .into_iter()
                .map(|x| x.0)
                .collect();
            let mut lat = 0.0;
            let mut lon = 0.0;
            if let Some(mut centre) = c.required(r, "centre").and_then(|n| r.map(n, "centre")) {
                lat = centre
                    .required(r, "lat")
                    .and_then(|n| float(r, n, "lat"))
                    .unwrap_or(0.0);
                lon = centre
                    .required(r, "lon")
                    .and_then(|n| float(r, n, "lon"))
                    .unwrap_or(0.0);
                centre.finish(r, &["lat", "lon"]);
            }
            let mut former = Vec::new();
            for item in c
                .get("anciennes")
                .and_then(|n| r.list(n, "anciennes"))
                .unwrap_or_default()
            {
                if let Some(mut f) = r.map(item, "anciennes") {
                    let code = f.required(r, "insee").and_then(|n| r.string(n, "insee"));
                    let name = f.required(r, "nom").and_then(|n| r.text(n, "nom", 120));
                    f.finish(r, &["insee", "nom"]);
                    if let (Some(code), Some(name)) = (code, name) {
                        former.push((code, name));
                    }
                }
            }
            let group = c.get("groupe").and_then(|n| r.string(n, "groupe"));
            if let Some(g) = &group
                && !groups.iter().any(|(code, _)| code == g)
            {
                r.report(
                    crate::check::diagnostic::Problem::Config {
                        detail: format!("groupe « {g} » absent de « groupes »"),
                    },
                    c.span,
                );
            }
            c.finish(
                r,
                &["nom", "codes_postaux", "centre", "anciennes", "groupe"],
            );
            if let Some(name) = name {
                list.push(Commune {
                    code: e.key.clone(),
                    name,
                    slug: String::new(),
                    postal_codes,
                    lat,
                    lon,
                    former,
                    group,
                });
            }
        }
        Communes::new(list, groups)
    }
}

fn float(r: &mut Reader, n: &Node, key: &str) -> Option<f64> {
    let s = r.string(n, key)?;
    let v = s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    if v.is_none() {
        r.report(
            crate::check::diagnostic::Problem::InvalidNumber {
                key: key.to_string(),
                value: s,
            },
            n.span,
        );
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Communes {
        let c = |code: &str, name: &str, former: &[(&str, &str)]| Commune {
            code: code.into(),
            name: name.into(),
            slug: String::new(),
            postal_codes: vec![],
            lat: 0.0,
            lon: 0.0,
            group: None,
            former: former
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        Communes::new(
            vec![
                c("48095", "Mende", &[]),
                c(
                    "48146",
                    "Gorges du Tarn Causses",
                    &[("48146", "Sainte-Enimie"), ("48100", "Montbrun")],
                ),
            ],
            vec![],
        )
    }

    #[test]
    fn lookups_by_code_name_and_former_name() {
        let cs = sample();
        assert!(matches!(cs.lookup("48095"), Lookup::Found(c) if c.name == "Mende"));
        assert!(matches!(cs.lookup("mende"), Lookup::Found(c) if c.code == "48095"));
        assert!(matches!(cs.lookup("Sainte-Énimie"), Lookup::Found(c) if c.code == "48146"));
        assert!(matches!(cs.lookup("48100"), Lookup::Found(c) if c.code == "48146"));
        assert_eq!(
            cs.lookup("Mendes"),
            Lookup::NotFound {
                suggestion: Some("Mende".into())
            }
        );
    }

    #[test]
    fn slugs_are_unique() {
        let cs = sample();
        assert_eq!(cs.get("48146").unwrap().slug, "gorges-du-tarn-causses");
    }
}
