//! Danish compound words split into their parts, from a hunspell word list.
//!
//! Danish writes compounds as one word: "byrådsmødet" is "byråd" + linking "s" + "mødet".
//! A search for "møde" should find it, and a search for "lokalplan" should find
//! "lokalplanforslaget". Debian's `hunspell-da` dictionary (`da_DK.dic`) marks each stem
//! with flags saying whether it may begin or continue a compound bare (31), with a linking
//! -s- (29) or a linking -e- (30), and whether it may end one (39). [`Compounds`] reads those
//! flags and splits a word into the finest sequence of known parts: every part but the last
//! a stem in one of its compound-initial forms, the last a word that may end a compound. The
//! same split runs on the text indexed and on the words searched for, so a word's parts are
//! found as a phrase inside the parts of any longer compound that contains it.
//!
//! Verbal prefixes ("for", "til", "ud", …) are never split off: "forslag" is not "for" +
//! "slag", "tilpasning" is not "til" + "pasning".

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::Path;

use sha2::{Digest, Sha256};

/// Where Debian's `hunspell-da` puts the Danish dictionary.
pub const SYSTEM_DICTIONARY: &str = "/usr/share/hunspell/da_DK.dic";

/// A small word list in the same format, kept in the repository: used by tests, and when
/// the system has no Danish dictionary (compounds are then split only where its words are).
pub const TEST_WORD_LIST: &str = include_str!("../data/da-test.dic");

/// Flags of `da_DK.aff`: bare, -s- and -e- compound-initial forms; may end a compound.
const BARE: &str = "31";
const LINK_S: &str = "29";
const LINK_E: &str = "30";
const LAST: &str = "39";
const FORBIDDEN: &str = "6";

/// Shortest part a word is split into, and shortest word that is split at all.
const MIN_PART: usize = 3;
const MIN_WORD: usize = 6;

/// Prefixes that make words of their own ("forslag", "tilsyn", "udvalg") rather than
/// compounds: never split off as a part.
const PREFIXES: &[&str] = &[
    "af", "an", "be", "er", "for", "fore", "fra", "gen", "ind", "med", "mis", "mod", "ned", "om",
    "op", "over", "sam", "til", "tilbage", "ud", "under", "van", "efter", "frem", "igen",
];

/// The parts a compound is split into.
#[derive(Clone, Debug)]
pub struct Compounds {
    /// A compound-initial form ("byråds") → the stem it stands for ("byråd").
    initial: HashMap<String, String>,
    /// Words that may end a compound, as written in the list ("møde"), lower case.
    last: HashSet<String>,
    /// Identifies the word list (its size and a hash), so an index built with another
    /// list is rebuilt.
    fingerprint: String,
    /// Where the list was read from (for logs).
    source: String,
}

impl Compounds {
    /// Reads a word list in hunspell `.dic` form (`word/flag,flag,…` per line; the first
    /// line may be the count).
    pub fn from_dic(text: &str, source: &str) -> Self {
        let mut initial = HashMap::new();
        let mut last = HashSet::new();
        for line in text.lines().skip_while(|l| l.trim().parse::<u64>().is_ok()) {
            let line = line.trim();
            let (word, flags) = line.split_once('/').unwrap_or((line, ""));
            // Entries may carry morphological fields after a tab or space.
            let flags = flags.split(['\t', ' ']).next().unwrap_or("");
            let flags: Vec<&str> = flags.split(',').collect();
            if word.is_empty() || word.contains(['-', '.', ' ']) || flags.contains(&FORBIDDEN) {
                continue;
            }
            let word = word.to_lowercase();
            if word.chars().count() < MIN_PART {
                continue;
            }
            let has = |f: &str| flags.contains(&f);
            if has(BARE) || has(LINK_S) || has(LINK_E) {
                // The bare stem starts compounds in practice also where the list asks for
                // a linking letter ("lokalplanforslag" beside "lokalplansforslag").
                initial.entry(word.clone()).or_insert_with(|| word.clone());
            }
            if has(LINK_S) {
                initial
                    .entry(format!("{word}s"))
                    .or_insert_with(|| word.clone());
            }
            if has(LINK_E) && !word.ends_with('e') {
                initial
                    .entry(format!("{word}e"))
                    .or_insert_with(|| word.clone());
            }
            if has(LAST) {
                last.insert(word);
            }
        }
        for p in PREFIXES {
            initial.remove(*p);
        }
        let hash = Sha256::digest(text.as_bytes());
        let fingerprint = format!(
            "{}-{:02x}{:02x}{:02x}{:02x}",
            initial.len() + last.len(),
            hash[0],
            hash[1],
            hash[2],
            hash[3]
        );
        Self {
            initial,
            last,
            fingerprint,
            source: source.to_string(),
        }
    }

    /// The system's Danish dictionary when installed, else the repository's test list.
    pub fn system() -> Self {
        Self::from_file_or_test(Path::new(SYSTEM_DICTIONARY))
    }

