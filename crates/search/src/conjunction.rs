//! Words that must all be found, each as any of its terms ("budget skole": the stem
//! "budget" whole or as part of a compound, and the same for "skole"), ranked by block-max
//! pruning.
//!
//! tantivy skips through the blocks of an intersection that cannot reach the top only when
//! every clause is one plain term. A searched word is a union of terms (see
//! [`SearchIndex::clause_query`](crate::index::SearchIndex)), so an intersection of words
//! was scored entry by entry: two common words cost as much as there are entries with both.
//! [`AllWordsQuery`] finds the same entries with the same scores, and when tantivy asks for
//! the best entries only ([`Weight::for_each_pruning`]) it passes over each stretch of
//! entries whose best possible score (the sum of its terms' block maxima) cannot beat the
//! current top. Everything else (counting, filters around it, explanations) is the plain
//! boolean query it stands for.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, EnableScoring, Explanation, Occur, Query, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, TERMINATED, Term};

/// A term of a word and the weight of its score.
pub(crate) type WeightedTerm = (Term, Score);

/// Every one of `words` (at least two), each found as any of its weighted terms.
#[derive(Clone, Debug)]
pub(crate) struct AllWordsQuery {
    words: Vec<Vec<WeightedTerm>>,
}

impl AllWordsQuery {
    pub(crate) fn new(words: Vec<Vec<WeightedTerm>>) -> Self {
        Self { words }
    }

    /// The same query as tantivy's boolean query: all of the words, each any of its terms.
    pub(crate) fn plain(&self) -> BooleanQuery {
        BooleanQuery::new(
            self.words
                .iter()
                .map(|terms| {
                    let any: Vec<(Occur, Box<dyn Query>)> = terms
                        .iter()
                        .map(|(term, weight)| (Occur::Should, weighted(term, *weight)))
                        .collect();
                    (
                        Occur::Must,
                        Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
                    )
                })
                .collect(),
        )
    }
}

fn term_query(term: &Term) -> TermQuery {
    TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)
}

/// A term query in `parts` (frequencies, no positions), its score weighted.
pub(crate) fn weighted(term: &Term, weight: Score) -> Box<dyn Query> {
    if weight == 1.0 {
        Box::new(term_query(term))
    } else {
        Box::new(BoostQuery::new(Box::new(term_query(term)), weight))
    }
}

impl Query for AllWordsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let plain = self.plain().weight(scoring)?;
        // Each term's BM25 weight as a term query weighs it (the same statistics, the same
        // boost), so that the scores are the plain query's.
        let words = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let mut words = Vec::with_capacity(self.words.len());
                for terms in &self.words {
                    let mut weighed = Vec::with_capacity(terms.len());
                    for (term, weight) in terms {
                        let bm25 =
                            Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?
                                .boost_by(*weight);
                        weighed.push((term.clone(), bm25));
                    }
                    words.push(weighed);
                }
                Some(words)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(AllWordsWeight { plain, words }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in self.words.iter().flatten() {
            visitor(term, false);
        }
    }
}

struct AllWordsWeight {
    plain: Box<dyn Weight>,
    /// Per word, its terms with their BM25 weights; `None` when scoring is off.
    words: Option<Vec<Vec<(Term, Bm25Weight)>>>,
}

impl Weight for AllWordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.plain.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.plain.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.plain.count(reader)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let Some(words) = &self.words else {
            return self.plain.for_each_pruning(threshold, reader, callback);
        };
        let mut cursors: Vec<Vec<Cursor>> = Vec::with_capacity(words.len());
        for terms in words {
            let mut found = Vec::with_capacity(terms.len());
            for (term, bm25) in terms {
                let postings = reader
                    .inverted_index(term.field())?
                    .read_block_postings(term, IndexRecordOption::WithFreqs)?;
                if let Some(postings) = postings {
                    let fieldnorms = reader.get_fieldnorms_reader(term.field())?;
                    found.push(Cursor::new(postings, bm25.clone(), fieldnorms));
                }
            }
            if found.iter().all(|c| c.doc() == TERMINATED) {
                // A word with none of its terms in this segment: nothing here has them all.
                return Ok(());
            }
            cursors.push(found);
        }
        best_of_all(cursors, threshold, callback);
        Ok(())
    }
}

/// A term's entries in a segment, block by block, with its BM25 weight.
struct Cursor {
    postings: BlockSegmentPostings,
    /// The current entry's place in the current block.
    at: usize,
    bm25: Bm25Weight,
    fieldnorms: FieldNormReader,
    size: u32,
}

