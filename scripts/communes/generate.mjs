#!/usr/bin/env node
// Generates the Lozère (48) communes reference data for the annuaire site:
//
//   content/communes.yaml       current communes: name, postal codes, centre, former communes
//   content/communes.geojson    one MultiPolygon Feature per current commune (compact)
//   content/departement.geojson département outline (compact copy)
//
// Inputs (no network access needed once `npm ci` has run):
//   - npm package @etalab/decoupage-administratif (exact version pinned in package.json),
//     data/communes.json: current communes ("commune-actuelle") and former communes
//     ("commune-deleguee", "commune-associee", whose `chefLieu` is the current commune).
//   - data/communes-48-lozere-2018.geojson and data/departement-48-lozere-2018.geojson
//     (vendored next to this script): 2018 simplified boundaries, IGN Admin Express COG 2018
//     via the france-geojson project. See data/README.md.
//
// Each 2018 commune is mapped to the current commune it belongs to; the polygons of all
// 2018 pieces of a current commune are concatenated into one MultiPolygon (no union).
//
// Usage (from the repository root):
//   npm ci --prefix scripts/communes && node scripts/communes/generate.mjs
//
// Plain Node >= 20, no dependency other than the data package. Output is deterministic.
// Any inconsistency (unmapped 2018 code, count mismatch, wrong package version, ...) aborts
// with exit code 1 and nothing is written.

import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEP = '48';
const PKG = '@etalab/decoupage-administratif';
const REGEN_CMD = 'npm ci --prefix scripts/communes && node scripts/communes/generate.mjs';

// Sanity expectations for the pinned package version and the vendored 2018 file.
// If you deliberately bump the package and the territory changed (new mergers), update them.
const EXPECTED = {
  communes2018: 158, // features in data/communes-48-lozere-2018.geojson
  communes: 152, // current communes of Lozère (since the 1 January 2019 mergers)
  codesPostaux: 29, // distinct postal codes over the current communes
};

const scriptDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(scriptDir, '..', '..');
const contentDir = join(repoRoot, 'content');
const pkgDir = join(scriptDir, 'node_modules', ...PKG.split('/'));

function fail(msg) {
  console.error(`generate.mjs: ERROR: ${msg}`);
  process.exit(1);
}

function readJson(path, hint) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read ${relative(repoRoot, path)} (${e.code || e.message})${hint ? `\n  ${hint}` : ''}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`invalid JSON in ${relative(repoRoot, path)}: ${e.message}`);
  }
}

// ---------------------------------------------------------------- inputs

const npmHint = `run: npm ci --prefix scripts/communes`;
const ownPkg = readJson(join(scriptDir, 'package.json'));
const pinned = ownPkg.dependencies?.[PKG];
if (!pinned || !/^\d+\.\d+\.\d+$/.test(pinned)) {
  fail(`scripts/communes/package.json must pin an exact version of ${PKG} (found ${JSON.stringify(pinned)})`);
}
const depPkg = readJson(join(pkgDir, 'package.json'), npmHint);
const version = depPkg.version;
if (version !== pinned) {
  fail(`installed ${PKG}@${version} but package.json pins ${pinned}; ${npmHint}`);
}
const allCommunes = readJson(join(pkgDir, 'data', 'communes.json'), npmHint);
if (!Array.isArray(allCommunes)) fail(`${PKG}/data/communes.json is not an array`);

const geo2018 = readJson(join(scriptDir, 'data', 'communes-48-lozere-2018.geojson'));
const depGeo = readJson(join(scriptDir, 'data', 'departement-48-lozere-2018.geojson'));

// ---------------------------------------------------------------- package data

