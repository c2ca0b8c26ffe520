//! Searching: the public index for everyone, and for members and secretaries also the
//! internal index restricted to their own bodies (their bodies' entries are then taken
//! from the internal index only, everything else from the public one), with facets,
//! snippets, pagination and "mente du …?".

use std::collections::{BTreeMap, HashMap};

use std::ops::Bound;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::{Facet as TantivyFacet, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use crate::Result;
use crate::counting::{BoundedCounts, Counts, rounded};
use crate::entries::{DECISION_KINDS, Entry, Part, Place};
use crate::index::SearchIndex;
use crate::query::{BodyScope, Parsed, Request, Sort, parse};

/// The most results a search pages through: deeper pages ask the reader to narrow the
/// search instead of making the index rank thousands of entries.
pub const MAX_RESULTS: usize = 1_000;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// A facet: its values with the number of entries found for each.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Facet {
    /// "organ", "år", "dokument", "del", "beslutning".
    pub name: String,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    /// As in the URL ("direktionen", "2025", "referat").
    pub key: String,
    /// For people ("Referat"); bodies are named by the caller, who knows their names.
    pub label: String,
    pub count: u64,
}

/// One result: the best entry of an item (or meeting) that matched.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub href: String,
    pub meeting_id: String,
    pub body_code: String,
    pub body_name: String,
    pub body_slug: String,
    pub date: String,
    pub document: String,
    pub item: Option<u64>,
    pub item_title: String,
    pub part: String,
    pub part_label: String,
    pub heading: String,
    pub attachment: Option<u64>,
    pub decision: Option<String>,
    /// HTML: the text around what was found, escaped, with `<mark>` around the words found.
    pub snippet: String,
    pub score: f32,
    /// Where the hit's text is kept (for its snippet; not shown).
    #[serde(skip)]
    pub place: Place,
}

/// What a search found.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Results {
    /// Entries (sections, decisions, attachments…) that matched.
    pub total: u64,
    /// Items (and meetings) they belong to: the number of results.
    pub items: u64,
    /// The results of the page asked for, one per item.
    pub hits: Vec<Hit>,
    /// Whether there is a page after this one.
    pub more: bool,
    pub facets: Vec<Facet>,
    /// Whether `total`, `items` and the facet counts are estimates (rounded to two
    /// digits): the search matched more entries than are counted one by one.
    pub estimated: bool,
    /// A spelling the reader may have meant, from the public vocabulary.
    pub suggestion: Option<String>,
    /// Said to the reader in Danish (the query was cut, the page is too deep, …).
    pub notices: Vec<String>,
}

/// The facets of an entry.
pub(crate) fn facets_of(e: &Entry) -> Vec<TantivyFacet> {
    let year = e.year().to_string();
    let mut out = vec![
        TantivyFacet::from_path(["organ", e.body_slug.as_str()]),
        TantivyFacet::from_path(["år", year.as_str()]),
        TantivyFacet::from_path(["dokument", e.document]),
        TantivyFacet::from_path(["del", e.part.key()]),
    ];
    if let Some(d) = e.decision {
        out.push(TantivyFacet::from_path(["beslutning", d]));
    }
    out
}

const FACETS: [&str; 5] = ["organ", "år", "dokument", "del", "beslutning"];

fn facet_label(facet: &str, key: &str) -> String {
    match facet {
        "dokument" => match key {
            "dagsorden" => "Dagsorden".into(),
            "referat" => "Referat".into(),
            _ => key.into(),
        },
        "del" => Part::from_key(key).map_or(key.into(), |p| p.label().into()),
        "beslutning" => DECISION_KINDS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key.into(), |(_, l)| (*l).into()),
        _ => key.into(),
    }
}

/// One index's part of a search.
struct IndexHits {
    /// Its best entries: (sort key, score, address).
    top: Vec<(f64, f32, DocAddress)>,
    counts: Counts,
}

