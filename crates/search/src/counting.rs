//! Counting what a search found, in bounded work.
//!
//! A word found in nearly every meeting matches hundreds of thousands of entries in a large
//! archive; counting them all (and their items and facet values) would make the search page
//! cost grow with the archive. The first [`COUNT_LIMIT`] matches are counted one by one, so
//! a search that matches fewer is counted exactly. Beyond them, the rest of each segment's
//! documents is cut into [`STRIDES`] equal stretches and only the first matches of each
//! stretch are looked at (about as many in all as the limit, shared by size): how far into its stretch the quota was
//! reached tells the stretch's density, which scales its counts. Stretches cover the whole
//! archive evenly (old and new meetings, every body), so facets are estimated from the
//! whole of it, not from whatever was indexed first. Estimates are flagged and rounded.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::query::Weight;
use tantivy::schema::Facet;
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

/// About how many matching entries a search looks at to count its results.
pub const COUNT_LIMIT: usize = 10_000;
/// Stretches of documents per segment that share the count limit.
const STRIDES: u32 = 64;

/// What a search found, counted: exactly, or estimated from a sample of its matches.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    /// Matching entries.
    pub total: f64,
    /// Items (and meetings) among them known one by one (exactly counted stretches).
    pub items: HashSet<u64>,
    /// Items estimated on top of `items` (sampled stretches).
    pub more_items: f64,
    /// Per facet ("organ", "år", …) and value: matching entries.
    pub facets: HashMap<(String, String), f64>,
    /// Whether any of it is an estimate.
    pub estimated: bool,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.total += other.total;
        self.items.extend(other.items);
        self.more_items += other.more_items;
        for (k, v) in other.facets {
            *self.facets.entry(k).or_default() += v;
        }
        self.estimated |= other.estimated;
    }

    pub fn item_count(&self) -> f64 {
        self.items.len() as f64 + self.more_items
    }
}

/// Counts matches, their items and facet values, looking at about `limit` matches.
pub(crate) struct BoundedCounts {
    /// Documents of the whole index (its segments share `limit` by their size when
    /// sampled).
    docs: u64,
    limit: usize,
    /// Matches still to be counted one by one (shared by the segments).
    exact_left: AtomicUsize,
}

impl BoundedCounts {
    pub fn new(limit: usize, docs: u64) -> Self {
        Self {
            docs,
            limit,
            exact_left: AtomicUsize::new(limit),
        }
    }

    /// Counts the segment's matches one by one while the shared budget lasts. Returns
    /// `None` when it has counted them all, else the document it stopped at (the scorer
    /// is on it; it and what follows are not counted).
    fn exactly(
        &self,
        child: &mut SegmentCounts,
        scorer: &mut dyn DocSet,
        reader: &SegmentReader,
    ) -> Option<DocId> {
        let alive = reader.alive_bitset();
        let mut taken = Vec::new();
        let mut doc = scorer.doc();
        let mut stopped = None;
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                let claimed =
                    self.exact_left
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                if claimed.is_err() {
                    stopped = Some(doc);
                    break;
                }
                taken.push(doc);
            }
            doc = scorer.advance();
        }
        child.take(&taken, 1.0, None);
        stopped
    }
}

pub(crate) struct SegmentCounts {
    facets: Option<FacetReader>,
    items: Option<Column<u64>>,
    /// Weighted matches per facet ordinal of this segment.
    per_facet: Vec<f64>,
    counts: Counts,
}

impl SegmentCounts {
    /// Takes one stretch's matches, each standing for `weight` matches; `before` is the
    /// item of the document just before the stretch.
    fn take(&mut self, docs: &[DocId], weight: f64, before: Option<u64>) {
        let exact = weight == 1.0;
        // An item's entries lie next to each other: a sampled stretch counts the items
        // that begin in it (an item begun before it is counted there).
        let mut previous = before;
        let mut starts = 0u64;
        for &doc in docs {
            if let Some(facets) = &self.facets {
                for ord in facets.facet_ords(doc) {
                    if let Some(c) = self.per_facet.get_mut(ord as usize) {
                        *c += weight;
                    }
                }
            }
            if let Some(key) = self.items.as_ref().and_then(|c| c.first(doc)) {
                if exact {
                    self.counts.items.insert(key);
                } else if previous != Some(key) {
                    starts += 1;
                }
                previous = Some(key);
            }
        }
        self.counts.total += docs.len() as f64 * weight;
        if !exact {
            self.counts.more_items += starts as f64 * weight;
            self.counts.estimated = true;
        }
    }

