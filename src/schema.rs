//! `annuaire schema`: a JSON Schema of the entry front matter, so editors with the YAML language
//! server validate entries while people type. Skill ids and communes come from the site itself,
//! so completion offers the real nomenclature.

use serde_json::{Value, json};

use crate::config::SiteConfig;
use crate::model::{ContactField, EvidenceType, Forme, Nomenclature};

pub fn entry_schema(config: &SiteConfig, nomenclature: &Nomenclature) -> Value {
    let skill_ids: Vec<&str> = nomenclature.skill_ids().collect();
    let evidence_types: Vec<&str> = EvidenceType::ALL.iter().map(|x| x.0).collect();
    let formes: Vec<&str> = Forme::ALL.iter().map(|x| x.0).collect();
    let contact_fields: Vec<&str> = ContactField::ALL.iter().map(|x| x.0).collect();
    let date = json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "Date AAAA-MM-JJ" });
    let url = json!({ "type": "string", "pattern": "^https?://", "format": "uri" });
    let year = json!({ "type": "integer", "minimum": 1900, "maximum": 9999 });
    let claim = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "justificatifs"],
        "properties": {
            "id": { "enum": skill_ids, "description": "Identifiant famille/competence de la nomenclature" },
            "justificatifs": {
                "type": "array",
                "minItems": config.charter.min_evidence,
                "maxItems": crate::check::entry::MAX_EVIDENCE,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["type"],
                    "properties": {
                        "type": { "enum": evidence_types },
                        "titre": { "type": "string" },
                        "url": url.clone(),
                        "client": { "type": "string" },
                        "annee": year,
                        "etablissement": { "type": "string" },
                        "organisme": { "type": "string" },
                        "prive": { "type": "boolean", "description": "Vu des seuls médiateurs" }
                    }
                }
            },
            "verification": {
                "type": "object",
                "description": "Écrit par un médiateur, jamais par le prestataire",
                "additionalProperties": false,
                "required": ["statut"],
                "properties": {
                    "statut": { "enum": ["a_verifier", "verifiee", "refusee"] },
                    "par": { "type": "string" },
                    "le": date.clone(),
                    "jusqu_au": date.clone(),
                    "note": { "type": "string" }
                }
            }
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{}/schema/prestataire.schema.json", config.base_url),
        "title": format!("Fiche prestataire — {}", config.title),
        "description": "En-tête YAML d'une fiche content/prestataires/<slug>.md. Voir CONTRIBUTING.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["nom", "forme", "commune", "resume", "competences", "charte"],
        "properties": {
            "nom": { "type": "string", "minLength": 1, "maxLength": crate::check::entry::MAX_NAME, "description": "Nom de la structure" },
            "forme": { "enum": formes, "description": "Forme juridique" },
            "siret": { "type": "string", "pattern": "^[0-9 ]{14,17}$", "description": "14 chiffres ; obligatoire pour independant et entreprise" },
            "commune": { "type": "string", "description": "Code INSEE (ou nom unique) de la commune" },
            "zone": {
                "description": "departement, ou une liste de codes INSEE ; par défaut la commune",
                "oneOf": [ { "const": "departement" }, { "type": "array", "items": { "type": "string" } } ]
            },
            "resume": { "type": "string", "maxLength": config.charter.max_summary, "description": "Une phrase, sans superlatif" },
            "contact": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "site": url.clone(),
                    "courriel": { "type": "string", "format": "email" },
                    "telephone": { "type": "string" },
                    "adresse": { "type": "string" },
                    "reseaux": { "type": "array", "items": url.clone() },
                    "publics": { "type": "array", "items": { "enum": contact_fields }, "uniqueItems": true,
                                 "description": "Champs visibles du public ; les autres ne sont vus que des médiateurs" }
                }
            },
            "competences": {
                "type": "array",
                "minItems": 1,
                "maxItems": config.charter.max_skills,
                "items": claim
            },
            "charte": {
                "type": "object",
                "additionalProperties": false,
                "required": ["version", "signee_le"],
                "properties": {
                    "version": { "type": "string", "description": format!("Version en vigueur : {}", config.charter.version) },
                    "signee_le": date.clone()
                }
            },
            "langues": { "type": "array", "items": { "type": "string", "pattern": "^[a-z]{2,3}$" } },
            "mis_a_jour": date
        }
    })
}
