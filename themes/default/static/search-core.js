/* annuaire — search engine over the split index written by src/search/mod.rs.
 *
 * The manifest holds an elasticlunr index skeleton; shards (subtrees of each field's trie, by
 * term prefix) are fetched only when a query needs them and grafted in, so stock elasticlunr.js
 * scores exactly as it would on the whole index (field lengths come with the facets). Semantics:
 * - every query word must match (in any field); the last word, still being typed, matches as a
 *   prefix;
 * - a commune, former commune or postcode named in the query becomes a place filter: providers
 *   based there, listing it in their zone, or working in the whole territory;
 * - facets (families, verified) filter the matches; counts are computed over the matches.
 * Works in browsers (window.annuaireSearch) and in Node (module.exports) for tests. */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.annuaireSearch = api; }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* fetchJson(url) → Promise of the parsed JSON. */
  function Engine(manifest, fetchJson, elasticlunr, pipeline) {
    this.m = manifest;
    this.fetchJson = fetchJson;
    this.pipeline = pipeline;
    pipeline.register(elasticlunr);
    this.idx = elasticlunr.Index.load(manifest.skeleton);
    this.boosts = {};
    var self = this;
    manifest.fields.forEach(function (f) { self.boosts[f.name] = f.boost; });
    this.shardPromises = {};
    this.chunkPromises = {};
    this.facetsPromises = {};
    this.bytes = 0;
  }

  Engine.prototype.fetch = function (url) {
    return this.fetchJson(url);
  };

  /* cache[key], made by make() once; a failed download is forgotten so the next query retries. */
  function once(cache, key, make) {
    if (!cache[key]) {
      var p = make();
      cache[key] = p;
      p.catch(function () { if (cache[key] === p) { delete cache[key]; } });
    }
    return cache[key];
  }

  /* Shard keys whose prefix relates to `term` (one is a prefix of the other). */
  Engine.prototype.shardKeysFor = function (term) {
    return Object.keys(this.m.shards).filter(function (key) {
      var p = key.replace(/=$/, "");
      return p.indexOf(term) === 0 || term.indexOf(p) === 0;
    });
  };

  Engine.prototype.loadShard = function (key) {
    var self = this;
    return once(this.shardPromises, key, function () {
      return self.fetch(self.m.shards[key]).then(function (shard) { self.graft(key, shard); });
    });
  };

  Engine.prototype.graft = function (key, shard) {
    var exact = key.slice(-1) === "=";
    var prefix = exact ? key.slice(0, -1) : key;
    var idx = this.idx;
    Object.keys(shard.tries).forEach(function (field) {
      var node = idx.index[field].root;
      for (var i = 0; i < prefix.length - 1; i++) {
        var c = prefix[i];
        if (!node[c]) { node[c] = { docs: {}, df: 0 }; }
        node = node[c];
      }
      var last = prefix[prefix.length - 1];
      var sub = shard.tries[field];
      if (exact) {
        if (!node[last]) { node[last] = { docs: {}, df: 0 }; }
        node[last].docs = sub.docs;
        node[last].df = sub.df;
      } else {
        node[last] = sub;
      }
    });
  };

  /* The facets file also holds each document's field lengths (elasticlunr's docInfo), which
   * scoring divides by: they go into the document store once, with the document itself. */
  Engine.prototype.loadFacets = function () {
    var self = this;
    return once(this.facetsPromises, "facets", function () {
      return self.fetch(self.m.facets).then(function (facets) {
        var store = self.idx.documentStore;
        var fields = self.m.fields;
        facets.forEach(function (row, id) {
          var info = {};
          fields.forEach(function (f, k) { info[f.name] = row[4][k]; });
          store.docs[id] = null;
          store.docInfo[id] = info;
        });
        return facets;
      });
    });
  };

  /* Result cards for document ids: {n: name, u: url, r: summary, c: commune, s: skills, v: verified}. */
  Engine.prototype.cards = function (ids) {
    var self = this;
    var per = this.m.docs.perChunk;
    var chunks = {};
    ids.forEach(function (id) { chunks[Math.floor(id / per)] = true; });
    return Promise.all(Object.keys(chunks).map(function (n) {
      return once(self.chunkPromises, n, function () { return self.fetch(self.m.docs.files[n]); });
    })).then(function () {
      return Promise.all(ids.map(function (id) {
        return self.chunkPromises[Math.floor(id / per)].then(function (chunk) { return chunk[id % per]; });
      }));
    });
  };

  /* Splits a query into place filters and words. */
  Engine.prototype.parse = function (query) {
    var raw = this.pipeline.tokenize(query);
    var places = this.m.places;
    var communes = null;
    var words = [];
    var i = 0;
    while (i < raw.length) {
      var found = 0;
      for (var n = Math.min(6, raw.length - i); n >= 1 && !found; n--) {
        var key = raw.slice(i, i + n).join(" ");
        if (places[key] && !(n === 1 && /^[0-9]{1,2}$/.test(key))) {
          communes = communes || {};
          places[key].forEach(function (c) { communes[c] = true; });
          found = n;
        }
      }
      if (found) { i += found; } else { words.push(raw[i]); i += 1; }
    }
    var typing = !/[\s'’\-]$/.test(query);
    var terms = [];
    var self = this;
    words.forEach(function (w, k) {
      var kept = self.pipeline.stop(w);
      var last = k === words.length - 1;
      if (kept === undefined && !(last && typing && w.length > 1)) { return; }
      terms.push({ word: w, term: self.pipeline.stem(kept === undefined ? w : kept), prefix: last && typing });
    });
    return { communes: communes, terms: terms };
  };

  /* Scores of documents matching one term, summed over fields. */
  Engine.prototype.termScores = function (t) {
    var idx = this.idx;
    var boosts = this.boosts;
    var scores = {};
    var keys = [t.term];
    if (t.prefix) {
      // A word still being typed: terms starting with its stem, and indexed terms that are a
      // prefix of what was typed (typing "graphis" must still find "graph").
      var self = this;
      Object.keys(boosts).forEach(function (field) {
        var node = idx.index[field].root;
        for (var i = 0; i < t.word.length && node; i++) {
          node = node[t.word[i]];
          if (node && i >= 2 && node.df > 0) { keys.push(t.word.slice(0, i + 1)); }
        }
        self.idx.index[field].expandToken(t.term).forEach(function (k) { keys.push(k); });
      });
    }
    var unique = {};
    keys.forEach(function (k) { unique[k] = true; });
    Object.keys(boosts).forEach(function (field) {
      var config = {};
      config[field] = { bool: "OR", expand: false, boost: boosts[field] };
      var res = idx.fieldSearch(Object.keys(unique), field, config) || {};
      Object.keys(res).forEach(function (ref) {
        scores[ref] = (scores[ref] || 0) + res[ref] * boosts[field];
      });
    });
    return scores;
  };

  /* Does provider facet row `f` serve one of `communes`? */
  function serves(f, communes) {
    if (communes[f[2]]) { return true; }
    if (f[3] === -1) { return true; }
    for (var i = 0; i < f[3].length; i++) { if (communes[f[3][i]]) { return true; } }
    return false;
  }

  /* Runs a query. filters: {famille: id or null, commune: code or null, verifie: bool}.
   * Resolves to {ids, total, counts: {familles: {id: n}, communes: {code: n}, verifies: n,
   * territoire: n}, place: [commune names], terms: [...], empty}. Each count is over the matches
   * the other filters keep; communes[code] counts the providers serving it (based there, listing
   * it in their zone, or territory-wide: `territoire` of them), for communes some match names. */
  Engine.prototype.search = function (query, filters) {
    var self = this;
    filters = filters || {};
    var parsed = this.parse(query || "");
    var needed = {};
    parsed.terms.forEach(function (t) {
      self.shardKeysFor(t.prefix ? t.word : t.term).forEach(function (k) { needed[k] = true; });
      if (t.prefix) { self.shardKeysFor(t.term).forEach(function (k) { needed[k] = true; }); }
    });
    var loads = Object.keys(needed).map(function (k) { return self.loadShard(k); });
    loads.push(this.loadFacets());
    return Promise.all(loads).then(function () { return self.loadFacets(); }).then(function (facets) {
      var communes = parsed.communes;
      if (filters.commune) {
        var ci = self.m.communes.findIndex(function (c) { return c[0] === filters.commune; });
        communes = {};
        if (ci >= 0) { communes[ci] = true; }
      }
      var familyBits = {};
      self.m.families.forEach(function (f, i) { familyBits[f[0]] = i; });
      var famBit = filters.famille && filters.famille in familyBits ? familyBits[filters.famille] : -1;
      var scores = null;
      parsed.terms.forEach(function (t) {
        var s = self.termScores(t);
        if (scores === null) { scores = s; return; }
        var both = {};
        Object.keys(s).forEach(function (ref) { if (ref in scores) { both[ref] = scores[ref] + s[ref]; } });
        scores = both;
      });
      if (scores === null) {
        // No words: a place or a filter alone lists every provider it keeps.
        if (!communes && famBit < 0 && !filters.verifie) {
          return { ids: [], total: 0, counts: emptyCounts(), place: [], terms: [], empty: true };
        }
        scores = {};
        facets.forEach(function (f, id) { scores[id] = 1; });
      }
      var matched = Object.keys(scores).map(Number);
      var inFamily = function (id) { return famBit < 0 || Math.floor(facets[id][0] / Math.pow(2, famBit)) % 2 === 1; };
      var isVerified = function (id) { return !filters.verifie || facets[id][1] === 1; };
      var inPlace = function (id) { return !communes || serves(facets[id], communes); };
      // Each facet counts the matches that the other filters keep, so a count is the number of
      // results choosing that value gives.
      var counts = emptyCounts();
      matched.forEach(function (id) {
        var f = facets[id];
        if (inPlace(id) && isVerified(id)) {
          self.m.families.forEach(function (fam, i) {
            if (Math.floor(f[0] / Math.pow(2, i)) % 2 === 1) { counts.familles[fam[0]] = (counts.familles[fam[0]] || 0) + 1; }
          });
        }
        if (inPlace(id) && inFamily(id) && f[1]) { counts.verifies += 1; }
        if (inFamily(id) && isVerified(id)) {
          // Choosing a commune keeps the providers serving it (see `serves`); territory-wide
          // ones serve them all and are added below to every commune listed.
          if (f[3] === -1) { counts.territoire += 1; return; }
          var seen = {};
          [f[2]].concat(f[3]).forEach(function (c) {
            var home = self.m.communes[c];
            if (home && !seen[c]) { seen[c] = true; counts.communes[home[0]] = (counts.communes[home[0]] || 0) + 1; }
          });
        }
      });
      Object.keys(counts.communes).forEach(function (code) { counts.communes[code] += counts.territoire; });
      if (filters.commune && !(filters.commune in counts.communes)) { counts.communes[filters.commune] = counts.territoire; }
      var ids = matched.filter(function (id) { return inPlace(id) && inFamily(id) && isVerified(id); });
      if (communes) {
        // Nearer first: based in the place, then listing it in their zone, then territory-wide.
        ids.forEach(function (id) {
          var f = facets[id];
          scores[id] *= communes[f[2]] ? 2 : (f[3] === -1 ? 1 : 1.5);
        });
      }
      ids.sort(function (a, b) {
        return (scores[b] - scores[a]) || (facets[b][1] - facets[a][1]) || (a - b);
      });
      var place = communes ? Object.keys(communes).map(function (c) { return self.m.communes[c][1]; }) : [];
      return { ids: ids, total: ids.length, counts: counts, place: place, terms: parsed.terms, empty: false };
    });
  };

  function emptyCounts() { return { familles: {}, communes: {}, verifies: 0, territoire: 0 }; }

  return { Engine: Engine };
});