    fn item_of(&self, doc: DocId) -> Option<u64> {
        self.items.as_ref().and_then(|c| c.first(doc))
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.take(&[doc], 1.0, None);
    }

    fn harvest(mut self) -> Counts {
        if let Some(reader) = &self.facets {
            let mut facet = Facet::root();
            for (ord, count) in self.per_facet.iter().enumerate() {
                if *count == 0.0 || reader.facet_from_ord(ord as u64, &mut facet).is_err() {
                    continue;
                }
                let path = facet.to_path();
                if let [name, value] = path.as_slice() {
                    *self
                        .counts
                        .facets
                        .entry((name.to_string(), value.to_string()))
                        .or_default() += count;
                }
            }
        }
        self.counts
    }
}

impl Collector for BoundedCounts {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let facets = segment.facet_reader("facets").ok();
        let per_facet = vec![0.0; facets.as_ref().map_or(0, FacetReader::num_facets)];
        Ok(SegmentCounts {
            facets,
            items: segment.fast_fields().u64("item_key").ok(),
            per_facet,
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for f in fruits {
            all.add(f);
        }
        Ok(all)
    }

    /// Counted one by one while the limit lasts; beyond, each stretch of the rest of the
    /// segment's documents gives up to its quota of matches, and a stretch with more is
    /// scaled by how far into it the quota was reached.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Counts> {
        let mut child = self.for_segment(segment_ord, reader)?;
        let max_doc = reader.max_doc();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let Some(start) = self.exactly(&mut child, scorer.as_mut(), reader) else {
            return Ok(child.harvest());
        };
        // What is left of the segment, from `start`, is sampled with its share of the limit.
        let span = u64::from(max_doc - start);
        let share = (self.limit as u128 * u128::from(span)).div_ceil(u128::from(self.docs.max(1)));
        let strides = u64::from(STRIDES).min(span).max(1);
        let quota =
            usize::try_from(share.div_ceil(u128::from(strides)).max(1)).unwrap_or(usize::MAX);
        let alive = reader.alive_bitset();
        let mut taken = Vec::new();
        for s in 0..strides {
            let lo = start + (span * s / strides) as DocId;
            let hi = start + (span * (s + 1) / strides) as DocId;
            let mut doc = scorer.doc();
            if doc < lo {
                doc = scorer.seek(lo);
            }
            if doc == TERMINATED {
                break;
            }
            taken.clear();
            while doc < hi && taken.len() < quota {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    taken.push(doc);
                }
                doc = scorer.advance();
            }
            let weight = match taken.last() {
                // The quota was reached before the stretch's end: scale by the part seen.
                Some(&last) if doc < hi && taken.len() == quota => {
                    f64::from(hi - lo) / f64::from(last + 1 - lo)
                }
                _ => 1.0,
            };
            let before = lo.checked_sub(1).and_then(|d| child.item_of(d));
            child.take(&taken, weight, before);
        }
        Ok(child.harvest())
    }
}

/// An estimate rounded to what it can tell (two significant digits: 12.345 → 12.000);
/// exact counts as they are.
pub(crate) fn rounded(n: f64, estimated: bool) -> u64 {
    let n = n.round().max(0.0);
    if !estimated || n < 100.0 {
        return n as u64;
    }
    let scale = 10f64.powi(n.log10().floor() as i32 - 1);
    ((n / scale).round() * scale) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_rounded_to_two_digits_and_exact_counts_are_not() {
        assert_eq!(rounded(12_345.0, true), 12_000);
        assert_eq!(rounded(12_345.0, false), 12_345);
        assert_eq!(rounded(987.4, true), 990);
        assert_eq!(rounded(42.4, true), 42);
        assert_eq!(rounded(0.4, true), 0);
    }
}