const inDep = allCommunes.filter((c) => c.departement === DEP);
const current = new Map(); // code -> commune-actuelle
const former = []; // commune-deleguee / commune-associee
for (const c of inDep) {
  if (c.type === 'commune-actuelle') {
    if (current.has(c.code)) fail(`duplicate commune-actuelle ${c.code} in ${PKG}`);
    current.set(c.code, c);
  } else if (c.type === 'commune-deleguee' || c.type === 'commune-associee') {
    former.push(c);
  } else {
    fail(`unexpected type ${JSON.stringify(c.type)} for ${c.code} ${c.nom} in ${PKG}`);
  }
}
if (current.size !== EXPECTED.communes) {
  fail(`${PKG}@${version} lists ${current.size} current communes in ${DEP}, expected ${EXPECTED.communes}`);
}
for (const c of current.values()) {
  if (!/^48\d{3}$/.test(c.code)) fail(`unexpected INSEE code ${c.code}`);
  if (!Array.isArray(c.codesPostaux) || c.codesPostaux.length === 0) {
    fail(`current commune ${c.code} ${c.nom} has no postal code in ${PKG}`);
  }
}
const formerByCode = new Map(); // code -> [former entries] (a code can appear once per type)
for (const f of former) {
  if (!current.has(f.chefLieu)) {
    fail(`${f.type} ${f.code} ${f.nom}: chefLieu ${f.chefLieu} is not a current commune of ${DEP}`);
  }
  if (!formerByCode.has(f.code)) formerByCode.set(f.code, []);
  formerByCode.get(f.code).push(f);
}

// 2018 code -> current code. A code present as déléguée/associée maps to its chefLieu;
// otherwise it must still be a current commune.
function mapCode(code) {
  const entries = formerByCode.get(code) || [];
  const targets = new Set(entries.map((f) => f.chefLieu));
  if (targets.size > 1) fail(`2018 code ${code} has several chefLieu: ${[...targets].join(', ')}`);
  if (targets.size === 1) {
    const target = [...targets][0];
    if (current.has(code) && target !== code) {
      fail(`2018 code ${code} is both a current commune and part of ${target}`);
    }
    return target;
  }
  if (current.has(code)) return code;
  return null;
}

// ---------------------------------------------------------------- 2018 geometry

if (geo2018.type !== 'FeatureCollection' || !Array.isArray(geo2018.features)) {
  fail('communes-48-lozere-2018.geojson is not a FeatureCollection');
}
if (geo2018.features.length !== EXPECTED.communes2018) {
  fail(`communes-48-lozere-2018.geojson has ${geo2018.features.length} features, expected ${EXPECTED.communes2018}`);
}

const pieces = new Map(); // current code -> [{ code2018, polygons }]
const seen2018 = new Set();
const unmapped = [];
for (const f of geo2018.features) {
  const code = String(f.properties?.code ?? '');
  if (!/^48\d{3}$/.test(code)) fail(`2018 feature with invalid code ${JSON.stringify(code)}`);
  if (seen2018.has(code)) fail(`duplicate 2018 code ${code}`);
  seen2018.add(code);
  const g = f.geometry;
  let polygons;
  if (g?.type === 'Polygon') polygons = [g.coordinates];
  else if (g?.type === 'MultiPolygon') polygons = g.coordinates;
  else fail(`2018 feature ${code} has unsupported geometry ${g?.type}`);
  const target = mapCode(code);
  if (!target) {
    unmapped.push(`${code} ${f.properties?.nom}`);
    continue;
  }
  if (!pieces.has(target)) pieces.set(target, []);
  pieces.get(target).push({ code2018: code, polygons });
}
if (unmapped.length) {
  fail(`${unmapped.length} 2018 commune(s) cannot be mapped to a current commune: ${unmapped.join('; ')}`);
}
const noGeometry = [...current.keys()].filter((c) => !pieces.has(c));
if (noGeometry.length) {
  fail(`current commune(s) without any 2018 polygon: ${noGeometry.map((c) => `${c} ${current.get(c).nom}`).join('; ')}`);
}
if (pieces.size !== current.size) fail(`mapped ${pieces.size} communes, package lists ${current.size}`);

