//! What a reader asks for, and how it becomes a tantivy query.
//!
//! The query language is what people type: words (all must be found), `"quoted phrases"`
//! (found exactly as written, not stemmed), `ELLER`/`OR` between two words or phrases
//! (either), `-word` (not). Nothing the reader types is a syntax error: a quote without its
//! partner runs to the end, stray operators are ignored, words the analysis drops (stop
//! words) are left out, and a very long query is cut to its first [`MAX_CLAUSES`] words.
//!
//! A word is found as its Danish stem, as a part of compounds (its own parts, in order,
//! inside a longer compound), and, when it looks like a document, journal or case number,
//! exactly and ranked first.

use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption};

use crate::analysis::{PAIR, PART, is_identifier, terms};
use crate::conjunction::{AllWordsQuery, WeightedTerm, weighted};
use crate::index::{Fields, SearchIndex, day_number};

/// At most this many words and phrases of a query are searched for.
pub const MAX_CLAUSES: usize = 24;
/// At most this many characters of a query are read.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// How results are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

impl Sort {
    pub fn key(&self) -> &'static str {
        match self {
            Sort::Relevance => "relevans",
            Sort::Newest => "nyeste",
            Sort::Oldest => "aeldste",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        [Sort::Relevance, Sort::Newest, Sort::Oldest]
            .into_iter()
            .find(|k| k.key() == s)
    }
}

/// Narrowing a search (the facets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Bodies by the slug of their name ("direktionen").
    pub bodies: Vec<String>,
    pub year: Option<i32>,
    /// "dagsorden" or "referat".
    pub document: Option<String>,
    /// A [`Part`](crate::Part) key.
    pub part: Option<String>,
    /// A decision kind key.
    pub decision: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A search as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    /// From 1.
    pub page: usize,
    pub per_page: usize,
    /// Words found by their stems only, without compound parts (a baseline for
    /// measuring what compound splitting adds; not offered to readers).
    pub stem_only: bool,
    /// Count what was found and the facets (the page and API always do). Without, only
    /// the ranked results are found, and `total` is how many of them there are: what
    /// `bench search` compares with the baselines, which rank a top 10 only too.
    pub counts: bool,
    /// About how many matches counting looks at: beyond it, counts are estimated from an
    /// even sample of the matches (see [`crate::counting`]).
    pub count_limit: usize,
}

impl Request {
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 10,
            stem_only: false,
            counts: true,
            count_limit: crate::counting::COUNT_LIMIT,
        }
    }
}

/// One searched-for thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(String),
}

/// A query as read: groups that must all match; within a group, any clause (ELLER);
/// and clauses that must not match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub must: Vec<Vec<Clause>>,
    pub not: Vec<Clause>,
    /// Said to the reader (in Danish): the query was cut, a quote was not closed.
    pub notices: Vec<String>,
}

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.must.is_empty()
    }

    /// The words of the query (for suggestions).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.must.iter().flatten().filter_map(|c| match c {
            Clause::Word(w) => Some(w.as_str()),
            Clause::Phrase(_) => None,
        })
    }
}

/// Reads what the reader typed.
pub fn parse(input: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut text: String = input.chars().take(MAX_QUERY_CHARS).collect();
    if input.chars().count() > MAX_QUERY_CHARS {
        out.notices.push(format!(
            "Søgningen var meget lang; kun de første {MAX_QUERY_CHARS} tegn er brugt."
        ));
    }
    // Typographic quotes count as quotes.
    text = text.replace(['“', '”', '„', '«', '»'], "\"");
    let mut tokens: Vec<(bool, Clause)> = Vec::new(); // (negated, clause)
    let mut pending_or = false;
    let mut rest = text.as_str();
    let mut or_marks: Vec<bool> = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let negated = rest.starts_with('-') && rest.len() > 1 && !rest[1..].starts_with(' ');
        if negated {
            rest = &rest[1..];
        }
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, next) = match after.find('"') {
                Some(end) => (&after[..end], &after[end + 1..]),
                None => {
                    out.notices
                        .push("Et citationstegn manglede sin afslutning; resten af søgningen er læst som én frase.".into());
                    (after, "")
                }
            };
            rest = next;
            if !phrase.trim().is_empty() {
                or_marks.push(std::mem::take(&mut pending_or));
                tokens.push((negated, Clause::Phrase(phrase.trim().to_string())));
            }
            continue;
        }
        let end = rest.find([' ', '\t', '\n', '"']).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if !negated && (word == "OR" || word == "ELLER" || word == "|") {
            pending_or = !tokens.is_empty();
            continue;
        }
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        or_marks.push(std::mem::take(&mut pending_or));
        tokens.push((negated, Clause::Word(word.to_string())));
    }
    if tokens.len() > MAX_CLAUSES {
        out.notices.push(format!(
            "Søgningen havde mange ord; kun de første {MAX_CLAUSES} er brugt."
        ));
        tokens.truncate(MAX_CLAUSES);
    }
    for ((negated, clause), or) in tokens.into_iter().zip(or_marks) {
        if negated {
            out.not.push(clause);
        } else if or && let Some(group) = out.must.last_mut() {
            group.push(clause);
        } else {
            out.must.push(vec![clause]);
        }
    }
    out
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