fn run(
    searcher: &Searcher,
    index: &SearchIndex,
    query: &dyn Query,
    request: &Request,
    limit: usize,
    counts: bool,
) -> Result<IndexHits> {
    let top = top_entries(searcher, index, query, request.sort, limit)?;
    let counts = if counts {
        searcher.search(
            query,
            &BoundedCounts::new(request.count_limit, searcher.num_docs()),
        )?
    } else {
        // What was ranked: what `bench search` compares with the baselines.
        Counts {
            total: top.len() as f64,
            ..Counts::default()
        }
    };
    Ok(IndexHits { top, counts })
}

/// The best `limit` entries: (sort key, score, address).
fn top_entries(
    searcher: &Searcher,
    index: &SearchIndex,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
) -> Result<Vec<(f64, f32, DocAddress)>> {
    Ok(match sort {
        // Only the best entries: tantivy skips blocks that cannot reach the top.
        Sort::Relevance => searcher
            .search(query, &TopDocs::with_limit(limit).order_by_score())?
            .into_iter()
            .map(|(s, a)| (f64::from(s), s, a))
            .collect(),
        Sort::Newest | Sort::Oldest => by_day(searcher, index, query, sort, limit)?,
    })
}

/// The newest (or oldest) `limit` entries found. Ordering every match by date would cost
/// as much as the archive is large; instead the newest year is searched first, then the
/// newest 4, 16 and 64 years, until the window holds `limit` entries (then nothing outside
/// it can come first), else the whole index.
fn by_day(
    searcher: &Searcher,
    index: &SearchIndex,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
) -> Result<Vec<(f64, f32, DocAddress)>> {
    let newest = sort == Sort::Newest;
    let (order, sign) = if newest {
        (Order::Desc, 1.0)
    } else {
        (Order::Asc, -1.0)
    };
    let mut range: Option<(i64, i64)> = None;
    for segment in searcher.segment_readers() {
        if let Ok(days) = segment.fast_fields().i64("day")
            && segment.num_docs() > 0
        {
            let (lo, hi) = range.unwrap_or((i64::MAX, i64::MIN));
            range = Some((lo.min(days.min_value()), hi.max(days.max_value())));
        }
    }
    let Some((first, last)) = range else {
        return Ok(Vec::new());
    };
    let collector = TopDocs::with_limit(limit).order_by_fast_field::<i64>("day", order);
    for years in [1i64, 4, 16, 64] {
        // Days are kept as 20250312: a year is 10 000.
        let bound = if newest {
            last - years * 10_000
        } else {
            first + years * 10_000
        };
        if (newest && bound < first) || (!newest && bound > last) {
            break;
        }
        let term = tantivy::Term::from_field_i64(index.fields.day, bound);
        let window = if newest {
            RangeQuery::new(Bound::Excluded(term), Bound::Unbounded)
        } else {
            RangeQuery::new(Bound::Unbounded, Bound::Excluded(term))
        };
        let windowed = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, Box::new(window)),
        ]);
        let top = searcher.search(&windowed, &collector)?;
        if top.len() >= limit {
            return Ok(day_keys(top, sign));
        }
    }
    Ok(day_keys(searcher.search(query, &collector)?, sign))
}

fn day_keys(top: Vec<(Option<i64>, DocAddress)>, sign: f64) -> Vec<(f64, f32, DocAddress)> {
    top.into_iter()
        .map(|(d, a)| (sign * d.unwrap_or(0) as f64, 0.0, a))
        .collect()
}

