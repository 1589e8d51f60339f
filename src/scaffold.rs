//! `annuaire new "Nom"`: a commented entry that passes every rule except the fields still to
//! fill, which `annuaire check` then names one by one.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::model::Date;

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("« {0} » ne donne aucun identifiant de fichier : utilisez des lettres ou des chiffres")]
    EmptySlug(String),
    #[error("{0} existe déjà : modifiez cette fiche plutôt que d'en créer une autre")]
    Exists(PathBuf),
    #[error("écriture de {path} impossible : {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `content/prestataires/<slug>.md` and returns its path.
pub fn new_entry(
    root: &Path,
    name: &str,
    config: &SiteConfig,
    today: Date,
) -> Result<PathBuf, ScaffoldError> {
    let slug = crate::text::slugify(name);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(name.to_string()));
    }
    let dir = root.join("content").join("prestataires");
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    std::fs::create_dir_all(&dir).map_err(|source| ScaffoldError::Io {
        path: dir.clone(),
        source,
    })?;
    let text = template(name, &config.charter.version, today);
    // create_new: never overwrite, even if the file appeared since the check above.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| ScaffoldError::Io {
            path: path.clone(),
            source,
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|source| ScaffoldError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The entry text. The name is written as a double-quoted YAML string so any name is valid YAML.
pub fn template(name: &str, charter_version: &str, today: Date) -> String {
    let quoted = serde_json::to_string(name).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"---
# yaml-language-server: $schema=../../schema/prestataire.schema.json
# Fiche créée par « annuaire new ». Complétez les champs vides, puis lancez
# « annuaire check » : il nomme chaque champ encore à remplir. Guide : CONTRIBUTING.md
nom: {quoted}
# Forme juridique : independant, entreprise, association ou collectivite
forme:
# SIRET, 14 chiffres (obligatoire pour independant et entreprise)
siret:
# Code INSEE de votre commune (liste sur la page Communes du site), ou son nom
commune:
# Zone d'intervention (facultatif) : departement, ou une liste de codes INSEE.
# Sans zone, vous intervenez dans votre commune.
# zone: departement
# Ce que vous proposez, en une phrase de 280 caractères au plus, sans superlatif
resume:
contact:
  site:
  courriel:
  telephone:
  # Champs montrés au public (site, courriel, telephone, adresse, reseaux) ;
  # les autres ne sont vus que des médiateurs.
  publics: []
# Vos compétences, identifiants famille/competence de la page Compétences.
# Chaque compétence demande au moins un justificatif :
#   portfolio (titre + url https), reference (client), diplome ou certification (titre + annee).
# N'écrivez jamais de bloc « verification » : seuls les médiateurs le font.
competences:
  - id:
    justificatifs:
      - type:
        titre:
        url:
# Lisez la charte (page Charte du site), puis indiquez la date de signature (AAAA-MM-JJ).
charte:
  version: "{charter_version}"
  signee_le:
langues: [fr]
mis_a_jour: {today}
---
Présentez ici votre activité, en quelques paragraphes (Markdown).
"#
    )
}