fn term_query_freqs(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    weighted(&Term::from_field_text(field, text), 1.0)
}

/// A query for the terms at their positions in `field`: one term, or a phrase.
fn sequence(field: tantivy::schema::Field, terms: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [(_, t)] => Some(term_query(field, t)),
        many => {
            let first = many[0].0;
            let positioned = many
                .iter()
                .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(positioned)))
        }
    }
}

/// A query for all of `terms` in `field` (`parts`, which has no positions: the pairs of a
/// compound's parts keep their order, and a word of several words, "e-learning", is rare
/// enough that its words in one entry are that word).
fn all_of(field: tantivy::schema::Field, terms: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [(_, t)] => Some(term_query_freqs(field, t)),
        many => Some(Box::new(BooleanQuery::new(
            many.iter()
                .map(|(_, t)| (Occur::Must, term_query_freqs(field, t)))
                .collect(),
        ))),
    }
}

/// The terms of a searched word in `parts`, or of a phrase in `exact`, as one sequence:
/// compounds by their pairs of neighbouring parts and common words by their pair with a
/// neighbour (one term each, where the words alone are common), other words ("europa" in
/// "Europa-Parlamentsvalg") by themselves.
fn with_pairs(terms: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let covered: std::collections::HashSet<usize> = terms
        .iter()
        .filter(|(_, t)| t.contains(PAIR))
        .flat_map(|(p, _)| [*p, p + 1])
        .collect();
    terms
        .into_iter()
        .filter(|(p, t)| t.contains(PAIR) || !covered.contains(p))
        .collect()
}