/// The indexes' top entries merged, the best entry of each item (or meeting) only, the
/// first `need` of them: (score, which of `parts`, address).
fn item_firsts(
    parts: &[(&SearchIndex, Searcher, Box<dyn Query>, IndexHits)],
    need: usize,
) -> Vec<(f32, usize, DocAddress)> {
    let mut merged: Vec<(f64, f32, usize, DocAddress)> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, (_, _, _, f))| f.top.iter().map(move |(k, s, a)| (*k, *s, i, *a)))
        .collect();
    merged.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut seen = std::collections::HashSet::new();
    let mut firsts = Vec::new();
    let mut columns: HashMap<(usize, u32), Option<tantivy::columnar::Column<u64>>> = HashMap::new();
    for (_, score, i, address) in merged {
        if firsts.len() == need {
            break;
        }
        let (_, searcher, _, _) = &parts[i];
        let column = columns.entry((i, address.segment_ord)).or_insert_with(|| {
            searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("item_key")
                .ok()
        });
        let key = column
            .as_ref()
            .and_then(|c| c.first(address.doc_id))
            .unwrap_or(u64::from(address.doc_id));
        if seen.insert((i, key)) {
            firsts.push((score, i, address));
        }
    }
    firsts
}

/// The public index, and where members search, the internal one.
#[derive(Debug)]
pub struct Search {
    pub public: SearchIndex,
    pub internal: Option<SearchIndex>,
}

/// A search's results before their snippets: the index does not keep the text (the store
/// does), so the caller fetches each hit's text at its [`Found::places`] and hands the
/// texts to [`Found::finish`].
pub struct Found {
    results: Results,
    /// Per hit, which of `generators` makes its snippet.
    sources: Vec<usize>,
    generators: Vec<Vec<SnippetGenerator>>,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Found")
            .field("results", &self.results)
            .finish()
    }
}

impl Found {
    fn new(results: Results) -> Self {
        Self {
            results,
            sources: Vec::new(),
            generators: Vec::new(),
        }
    }

    /// Where the text of each hit is, in the order of the hits.
    pub fn places(&self) -> impl Iterator<Item = &Place> {
        self.results.hits.iter().map(|h| &h.place)
    }

    /// The results with their snippets, from the hits' texts (in the order of
    /// [`Found::places`]). A hit whose text is gone (`None`: the store no longer holds
    /// that place as the hit's reader may see it, and the index has not caught up yet with
    /// the edit, closure or deletion) is left out.
    pub fn finish(self, texts: Vec<Option<String>>) -> Results {
        let Found {
            mut results,
            sources,
            generators,
        } = self;
        let hits = std::mem::take(&mut results.hits);
        for ((mut hit, source), text) in hits.into_iter().zip(sources).zip(texts) {
            let Some(text) = text else {
                tracing::debug!(meeting = %hit.place.meeting_id, "a hit's place is no longer in the store; left out");
                continue;
            };
            hit.snippet = snippet(generators.get(source).map_or(&[], Vec::as_slice), &text);
            results.hits.push(hit);
        }
        results
    }
}

/// The text around what was found, marked; else the start of the text.
fn snippet(generators: &[SnippetGenerator], text: &str) -> String {
    generators
        .iter()
        .map(|g| {
            let mut s = g.snippet(text);
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            s
        })
        .max_by_key(|s| s.highlighted().len())
        .filter(|s| !s.highlighted().is_empty())
        .map(|s| s.to_html())
        .unwrap_or_else(|| {
            let start: String = text.chars().take(SNIPPET_CHARS).collect();
            escape(&start)
        })
}

fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn stored_u64(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Search {
    /// Searches as the public (`bodies` empty) or as a member or secretary of `bodies`
    /// (codes), who also finds those bodies' closed content; `text` gives the text at a
    /// hit's place as the store holds it now (see [`Search::find`]).
    pub fn search(
        &self,
        request: &Request,
        bodies: &[String],
        text: impl FnMut(&Place) -> Option<String>,
    ) -> Result<Results> {
        let found = self.find(request, bodies)?;
        let texts = found.places().map(text).collect();
        Ok(found.finish(texts))
    }

    /// A search up to its snippets: the caller fetches the hits' texts (from the store,
    /// public hits from the public record and internal hits from the meeting as stored)
    /// and finishes it with [`Found::finish`].
    pub fn find(&self, request: &Request, bodies: &[String]) -> Result<Found> {
        let parsed = parse(&request.query);
        let mut results = Results {
            notices: parsed.notices.clone(),
            ..Results::default()
        };
        if parsed.is_empty() {
            results
                .notices
                .push("Skriv et eller flere ord at søge efter.".into());
            return Ok(Found::new(results));
        }
        let per_page = request.per_page.clamp(1, 100);
        let page = request.page.max(1);
        let skip = (page - 1).saturating_mul(per_page);
        if skip >= MAX_RESULTS {
            results.notices.push(format!(
                "Der vises højst {MAX_RESULTS} resultater. Gør søgningen mere præcis, eller afgræns den med filtrene."
            ));
            return Ok(Found::new(results));
        }
        // Several entries of one item collapse into one result: ask for more entries than
        // the page shows, and for more again if they were too few items (one more result
        // than the page tells whether there is a next page).
        let need = skip + per_page + 1;
        let mut want = (need * 4 + 16).min(MAX_RESULTS * 2);
        let internal = self.internal.as_ref().filter(|_| !bodies.is_empty());
        let mut parts: Vec<(&SearchIndex, Searcher, Box<dyn Query>, IndexHits)> = Vec::new();
        let public_scope = if internal.is_some() {
            BodyScope::Except(bodies)
        } else {
            BodyScope::All
        };
        let mut targets = vec![(&self.public, public_scope)];
        if let Some(internal) = internal {
            targets.push((internal, BodyScope::Only(bodies)));
        }
        for (index, scope) in targets {
            let searcher = index.reader.searcher();
            if let Some(q) = index.build(&parsed, &request.filters, scope, request.stem_only) {
                let found = run(&searcher, index, q.as_ref(), request, want, request.counts)?;
                parts.push((index, searcher, q, found));
            }
        }
        if parts.is_empty() {
            results.notices.push(
                "Søgningen indeholdt kun småord (som «og», «i», «at»), der ikke søges på.".into(),
            );
            return Ok(Found::new(results));
        }
        // Facets and totals: the sum over the indexes searched (their entries are
        // disjoint: a body's entries come from one index only).
        let mut counts = Counts::default();
        for (_, _, _, found) in &mut parts {
            counts.add(std::mem::take(&mut found.counts));
        }
        let estimated = counts.estimated;
        results.estimated = estimated;
        results.total = rounded(counts.total, estimated);
        results.items = rounded(counts.item_count(), estimated);
        let facet_counts: HashMap<(String, String), u64> = counts
            .facets
            .into_iter()
            .map(|(k, v)| (k, rounded(v, estimated).max(1)))
            .collect();
        results.facets = FACETS
            .iter()
            .map(|name| {
                let mut values: Vec<FacetValue> = facet_counts
                    .iter()
                    .filter(|((f, _), _)| f == name)
                    .map(|((f, k), c)| FacetValue {
                        key: k.clone(),
                        label: facet_label(f, k),
                        count: *c,
                    })
                    .collect();
                if *name == "år" {
                    values.sort_by(|a, b| b.key.cmp(&a.key));
                } else {
                    values.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
                }
                Facet {
                    name: (*name).to_string(),
                    values,
                }
            })
            .collect();
        let firsts = loop {
            let firsts = item_firsts(&parts, need);
            let exhausted = parts.iter().all(|(_, _, _, f)| f.top.len() < want);
            if firsts.len() >= need || exhausted || want >= MAX_RESULTS * 2 {
                break firsts;
            }
            want = (want * 4).min(MAX_RESULTS * 2);
            for (index, searcher, query, found) in &mut parts {
                found.top = top_entries(searcher, index, query.as_ref(), request.sort, want)?;
            }
        };
        results.more = firsts.len() > skip + per_page;
        let mut picked = Vec::new();
        for (score, i, address) in firsts.into_iter().skip(skip).take(per_page) {
            let doc: TantivyDocument = parts[i].1.doc(address)?;
            picked.push((i, score, doc));
        }
        if picked.is_empty() && skip > 0 && results.total > 0 {
            results
                .notices
                .push("Der er ikke flere resultater; gå tilbage til første side.".into());
        }
        // One set of snippet generators per index that gave a hit on this page.
        let mut generators: Vec<Vec<SnippetGenerator>> = Vec::new();
        let mut made: HashMap<usize, usize> = HashMap::new();
        let mut sources = Vec::new();
        for (i, score, doc) in picked {
            let (index, searcher, query, _) = &parts[i];
            let f = &index.fields;
            let source = match made.get(&i) {
                Some(k) => *k,
                None => {
                    generators.push(snippet_generators(index, searcher, query.as_ref())?);
                    made.insert(i, generators.len() - 1);
                    generators.len() - 1
                }
            };
            sources.push(source);
            let part = stored_str(&doc, f.part);
            let day = doc.get_first(f.day).and_then(|v| v.as_i64()).unwrap_or(0);
            let date = format!(
                "{:04}-{:02}-{:02}",
                day / 10_000,
                day / 100 % 100,
                day % 100
            );
            let item = stored_u64(&doc, f.item).and_then(|n| u32::try_from(n).ok());
            let attachment = stored_u64(&doc, f.attachment).and_then(|n| u32::try_from(n).ok());
            let kind = Part::from_key(&part).unwrap_or(Part::Title);
            let entry_href = crate::entries::href(
                &stored_str(&doc, f.body_slug),
                &date,
                item,
                attachment,
                kind,
                &stored_str(&doc, f.anchor),
            );
            let decision = Some(stored_str(&doc, f.decision)).filter(|d| !d.is_empty());
            let meeting_id = stored_str(&doc, f.meeting);
            let item_title = stored_str(&doc, f.item_title);
            let place = Place {
                meeting_id: meeting_id.clone(),
                audience: index.audience,
                item,
                item_title: item_title.clone(),
                part: kind,
                nth: stored_u64(&doc, f.nth)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
                attachment: (kind == Part::AttachmentText)
                    .then_some(attachment)
                    .flatten(),
            };
            results.hits.push(Hit {
                href: entry_href,
                meeting_id,
                body_code: stored_str(&doc, f.body),
                body_name: stored_str(&doc, f.body_name),
                body_slug: stored_str(&doc, f.body_slug),
                date,
                document: stored_str(&doc, f.document),
                item: item.map(u64::from),
                item_title,
                part_label: Part::from_key(&part).map_or(String::new(), |p| p.label().into()),
                part,
                heading: stored_str(&doc, f.heading),
                attachment: attachment.map(u64::from),
                decision,
                snippet: String::new(),
                score,
                place,
            });
        }
        // "Mente du …?" where little was found and a word is unknown.
        if results.total < 3 && parsed.words().any(|w| self.public.unknown_word(w)) {
            results.suggestion = self.public.suggest(&parsed);
        }
        Ok(Found {
            results,
            sources,
            generators,
        })
    }
}

/// A snippet generator per analysis the query searches (each costs a pass over an entry's
/// text), weighing each searched term by how rare it is, as tantivy's own does; stems are
/// analyzed only in words that contain them (see [`crate::analysis::snippet_analyzer`]).
fn snippet_generators(
    index: &SearchIndex,
    searcher: &Searcher,
    query: &dyn Query,
) -> Result<Vec<SnippetGenerator>> {
    let f = &index.fields;
    let mut searched = Vec::new();
    query.query_terms(&mut |term, _| searched.push(term.clone()));
    let mut gens = Vec::new();
    for field in [f.parts, f.exact] {
        let mut terms: BTreeMap<String, f32> = BTreeMap::new();
        for term in searched.iter().filter(|t| t.field() == field) {
            let Some(text) = term.value().as_str().map(str::to_string) else {
                continue;
            };
            let df = searcher.doc_freq(term)?;
            if df > 0 {
                terms.insert(text, 1.0 / (1.0 + df as f32));
            }
        }
        if terms.is_empty() {
            continue;
        }
        let analyzer = if field == f.parts {
            crate::analysis::snippet_analyzer(&index.lexicon, terms.keys().map(String::as_str))
        } else {
            index.index.tokenizer_for_field(field)?
        };
        gens.push(SnippetGenerator::new(terms, analyzer, field, SNIPPET_CHARS));
    }
    Ok(gens)
}

impl SearchIndex {
    /// Whether a word searched for is in none of this index's entries.
    fn unknown_word(&self, word: &str) -> bool {
        // Common words are known (the index keeps them mostly in pairs).
        if crate::analysis::is_identifier(word)
            || crate::analysis::is_common(&crate::analysis::normalize(word))
        {
            return false;
        }
        let f = &self.fields;
        // A compound of known words is spelt right, whether or not it is in the index.
        if self
            .analyze_word(word)
            .iter()
            .any(|(_, t)| t.contains(crate::analysis::PAIR))
        {
            return false;
        }
        let searcher = self.reader.searcher();
        let norm = crate::analysis::normalize(word);
        let term = tantivy::Term::from_field_text(f.exact, &norm);
        searcher.doc_freq(&term).unwrap_or(0) == 0
            && self
                .build(
                    &Parsed {
                        must: vec![vec![crate::query::Clause::Word(word.to_string())]],
                        ..Parsed::default()
                    },
                    &crate::Filters::default(),
                    BodyScope::All,
                    false,
                )
                .map(|q| q.count(&searcher).unwrap_or(0) == 0)
                .unwrap_or(true)
    }

    /// The query with every unknown word replaced by the closest word of this index's
    /// vocabulary (same first letter, at most two edits), or `None`.
    pub(crate) fn suggest(&self, parsed: &Parsed) -> Option<String> {
        let mut changed = false;
        let mut words = Vec::new();
        for w in parsed.words() {
            if self.unknown_word(w)
                && let Some(better) = self.closest(w)
            {
                words.push(better);
                changed = true;
                continue;
            }
            words.push(w.to_string());
        }
        changed.then(|| words.join(" "))
    }

    /// The most used word of the vocabulary within two edits of `word` (one edit for
    /// words of up to five letters), found by a Levenshtein automaton walking the term
    /// dictionary: bounded work, however large the vocabulary.
    fn closest(&self, word: &str) -> Option<String> {
        use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder};
        let norm = crate::analysis::normalize(word);
        let letters = norm.chars().count();
        if letters < 3 {
            return None;
        }
        let edits: u8 = if letters <= 5 { 1 } else { 2 };
        // Building the tables of a distance is the costly part: once per process.
        static BUILDERS: std::sync::OnceLock<[LevenshteinAutomatonBuilder; 2]> =
            std::sync::OnceLock::new();
        let builders = BUILDERS.get_or_init(|| {
            [
                LevenshteinAutomatonBuilder::new(1, true),
                LevenshteinAutomatonBuilder::new(2, true),
            ]
        });
        let dfa = builders[usize::from(edits) - 1].build_dfa(&norm);
        let searcher = self.reader.searcher();
        let mut best: Option<(u8, u64, String)> = None;
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.exact) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(Levenshtein(&dfa)).into_stream() else {
                continue;
            };
            let mut looked = 0;
            while stream.advance() && looked < 10_000 {
                looked += 1;
                let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                // Pairs with a common word ("til_for") are terms, not words.
                if candidate == norm || candidate.contains(crate::analysis::PAIR) {
                    continue;
                }
                let distance = match dfa.eval(candidate) {
                    Distance::Exact(d) => d,
                    Distance::AtLeast(_) => continue,
                };
                let freq = u64::from(stream.value().doc_freq);
                let better = match &best {
                    None => true,
                    Some((d, f, _)) => distance < *d || (distance == *d && freq > *f),
                };
                if better {
                    best = Some((distance, freq, candidate.to_string()));
                }
            }
        }
        best.map(|(_, _, w)| w)
    }
}

/// A Levenshtein automaton as the term dictionary walks it.
struct Levenshtein<'a>(&'a levenshtein_automata::DFA);

impl tantivy_fst::Automaton for Levenshtein<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(
            self.0.distance(*state),
            levenshtein_automata::Distance::Exact(_)
        )
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