// Area-weighted centroid (planar, in lon/lat degrees; fine at commune scale) over all rings:
// outer rings count positively, holes negatively, whatever their winding order.
function ringMoments(ring) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % n];
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  // signed area = a/2 ; centroid * area = (cx/6, cy/6)
  return { a: a / 2, mx: cx / 6, my: cy / 6 };
}
function centroid(polygons) {
  let A = 0, MX = 0, MY = 0;
  for (const poly of polygons) {
    poly.forEach((ring, i) => {
      const m = ringMoments(ring);
      const sign = Math.sign(m.a) * (i === 0 ? 1 : -1); // normalise: outer +, holes -
      A += sign * m.a;
      MX += sign * m.mx;
      MY += sign * m.my;
    });
  }
  if (!(A > 0)) return null;
  return { lon: MX / A, lat: MY / A };
}

const round = (v, d) => {
  const r = Number(v.toFixed(d));
  return Object.is(r, -0) ? 0 : r;
};
const roundCoords = (polygons) => polygons.map((poly) => poly.map((ring) => ring.map(([x, y]) => [round(x, 5), round(y, 5)])));

// ---------------------------------------------------------------- groups (EPCI)

// Intercommunalities (EPCI à fiscalité propre) group communes for the mediators' skills map.
const epciData = readJson(join(pkgDir, 'data', 'epci.json'), npmHint);
const groupOf = new Map();
const groups = new Map();
for (const e of epciData) {
  for (const m of e.membres) {
    if (current.has(m.code)) {
      if (groupOf.has(m.code)) fail(`commune ${m.code} belongs to two EPCI`);
      groupOf.set(m.code, e.code);
      groups.set(e.code, e.nom);
    }
  }
}

// ---------------------------------------------------------------- build records

const codes = [...current.keys()].sort();
const records = [];
let formerCount = 0;
for (const code of codes) {
  const c = current.get(code);
  const polygons = pieces.get(code).sort((a, b) => a.code2018.localeCompare(b.code2018)).flatMap((p) => p.polygons);
  const ctr = centroid(polygons);
  if (!ctr) fail(`degenerate geometry for ${code} ${c.nom}`);
  if (ctr.lat < 44 || ctr.lat > 45.2 || ctr.lon < 2.9 || ctr.lon > 4.1) {
    fail(`centre of ${code} ${c.nom} (${ctr.lat}, ${ctr.lon}) is outside Lozère's bounding box`);
  }
  const anciennes = former
    .filter((f) => f.chefLieu === code)
    // the commune's own entry is not a "former" commune, unless it carried another name
    .filter((f) => !(f.code === code && f.nom === c.nom))
    .sort((a, b) => a.code.localeCompare(b.code) || a.nom.localeCompare(b.nom, 'fr'))
    .map((f) => ({ insee: f.code, nom: f.nom }));
  formerCount += anciennes.length;
  records.push({
    code,
    nom: c.nom,
    codesPostaux: [...new Set(c.codesPostaux)].sort(),
    centre: ctr,
    anciennes,
    groupe: groupOf.get(code) ?? fail(`commune ${code} ${c.nom} has no EPCI`),
    polygons: roundCoords(polygons),
  });
}

const distinctCp = new Set(records.flatMap((r) => r.codesPostaux));
if (records.length !== EXPECTED.communes) fail(`built ${records.length} communes, expected ${EXPECTED.communes}`);
if (distinctCp.size !== EXPECTED.codesPostaux) {
  fail(`${distinctCp.size} distinct postal codes, expected ${EXPECTED.codesPostaux}`);
}
for (const cp of distinctCp) if (!/^48\d{3}$/.test(cp)) fail(`unexpected postal code ${cp}`);

// ---------------------------------------------------------------- YAML

// Double-quoted YAML scalar (JSON string escaping is valid YAML double-quoted syntax).
const q = (s) => JSON.stringify(String(s));