/// The whole words among a word's terms in `parts` (no parts, no pairs).
fn whole_words(terms: &[(usize, String)]) -> Vec<(usize, String)> {
    terms
        .iter()
        .filter(|(_, t)| !t.starts_with(PART) && !t.contains(PAIR))
        .cloned()
        .collect()
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

impl SearchIndex {
    fn analyze(&self, field: tantivy::schema::Field, text: &str) -> Vec<(usize, String)> {
        match self.index.tokenizer_for_field(field) {
            Ok(mut analyzer) => terms(&mut analyzer, text),
            Err(_) => Vec::new(),
        }
    }

    /// A searched word's terms in `parts` (with the pair of a two-part compound).
    pub(crate) fn analyze_word(&self, word: &str) -> Vec<(usize, String)> {
        match self.index.tokenizers().get(crate::analysis::PARTS_QUERY) {
            Some(mut analyzer) => terms(&mut analyzer, word),
            None => self.analyze(self.fields.parts, word),
        }
    }

    /// The query for one clause, or `None` when nothing of it is searchable (stop words).
    pub(crate) fn clause_query(&self, clause: &Clause, stem_only: bool) -> Option<Box<dyn Query>> {
        let any = self.clause_alternatives(clause, stem_only);
        (!any.is_empty()).then(|| Box::new(BooleanQuery::new(any)) as Box<dyn Query>)
    }

    /// A clause's alternatives (each `Should`): an entry matching any of them matches the
    /// clause, its score theirs summed. Empty when nothing of it is searchable.
    fn clause_alternatives(
        &self,
        clause: &Clause,
        stem_only: bool,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        match clause {
            Clause::Phrase(p) => {
                let exact = with_pairs(self.analyze(f.exact, p));
                let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                if let Some(q) = sequence(f.exact, &exact) {
                    any.push((Occur::Should, q));
                }
                if is_identifier(p) {
                    any.push((
                        Occur::Should,
                        boost(term_query(f.ids, &p.to_lowercase()), 20.0),
                    ));
                }
                any
            }
            Clause::Word(w) => {
                let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                if is_identifier(w) {
                    any.push((
                        Occur::Should,
                        boost(term_query(f.ids, &w.to_lowercase()), 20.0),
                    ));
                    if let Some(q) = sequence(f.exact, &with_pairs(self.analyze(f.exact, w))) {
                        any.push((Occur::Should, q));
                    }
                } else {
                    let terms = self.analyze_word(w);
                    let whole = whole_words(&terms);
                    match &whole[..] {
                        // Whole words rank first, then the word as a part of compounds
                        // (also a compound searched for: a longer one may have been split
                        // with it as one part, "orienterings|sag").
                        [(_, stem)] => any.extend(
                            self.stem_terms(stem, stem_only)
                                .iter()
                                .map(|(term, weight)| (Occur::Should, weighted(term, *weight))),
                        ),
                        // A word that is several ("e-learning"): all of them.
                        many => {
                            if let Some(q) = all_of(f.parts, many) {
                                any.push((Occur::Should, q));
                            }
                        }
                    }
                    if !stem_only && terms.iter().any(|(_, t)| t.contains(PAIR)) {
                        // A compound by its pairs of parts, also inside longer ones.
                        if let Some(q) = all_of(f.parts, &with_pairs(terms)) {
                            any.push((Occur::Should, q));
                        }
                    }
                }
                any
            }
        }
    }

    /// A searched stem's terms in `parts` with the weights of their scores: the stem as a
    /// whole word (which ranks first) and, unless by stems only, as a part of compounds.
    fn stem_terms(&self, stem: &str, stem_only: bool) -> Vec<WeightedTerm> {
        let f = &self.fields;
        let mut out = vec![(Term::from_field_text(f.parts, stem), 2.0)];
        if !stem_only {
            let part = format!("{PART}{stem}");
            out.push((Term::from_field_text(f.parts, &part), 1.0));
        }
        out
    }

    /// A clause's alternatives when they are plain terms only (a word of one stem that is
    /// not a compound of known parts nor a number): empty for a word the analysis drops,
    /// `None` for anything else.
    fn word_terms(&self, clause: &Clause, stem_only: bool) -> Option<Vec<WeightedTerm>> {
        let Clause::Word(w) = clause else {
            return None;
        };
        if is_identifier(w) {
            return None;
        }
        let terms = self.analyze_word(w);
        if terms.is_empty() {
            return Some(Vec::new());
        }
        let compound = !stem_only && terms.iter().any(|(_, t)| t.contains(PAIR));
        match &whole_words(&terms)[..] {
            [(_, stem)] if !compound => Some(self.stem_terms(stem, stem_only)),
            _ => None,
        }
    }

    /// Two or more groups of words, each word plain terms only (see [`Self::word_terms`]):
    /// all of the groups, each any of its words' terms, as one query that skips what
    /// cannot reach the top; else `None`.
    fn all_words(&self, parsed: &Parsed, stem_only: bool) -> Option<AllWordsQuery> {
        let mut words = Vec::with_capacity(parsed.must.len());
        for group in &parsed.must {
            let mut terms = Vec::new();
            for clause in group {
                terms.extend(self.word_terms(clause, stem_only)?);
            }
            if !terms.is_empty() {
                words.push(terms);
            }
        }
        (words.len() >= 2).then(|| AllWordsQuery::new(words))
    }

    /// The whole query with its filters, or `None` when nothing in it can be searched.
    pub(crate) fn build(
        &self,
        parsed: &Parsed,
        filters: &Filters,
        bodies: BodyScope<'_>,
        stem_only: bool,
    ) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let words = self.all_words(parsed, stem_only);
        let groups = if words.is_some() {
            &[][..]
        } else {
            &parsed.must[..]
        };
        if let Some(words) = words {
            all.push((Occur::Must, Box::new(words)));
        }
        for group in groups {
            // The alternatives of the group's clauses in one list (a sum of sums is one
            // sum: the scores are the same), so that where they are all terms tantivy
            // sees one union of terms and skips the blocks that cannot reach the top
            // (block-max WAND); a union nested in a union is scored entry by entry.
            let mut any: Vec<(Occur, Box<dyn Query>)> = group
                .iter()
                .flat_map(|c| self.clause_alternatives(c, stem_only))
                .collect();
            match any.len() {
                0 => {}
                1 => all.extend(any.pop().map(|(_, q)| (Occur::Must, q))),
                _ => all.push((Occur::Must, Box::new(BooleanQuery::new(any)))),
            }
        }
        if all.is_empty() {
            return None;
        }
        let filtered = filter_queries(f, filters);
        let whole_archive =
            parsed.not.is_empty() && filtered.is_empty() && matches!(bodies, BodyScope::All);
        if whole_archive && all.len() == 1 {
            // One group and nothing else: the group's query itself, not wrapped in a
            // query of one clause (which tantivy scores entry by entry).
            return all.pop().map(|(_, q)| q);
        }
        for c in &parsed.not {
            if let Some(q) = self.clause_query(c, stem_only) {
                all.push((Occur::MustNot, q));
            }
        }
        all.extend(filtered.into_iter().map(|q| (Occur::Must, q)));
        match bodies {
            BodyScope::All => {}
            BodyScope::Only(codes) => {
                let any: Vec<(Occur, Box<dyn Query>)> = codes
                    .iter()
                    .map(|c| (Occur::Should, term_query(f.body, c)))
                    .collect();
                if any.is_empty() {
                    all.push((Occur::Must, Box::new(EmptyQuery)));
                } else {
                    all.push((Occur::Must, Box::new(BooleanQuery::new(any))));
                }
            }
            BodyScope::Except(codes) => {
                for c in codes {
                    all.push((Occur::MustNot, term_query(f.body, c)));
                }
            }
        }
        Some(Box::new(BooleanQuery::new(all)))
    }
}