impl Cursor {
    fn new(
        mut postings: BlockSegmentPostings,
        bm25: Bm25Weight,
        fieldnorms: FieldNormReader,
    ) -> Self {
        let at = postings.seek(0);
        let size = postings.doc_freq();
        Self {
            postings,
            at,
            bm25,
            fieldnorms,
            size,
        }
    }

    /// The current entry, or `TERMINATED` when there are no more.
    fn doc(&self) -> DocId {
        self.postings
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// Moves to the first entry at or after `target`: within the current block step by
    /// step (the next entry asked for is mostly a few entries on), else through the skip
    /// list.
    fn seek(&mut self, target: DocId) {
        if self.doc() >= target {
            return;
        }
        if self.block_end() >= target {
            let docs = self.postings.docs();
            while docs.get(self.at).is_some_and(|d| *d < target) {
                self.at += 1;
            }
        } else {
            self.at = self.postings.seek(target);
        }
    }

    fn score(&self) -> Score {
        let doc = self.doc();
        self.bm25.score(
            self.fieldnorms.fieldnorm_id(doc),
            self.postings.freq(self.at),
        )
    }

    /// The best score of an entry of the current block.
    fn block_max(&mut self) -> Score {
        self.postings.block_max_score(&self.fieldnorms, &self.bm25)
    }

    /// The last entry of the current block.
    fn block_end(&self) -> DocId {
        self.postings.docs().last().copied().unwrap_or(TERMINATED)
    }
}

/// The first entry at or after `target` that has any of `terms`.
fn seek_any(terms: &mut [Cursor], target: DocId) -> DocId {
    let mut first = TERMINATED;
    for t in terms.iter_mut() {
        t.seek(target);
        first = first.min(t.doc());
    }
    first
}

/// Calls `callback` with each entry that has a term of every word and a score above the
/// threshold (which `callback` raises as the top fills). The rarest word proposes entries;
/// a stretch of entries (up to the end of the first of the terms' current blocks) is passed
/// over when the terms' block maxima together cannot beat the threshold, and a proposed
/// entry is passed over without asking the other words when its own score and their block
/// maxima together cannot.
fn best_of_all(
    mut words: Vec<Vec<Cursor>>,
    mut threshold: Score,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) {
    words.sort_by_key(|terms| terms.iter().map(|t| u64::from(t.size)).sum::<u64>());
    let Some((leader, others)) = words.split_first_mut() else {
        return;
    };
    let mut doc: DocId = 0;
    // For the stretch of entries up to `stretch_end`: the best score the leader's terms
    // and the other words' terms can give an entry in it.
    let mut stretch_end: Option<DocId> = None;
    let mut leader_best: Score = 0.0;
    let mut others_best: Score = 0.0;
    'entries: loop {
        doc = seek_any(leader, doc);
        if doc == TERMINATED {
            return;
        }
        let end = match stretch_end {
            Some(end) if end >= doc => end,
            _ => {
                // Every term on the block that holds its entries from `doc` on: up to the
                // end of the first of these blocks, each term's entries are in its
                // current block.
                let mut end = TERMINATED;
                leader_best = 0.0;
                others_best = 0.0;
                for (k, terms) in std::iter::once(&mut *leader)
                    .chain(others.iter_mut())
                    .enumerate()
                {
                    for t in terms.iter_mut() {
                        t.seek(doc);
                        if t.doc() == TERMINATED {
                            continue;
                        }
                        let best = t.block_max();
                        if k == 0 {
                            leader_best += best;
                        } else {
                            others_best += best;
                        }
                        end = end.min(t.block_end());
                    }
                }
                stretch_end = Some(end);
                end
            }
        };
        if leader_best + others_best <= threshold {
            doc = end.saturating_add(1);
            if doc >= TERMINATED {
                return;
            }
            continue;
        }
        let lead: Score = leader
            .iter()
            .filter(|t| t.doc() == doc)
            .map(Cursor::score)
            .sum();
        if lead + others_best <= threshold {
            doc += 1;
            continue;
        }
        let mut score = lead;
        for terms in others.iter_mut() {
            let next = seek_any(terms, doc);
            if next == TERMINATED {
                return;
            }
            if next > doc {
                // This word is not here: on from where it is.
                doc = next;
                continue 'entries;
            }
            score += terms
                .iter()
                .filter(|t| t.doc() == doc)
                .map(Cursor::score)
                .sum::<Score>();
        }
        if score > threshold {
            threshold = callback(doc, score);
        }
        doc += 1;
    }
}
