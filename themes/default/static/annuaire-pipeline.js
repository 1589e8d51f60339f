/* annuaire — French search pipeline for the browser.
 * Must give exactly the tokens of src/search/pipeline.rs (tests/search_parity.rs compares both
 * on tests/search/tricky-words.txt). Works in browsers (window.annuairePipeline) and in Node
 * (module.exports), and registers its functions with elasticlunr when it is present, so an index
 * built by elasticlunr-rs loads without "Cannot load un-registered function". */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.annuairePipeline = api; }
  if (root && root.elasticlunr) { api.register(root.elasticlunr); }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var STOP_NAME = "annuaire-stop-fr";
  var STEM_NAME = "annuaire-stem-fr";
  var STOP_WORDS = ["au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles",
    "en", "est", "et", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "mes", "mon",
    "ne", "ni", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son",
    "sont", "sur", "ta", "te", "tes", "ton", "tu", "un", "une", "vos", "votre", "vous"];
  var STOP = {};
  STOP_WORDS.forEach(function (w) { STOP[w] = true; });
  var SUFFIXES = ["issement", "atrice", "ateur", "ation", "ement", "ments", "ment", "euse", "iste", "isme", "ique",
    "able", "ible", "ance", "ence", "eur", "ite", "ier", "iere", "ee", "er", "ez", "ie", "e"];

  /* Lower case, accents and ligatures folded (as crate::text::fold, then ß → ss). */
  function fold(text) {
    return String(text)
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .replace(/[œŒ]/g, "oe")
      .replace(/[æÆ]/g, "ae")
      .replace(/[’ʼ‘]/g, "'")
      .toLowerCase()
      .replace(/ß/g, "ss");
  }

  function tokenize(text) {
    if (text === null || text === undefined) { return []; }
    if (Array.isArray(text)) { text = text.join(" "); }
    return fold(text).split(/[^a-z0-9]+/).filter(function (t) { return t.length > 0; });
  }

  function stop(token) {
    if (token.length === 1 && token >= "a" && token <= "z") { return undefined; }
    return STOP[token] ? undefined : token;
  }

  function stem(token) {
    if (/[0-9]/.test(token) || token.length <= 3) { return token; }
    var word = token;
    if (word.length > 4 && word.slice(-3) === "aux") {
      word = word.slice(0, -3) + "al";
    } else if (word.length > 3 && (word.slice(-1) === "s" || word.slice(-1) === "x")) {
      word = word.slice(0, -1);
    }
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (word.length - s.length >= 3 && word.slice(-s.length) === s) {
        word = word.slice(0, -s.length);
        break;
      }
    }
    var n = word.length;
    if (n > 4 && word[n - 1] === word[n - 2] && "aeiouy".indexOf(word[n - 1]) < 0) {
      word = word.slice(0, -1);
    }
    return word;
  }

  function analyze(text) {
    var out = [];
    tokenize(text).forEach(function (t) {
      var s = stop(t);
      if (s !== undefined) { out.push(stem(s)); }
    });
    return out;
  }

  /* elasticlunr calls pipeline functions with (token, i, tokens) and drops undefined results. */
  var stopFn = function (token) { return stop(token); };
  var stemFn = function (token) { return stem(token); };

  /* Idempotent: the browser registers on load and again in search-core's Engine, and elasticlunr
   * warns in the console each time a name is registered again. */
  function register(elasticlunr) {
    var known = elasticlunr.Pipeline.registeredFunctions || {};
    if (known[STOP_NAME] !== stopFn) { elasticlunr.Pipeline.registerFunction(stopFn, STOP_NAME); }
    if (known[STEM_NAME] !== stemFn) { elasticlunr.Pipeline.registerFunction(stemFn, STEM_NAME); }
    elasticlunr.tokenizer = function (text) { return tokenize(text); };
    elasticlunr.tokenizer.seperator = /[^a-z0-9]+/;
    elasticlunr.tokenizer.setSeperator = function () {};
    elasticlunr.tokenizer.resetSeperator = function () {};
  }

  return { fold: fold, tokenize: tokenize, stop: stop, stem: stem, analyze: analyze, register: register,
    STOP_NAME: STOP_NAME, STEM_NAME: STEM_NAME };
});