/// Which bodies' entries a query may match.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BodyScope<'a> {
    All,
    /// Only these bodies (codes).
    Only(&'a [String]),
    /// All but these bodies (codes).
    Except(&'a [String]),
}

fn facet_query(f: &Fields, path: &[&str]) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(f.facets, &Facet::from_path(path)),
        IndexRecordOption::Basic,
    ))
}

fn filter_queries(f: &Fields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out = Vec::new();
    if !filters.bodies.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = filters
            .bodies
            .iter()
            .map(|b| (Occur::Should, facet_query(f, &["organ", b])))
            .collect();
        out.push(Box::new(BooleanQuery::new(any)) as Box<dyn Query>);
    }
    if let Some(y) = filters.year {
        out.push(facet_query(f, &["år", &y.to_string()]));
    }
    if let Some(d) = &filters.document {
        out.push(facet_query(f, &["dokument", d]));
    }
    if let Some(p) = &filters.part {
        out.push(facet_query(f, &["del", p]));
    }
    if let Some(d) = &filters.decision {
        out.push(facet_query(f, &["beslutning", d]));
    }
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |d: Option<NaiveDate>| match d {
            Some(d) => Bound::Included(Term::from_field_i64(f.day, day_number(d))),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(
            bound(filters.from),
            bound(filters.to),
        )));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: &[Clause]) -> Vec<String> {
        c.iter()
            .map(|c| match c {
                Clause::Word(w) => w.clone(),
                Clause::Phrase(p) => format!("\"{p}\""),
            })
            .collect()
    }

    #[test]
    fn reads_words_phrases_or_and_not() {
        let p = parse(r#"budget "grønne områder" skole ELLER børnehave -lukning"#);
        let groups: Vec<Vec<String>> = p.must.iter().map(|g| words(g)).collect();
        assert_eq!(
            groups,
            [
                vec!["budget".to_string()],
                vec!["\"grønne områder\"".into()],
                vec!["skole".into(), "børnehave".into()]
            ]
        );
        assert_eq!(words(&p.not), ["lukning"]);
        assert!(p.notices.is_empty());
    }

    #[test]
    fn nothing_typed_is_a_syntax_error() {
        let p = parse(r#""ulige citat"#);
        assert_eq!(words(&p.must[0]), ["\"ulige citat\""]);
        assert_eq!(p.notices.len(), 1);
        assert!(parse("").is_empty());
        assert!(parse(" ELLER OR - \" \" ").is_empty());
        let long = "ord ".repeat(5_000);
        let p = parse(&long);
        assert_eq!(p.must.len(), MAX_CLAUSES);
        assert_eq!(p.notices.len(), 2, "{:?}", p.notices);
        assert_eq!(
            words(&parse("(møde) AND: [x]").must.concat()),
            ["møde", "AND", "x"]
        );
    }

    #[test]
    fn compounds_by_their_pairs_other_words_by_themselves() {
        let terms = |v: &[(usize, &str)]| -> Vec<(usize, String)> {
            v.iter().map(|(p, t)| (*p, t.to_string())).collect()
        };
        // "Europa-Parlamentsvalg": europa, parlament, parlament_valg, valg.
        let analyzed = terms(&[
            (0, "europa"),
            (1, "parlament"),
            (1, "parlament_valg"),
            (2, "valg"),
        ]);
        assert_eq!(
            with_pairs(analyzed),
            terms(&[(0, "europa"), (1, "parlament_valg")])
        );
        assert_eq!(with_pairs(terms(&[(0, "mød")])), terms(&[(0, "mød")]));
    }

    #[test]
    fn keeps_numbers_whole() {
        let p = parse("91141/23 EMN-2025-01234");
        assert_eq!(words(&p.must.concat()), ["91141/23", "EMN-2025-01234"]);
    }
}