const yaml = [];
yaml.push(
  '# Communes de la Lozère (48) — fichier GÉNÉRÉ, ne pas modifier à la main.',
  `# Régénérer depuis la racine du dépôt : ${REGEN_CMD}`,
  '#',
  '# Sources :',
  `# - Liste des communes actuelles, codes postaux, communes déléguées/associées :`,
  `#   paquet npm ${PKG}@${version} (Etalab ; données INSEE COG et La Poste),`,
  '#   Licence Ouverte 2.0 / Etalab (https://www.etalab.gouv.fr/licence-ouverte-open-licence).',
  '# - Centres (centroïde pondéré par la surface des contours 2018 fusionnés) :',
  '#   IGN Admin Express COG 2018, Licence Ouverte / Open Licence, simplifié par le projet',
  '#   france-geojson (https://github.com/gregoiredavid/france-geojson).',
  '#   Crédit à afficher : « Contours : IGN Admin Express, Licence Ouverte ».',
  '#',
  `# ${records.length} communes, ${distinctCp.size} codes postaux distincts, ${formerCount} anciennes communes`,
  '# (déléguées ou associées). Clé = code INSEE actuel ; anciennes = communes déléguées/associées',
  '# rattachées (y compris l\'ancien nom du chef-lieu quand il diffère du nom actuel).',
  'communes:',
);
for (const r of records) {
  yaml.push(
    `  ${q(r.code)}:`,
    `    nom: ${q(r.nom)}`,
    `    codes_postaux: [${r.codesPostaux.map(q).join(', ')}]`,
    `    centre: { lat: ${r.centre.lat.toFixed(4)}, lon: ${r.centre.lon.toFixed(4)} }`,
    `    groupe: ${q(r.groupe)}`,
  );
  if (r.anciennes.length === 0) {
    yaml.push('    anciennes: []');
  } else {
    yaml.push('    anciennes:');
    for (const a of r.anciennes) yaml.push(`      - { insee: ${q(a.insee)}, nom: ${q(a.nom)} }`);
  }
}
yaml.push(
  '# Groupes de communes : intercommunalités (EPCI à fiscalité propre), même source.',
  'groupes:',
);
for (const [code, nom] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
  yaml.push(`  ${q(code)}: ${q(nom)}`);
}
const yamlText = yaml.join('\n') + '\n';

// ---------------------------------------------------------------- GeoJSON

const communesGeo = {
  type: 'FeatureCollection',
  features: records.map((r) => ({
    type: 'Feature',
    properties: { code: r.code, nom: r.nom },
    geometry: { type: 'MultiPolygon', coordinates: r.polygons },
  })),
};

// Département outline: same object (Feature or FeatureCollection), coordinates rounded, compact.
function roundGeometry(g) {
  if (!g) fail('département geometry missing');
  if (g.type === 'Polygon') return { type: g.type, coordinates: roundCoords([g.coordinates])[0] };
  if (g.type === 'MultiPolygon') return { type: g.type, coordinates: roundCoords(g.coordinates) };
  fail(`unsupported département geometry ${g.type}`);
}
let depOut;
if (depGeo.type === 'Feature') {
  if (String(depGeo.properties?.code) !== DEP) fail(`département file has code ${depGeo.properties?.code}, expected ${DEP}`);
  depOut = { type: 'Feature', properties: depGeo.properties, geometry: roundGeometry(depGeo.geometry) };
} else if (depGeo.type === 'FeatureCollection') {
  depOut = {
    type: 'FeatureCollection',
    features: depGeo.features.map((f) => ({ type: 'Feature', properties: f.properties, geometry: roundGeometry(f.geometry) })),
  };
} else {
  fail(`département file is a ${depGeo.type}, expected Feature or FeatureCollection`);
}

// ---------------------------------------------------------------- write (all checks passed)

mkdirSync(contentDir, { recursive: true });
function writeAtomic(name, text) {
  const path = join(contentDir, name);
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
  console.log(`wrote ${relative(repoRoot, path)} (${Buffer.byteLength(text)} bytes)`);
}
writeAtomic('communes.yaml', yamlText);
writeAtomic('communes.geojson', JSON.stringify(communesGeo) + '\n');
writeAtomic('departement.geojson', JSON.stringify(depOut) + '\n');

const merged = records.filter((r) => pieces.get(r.code).length > 1);
console.log(
  `summary: ${records.length} communes, ${distinctCp.size} distinct postal codes, ` +
    `${formerCount} former communes (déléguées/associées); ` +
    `${seen2018.size} 2018 communes mapped (${merged.length} current communes merged from several 2018 pieces); ` +
    `${PKG}@${version}`,
);
