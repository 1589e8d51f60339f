// The search engine (themes/default/static/search-core.js) in Node, over the files the build
// writes for the bundled site: no browser needed. Run with `node --test tests/browser/`.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { REPO, buildSite, tempDir } from "./support.mjs";

const require = createRequire(import.meta.url);
const STATIC = path.join(REPO, "themes/default/static");

let tmp;
let out;
let manifest;

function readJson(url) {
  return JSON.parse(fs.readFileSync(path.join(out, url.replace(/^\//, "")), "utf8"));
}

before(() => {
  tmp = tempDir();
  out = path.join(tmp, "public");
  buildSite(REPO, out);
  const page = fs.readFileSync(path.join(out, "recherche/index.html"), "utf8");
  const url = /data-index="?([^" >]+)/.exec(page)?.[1];
  assert.ok(url, "the search page names its manifest");
  manifest = readJson(url);
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function engine() {
  // Fresh copies: elasticlunr keeps registered functions globally.
  for (const f of ["elasticlunr.min.js", "annuaire-pipeline.js", "search-core.js"]) {
    delete require.cache[path.join(STATIC, f)];
  }
  const elasticlunr = require(path.join(STATIC, "elasticlunr.min.js"));
  const pipeline = require(path.join(STATIC, "annuaire-pipeline.js"));
  const { Engine } = require(path.join(STATIC, "search-core.js"));
  return new Engine(manifest, (url) => Promise.resolve(readJson(url)), elasticlunr, pipeline);
}

test("scoring divides by field lengths, as elasticlunr does on the whole index", async () => {
  const e = engine();
  const r = await e.search("site", {});
  assert.ok(r.ids.length > 1, "several providers mention « site »");
  const store = e.idx.documentStore;
  for (const id of r.ids) {
    assert.ok(store.getFieldLength(String(id), "texte") > 0, `doc ${id} has its field lengths`);
  }
  // The score of one document in one field, by elasticlunr's formula: tf × idf / √length.
  const id = String(r.ids[0]);
  const node = e.idx.index.texte.getNode("sit");
  assert.ok(node && node.docs[id], "the top result has the term in its text");
  const expected =
    node.docs[id].tf * e.idx.idf("sit", "texte") / Math.sqrt(store.getFieldLength(id, "texte"));
  const config = { texte: { bool: "OR", expand: false, boost: 1 } };
  const got = e.idx.fieldSearch(["sit"], "texte", config)[id];
  assert.ok(Math.abs(got - expected) < 1e-12, `${got} vs ${expected}`);
});