    /// The word list in `path` if it can be read, else the repository's test list.
    pub fn from_file_or_test(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => Self::from_dic(&String::from_utf8_lossy(&bytes), &path.to_string_lossy()),
            Err(e) => {
                tracing::warn!(
                    "no Danish dictionary at {} ({e}); compounds are split with the small test word list only (install hunspell-da)",
                    path.display()
                );
                Self::test()
            }
        }
    }

    /// The repository's test word list.
    pub fn test() -> Self {
        Self::from_dic(TEST_WORD_LIST, "test word list")
    }

    /// The words that may end a compound.
    pub fn last_words(&self) -> impl Iterator<Item = &str> {
        self.last.iter().map(String::as_str)
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// How many compound-initial forms and final words the list gave.
    pub fn len(&self) -> usize {
        self.initial.len() + self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parts of `word` (lower case), finest split first: ["byråd", "mødet"] for
    /// "byrådsmødet" (initial parts as their stems, the last part as written), or `None`
    /// when it is not a compound of known parts. `ends` says whether a last part may end a
    /// compound (the caller compares stems, so "mødet" ends one because "møde" does).
    pub fn split(&self, word: &str, ends: &mut dyn FnMut(&str) -> bool) -> Option<Vec<String>> {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let n = chars.len();
        if n < MIN_WORD {
            return None;
        }
        let at = |i: usize| chars.get(i).map_or(word.len(), |(b, _)| *b);
        // best[i]: the most parts `word[at(i)..]` splits into, with where the first ends
        // (None: it is a valid last part on its own).
        // reach[i]: `word[..at(i)]` is a run of first parts. Only there can a part begin,
        // so only there is the rest asked about (each asking stems it).
        let mut reach = vec![false; n + 1];
        reach[0] = true;
        for i in 0..n {
            if !reach[i] {
                continue;
            }
            for j in (i + MIN_PART)..=(n.saturating_sub(MIN_PART)) {
                if !reach[j] && self.initial.contains_key(&word[at(i)..at(j)]) {
                    reach[j] = true;
                }
            }
        }
        let mut best: Vec<Option<(usize, Option<usize>)>> = vec![None; n + 1];
        for i in (0..n).rev() {
            if !reach[i] {
                continue;
            }
            let rest = &word[at(i)..];
            // The whole word as one part is no split (i = 0).
            if i > 0 && n - i >= MIN_PART && (self.last.contains(rest) || ends(rest)) {
                best[i] = Some((1, None));
            }
            for j in (i + MIN_PART)..=(n.saturating_sub(MIN_PART)) {
                let Some((count, _)) = best[j] else { continue };
                if !self.initial.contains_key(&word[at(i)..at(j)]) {
                    continue;
                }
                if best[i].is_none_or(|(c, _)| count + 1 > c) {
                    best[i] = Some((count + 1, Some(j)));
                }
            }
        }
        let (count, _) = best[0]?;
        if count < 2 {
            return None;
        }
        let mut parts = Vec::with_capacity(count);
        let mut i = 0;
        while let Some((_, next)) = best[i] {
            match next {
                Some(j) => {
                    let form = &word[at(i)..at(j)];
                    parts.push(self.initial.get(form).cloned().unwrap_or_default());
                    i = j;
                }
                None => {
                    parts.push(word[at(i)..].to_string());
                    break;
                }
            }
        }
        Some(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(c: &Compounds, w: &str) -> Option<Vec<String>> {
        let last = c.last.clone();
        // Stand-in for stemming: a last part ends a compound if it is a listed word with an
        // inflection ending added.
        let mut ends = |s: &str| {
            ["et", "en", "er", "erne", "ene", "ne", "t", "n", "r"]
                .iter()
                .any(|e| s.strip_suffix(e).is_some_and(|b| last.contains(b)))
        };
        c.split(w, &mut ends)
    }

    #[test]
    fn splits_compounds_of_the_test_list_at_linking_letters() {
        let c = Compounds::test();
        assert_eq!(
            split(&c, "byrådsmødet").as_deref(),
            Some(&["byråd".to_string(), "mødet".to_string()][..])
        );
        assert_eq!(
            split(&c, "klimatilpasningsplanen"),
            Some(vec!["klima".into(), "tilpasning".into(), "planen".into()])
        );
        assert_eq!(
            split(&c, "lokalplanforslaget"),
            Some(vec!["lokal".into(), "plan".into(), "forslaget".into()])
        );
    }

    #[test]
    fn leaves_simple_words_and_verbal_prefixes_whole() {
        let c = Compounds::test();
        assert_eq!(split(&c, "møde"), None);
        assert_eq!(split(&c, "forslag"), None, "not for + slag");
        assert_eq!(split(&c, "tilpasning"), None, "not til + pasning");
        assert_eq!(split(&c, "xyzzyplan"), None, "unknown first part");
    }

    #[test]
    fn reads_hunspell_lines_with_counts_and_morphology() {
        let c = Compounds::from_dic("3\nhus/10,31\tpo:noun\nbåd/29,39\nxx/31\n", "t");
        assert_eq!(
            split(&c, "husbåden"),
            Some(vec!["hus".into(), "båden".into()])
        );
        assert!(!c.initial.contains_key("xx"), "too short to be a part");
        assert_ne!(c.fingerprint(), Compounds::test().fingerprint());
    }
}
