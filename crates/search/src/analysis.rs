//! Danish text analysis: how text becomes the terms of the index, the same for what is
//! indexed and what is searched for.
//!
//! Two analyses of the same text, each its own field:
//! - `da_parts`: words in lower case, stop words left out, Snowball Danish stems
//!   ("møderne", "mødet" → "mød"; never folded to ASCII: "sø" is not "so"). A compound
//!   is there whole ("byrådsmød") and by its parts at consecutive positions, each part
//!   marked ("~byråd", "~mød") and each pair of neighbouring parts as one term
//!   ("byråd_mød"), so a compound searched for is found inside a longer one, and a word
//!   is found whole (unmarked) apart from as a part (marked).
//! - `da_exact`: words in lower case, nothing removed or stemmed, for quoted phrases;
//!   each pair of neighbouring words of which one is a common word ("til_for",
//!   "en_direktionen") is one more term (Lucene's "common grams"), so a phrase with common
//!   words is found by rare terms instead of by checking the positions of "en" in nearly
//!   every entry.
//!
//! In both "aa" is written "å", so Aarhus finds Århus and the other way round.
//! Identifiers (document, journal and case numbers: "91141/23", "EMN-2025-01234") are
//! collected apart by [`identifiers`] and indexed whole.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

use crate::compounds::Compounds;

pub const PARTS: &str = "da_parts";
/// `da_parts` as a searched word is analyzed: a compound of two parts also gives the pair
/// of its parts, which the index has only inside longer compounds (see [`Mode`]).
pub const PARTS_QUERY: &str = "da_parts_query";
pub const EXACT: &str = "da_exact";
pub const IDENTIFIER: &str = "identifier";

/// Joins neighbouring parts of a compound in the `da_parts` field ("byråd_mød"), and a
/// common word and its neighbour in `da_exact` ("til_for").
pub const PAIR: char = '_';

/// Marks a part of a compound in `da_parts` ("~mød" of "byrådsmødet"), apart from the
/// same word standing alone ("mød").
pub const PART: char = '~';

/// Words so common that a phrase with one of them is searched by the pair it makes with
/// its neighbour (see [`PAIR`]): Danish function words, the most frequent first.
const COMMON_WORDS: &[&str] = &[
    "og", "i", "at", "det", "en", "til", "er", "som", "på", "de", "med", "for", "af", "den", "der",
    "ikke", "et", "har", "vil", "skal", "kan", "om", "fra", "blev", "efter", "ved", "mellem",
    "eller", "var", "sig", "men", "så", "over", "under", "også", "hvor", "når", "bliver", "være",
    "have", "denne", "dette", "disse", "kunne", "skulle", "ville", "hvis", "end", "man", "vi",
    "nu", "mod", "ud", "op", "alle", "sin", "sit", "sine", "deres",
];

/// Whether a normalized word is one of [`COMMON_WORDS`].
pub fn is_common(word: &str) -> bool {
    COMMON_WORDS.contains(&word)
}

/// A token's `position_length` while it goes through the filters, for a part of a
/// compound: [`MarkParts`] marks it and sets it back to 1.
const PART_TOKEN: usize = 2;

/// Longest word indexed (longer "words" are noise: hashes, run-together tables).
const LONGEST: usize = 60;

/// The word list and what is derived from it once.
#[derive(Debug)]
pub struct Lexicon {
    pub compounds: Compounds,
    /// Stems of the words that may end a compound.
    last_stems: HashSet<String>,
    /// Splits made so far, shared by every tokenizer of this word list (searches make a
    /// fresh tokenizer per query, for the query and its snippets), bounded.
    splits: std::sync::RwLock<HashMap<String, Split>>,
}

/// The parts of a word, or `None` when it is not a compound (shared, cheap to copy).
type Split = Option<Arc<[String]>>;

/// At most this many words' splits are kept in [`Lexicon`]'s shared cache.
const SHARED_SPLITS: usize = 200_000;

impl Lexicon {
    pub fn new(compounds: Compounds) -> Arc<Self> {
        let mut stem = stemmer();
        let last_stems = compounds
            .last_words()
            .map(|w| stem_word(&mut stem, w))
            .collect();
        Arc::new(Self {
            compounds,
            last_stems,
            splits: Default::default(),
        })
    }
}

fn stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(Language::Danish))
        .build()
}

fn stem_word(analyzer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = analyzer.token_stream(word);
    stream
        .next()
        .map(|t| t.text.clone())
        .unwrap_or_else(|| word.to_string())
}

/// A word as every analysis starts from it: lower case, "aa" as "å" (read from the left:
/// "aaa" is "åa").
pub fn normalize(word: &str) -> String {
    let lower = if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.to_lowercase()
    };
    // Looked for byte by byte: `str::contains` sets up a substring search for each word.
    if lower.as_bytes().windows(2).any(|w| w == b"aa") {
        lower.replace("aa", "å")
    } else {
        lower
    }
}

/// The words of `text` with their byte offsets: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = rest.next() {
            if c.is_alphanumeric() {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = rest.peek() {
                    if !d.is_alphanumeric() {
                        break;
                    }
                    end = j + d.len_utf8();
                    rest.next();
                }
                return Some((i, &text[i..end]));
            }
        }
        None
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Stems, compounds whole and by marked parts, and the pairs of neighbouring parts of
    /// compounds of three or more parts. A compound of two is its whole word: its one pair
    /// would be the same word again (and one more term per compound in the dictionary).
    Parts,
    /// As `Parts`, with the pair of a two-part compound too: a compound searched for is
    /// then also found as two parts of a longer one ("byrådsmøde" in "byrådsmødesalen").
    PartsQuery,
    Exact,
}

/// Two terms as the one term of their pair ("byråd_mød").
fn pair(first: &str, second: &str) -> String {
    let mut out = String::with_capacity(first.len() + second.len() + 1);
    out.push_str(first);
    out.push(PAIR);
    out.push_str(second);
    out
}

/// Splits text into normalized words (and, for `Parts`, compound parts).
#[derive(Clone)]
pub struct DanishTokenizer {
    mode: Mode,
    lexicon: Arc<Lexicon>,
    stemmer: TextAnalyzer,
    /// Splits already made by this tokenizer (one per indexing thread), bounded.
    cache: HashMap<String, Split>,
    tokens: Vec<Token>,
}

const CACHE_ENTRIES: usize = 100_000;

impl DanishTokenizer {
    fn new(mode: Mode, lexicon: Arc<Lexicon>) -> Self {
        Self {
            mode,
            lexicon,
            stemmer: stemmer(),
            cache: HashMap::new(),
            tokens: Vec::new(),
        }
    }

    /// The parts of a normalized word, or `None` when it is not a compound.
    fn parts(&mut self, word: &str) -> Split {
        if let Some(hit) = self.cache.get(word) {
            return hit.clone();
        }
        let lexicon = Arc::clone(&self.lexicon);
        let shared = lexicon
            .splits
            .read()
            .ok()
            .and_then(|m| m.get(word).cloned());
        let parts = match shared {
            Some(parts) => parts,
            None => {
                let stemmer = &mut self.stemmer;
                let mut ends = |rest: &str| lexicon.last_stems.contains(&stem_word(stemmer, rest));
                let parts: Split = lexicon.compounds.split(word, &mut ends).map(Arc::from);
                if let Ok(mut m) = lexicon.splits.write()
                    && m.len() < SHARED_SPLITS
                {
                    m.insert(word.to_string(), parts.clone());
                }
                parts
            }
        };
        if self.cache.len() >= CACHE_ENTRIES {
            self.cache.clear();
        }
        self.cache.insert(word.to_string(), parts.clone());
        parts
    }
    /// `Parts`: each word, and a compound whole, by its parts and (see [`Mode`]) by pairs
    /// of neighbouring parts joined by '_' at the first one's position: a compound
    /// searched for is then one term, not a phrase of common parts.
    fn stems(&mut self, text: &str, tokens: &mut Vec<Token>) {
        let mut position = 0;
        for (from, word) in words(text) {
            let norm = normalize(word);
            let to = from + word.len();
            let mut push = |text: String, position: usize, length: usize| {
                tokens.push(Token {
                    offset_from: from,
                    offset_to: to,
                    position,
                    text,
                    position_length: length,
                });
            };
            if let Some(parts) = self.parts(&norm) {
                let pairs = self.mode == Mode::PartsQuery || parts.len() > 2;
                push(norm, position, 1);
                for (k, p) in parts.iter().enumerate() {
                    push(p.clone(), position, PART_TOKEN);
                    if let Some(next) = parts.get(k + 1).filter(|_| pairs) {
                        push(pair(p, next), position, 1);
                    }
                    position += 1;
                }
                continue;
            }
            push(norm, position, 1);
            position += 1;
        }
    }

    /// `Exact`: each word as written, and each pair of neighbours of which one is a common
    /// word and neither a compound ("til_efterretning", at the first one's position). A
    /// common word itself is left out where pairs stand for it on both sides (a phrase
    /// with it is searched by its pairs): it is kept only next to a compound (a compound
    /// is rare, and its pairs would be as many new terms as there are compounds) or alone.
    fn exact(&mut self, text: &str, tokens: &mut Vec<Token>) {
        struct Word {
            from: usize,
            to: usize,
            norm: String,
            common: bool,
            /// Whether it makes a pair with a common neighbour (not a compound).
            pairs: bool,
        }
        let list: Vec<Word> = words(text)
            .map(|(from, word)| {
                let norm = normalize(word);
                let common = is_common(&norm);
                let pairs = common || self.parts(&norm).is_none();
                Word {
                    from,
                    to: from + word.len(),
                    norm,
                    common,
                    pairs,
                }
            })
            .collect();
        for (k, w) in list.iter().enumerate() {
            let prev = k.checked_sub(1).and_then(|j| list.get(j));
            let next = list.get(k + 1);
            if let Some(p) = prev
                && ((p.common && w.pairs) || (w.common && p.pairs))
            {
                tokens.push(Token {
                    offset_from: p.from,
                    offset_to: w.to,
                    position: k - 1,
                    text: pair(&p.norm, &w.norm),
                    position_length: 1,
                });
            }
            let beside_compound = prev.is_some_and(|p| !p.pairs) || next.is_some_and(|n| !n.pairs);
            let alone = prev.is_none() && next.is_none();
            if !w.common || beside_compound || alone {
                tokens.push(Token {
                    offset_from: w.from,
                    offset_to: w.to,
                    position: k,
                    text: w.norm.clone(),
                    position_length: 1,
                });
            }
        }
    }
}

impl Tokenizer for DanishTokenizer {
    type TokenStream<'a> = BufferedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedStream<'a> {
        let mut tokens = std::mem::take(&mut self.tokens);
        tokens.clear();
        if self.mode == Mode::Exact {
            self.exact(text, &mut tokens);
        } else {
            self.stems(text, &mut tokens);
        }
        self.tokens = tokens;
        BufferedStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// Snowball Danish stems, as tantivy's `Stemmer` makes them, each word stemmed once per
/// analyzer (an indexing thread meets the same words again and again).
#[derive(Clone, Copy)]
struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerWrapper<T> {
        CachedStemmerWrapper {
            inner: tokenizer,
            stemmer: stemmer(),
            stems: HashMap::new(),
        }
    }
}

#[derive(Clone)]
struct CachedStemmerWrapper<T> {
    inner: T,
    stemmer: TextAnalyzer,
    /// Word → stem, bounded.
    stems: HashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerWrapper<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            stems: &mut self.stems,
        }
    }
}

struct CachedStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a mut TextAnalyzer,
    stems: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(&token.text) {
            token.text.clone_from(stem);
        } else {
            let stem = stem_word(self.stemmer, &token.text);
            if self.stems.len() >= CACHE_ENTRIES {
                self.stems.clear();
            }
            let word = std::mem::replace(&mut token.text, stem.clone());
            self.stems.insert(word, stem);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Marks the parts of compounds (after stop words and stemming): "mød" → "~mød".
#[derive(Clone, Copy)]
struct MarkParts;

impl TokenFilter for MarkParts {
    type Tokenizer<T: Tokenizer> = MarkPartsWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MarkPartsWrapper<T> {
        MarkPartsWrapper(tokenizer)
    }
}

#[derive(Clone)]
struct MarkPartsWrapper<T>(T);

impl<T: Tokenizer> Tokenizer for MarkPartsWrapper<T> {
    type TokenStream<'a> = MarkPartsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MarkPartsStream(self.0.token_stream(text))
    }
}

struct MarkPartsStream<S>(S);

impl<S: TokenStream> TokenStream for MarkPartsStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if token.position_length == PART_TOKEN {
            token.position_length = 1;
            token.text.insert(0, PART);
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Tokens made in one go.
pub struct BufferedStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for BufferedStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn stop_words() -> StopWordFilter {
    StopWordFilter::new(Language::Danish).unwrap_or_else(|| StopWordFilter::remove(Vec::new()))
}

fn parts_analyzer(lexicon: &Arc<Lexicon>, mode: Mode) -> TextAnalyzer {
    TextAnalyzer::builder(DanishTokenizer::new(mode, Arc::clone(lexicon)))
        .filter(RemoveLongFilter::limit(LONGEST))
        .filter(stop_words())
        .filter(CachedStemmer)
        .filter(MarkParts)
        .build()
}

/// The analyzers by name, for the index's tokenizer manager and for queries.
pub fn analyzers(lexicon: &Arc<Lexicon>) -> Vec<(&'static str, TextAnalyzer)> {
    vec![
        (PARTS, parts_analyzer(lexicon, Mode::Parts)),
        (PARTS_QUERY, parts_analyzer(lexicon, Mode::PartsQuery)),
        (
            EXACT,
            TextAnalyzer::builder(DanishTokenizer::new(Mode::Exact, Arc::clone(lexicon)))
                .filter(RemoveLongFilter::limit(LONGEST))
                .build(),
        ),
        (
            IDENTIFIER,
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .build(),
        ),
    ]
}

/// The `da_parts` analysis for snippets of a query with `terms` (as in the index): only
/// the words that contain one of the terms' stems are split and stemmed (a Danish stem is
/// the start of its word, a part's stem is inside its compound), the others pass as they
/// are written and match nothing. Most of a text's words are then just read past.
pub fn snippet_analyzer<'a>(
    lexicon: &Arc<Lexicon>,
    terms: impl IntoIterator<Item = &'a str>,
) -> TextAnalyzer {
    let mut cues: Vec<String> = terms
        .into_iter()
        .flat_map(|t| t.trim_start_matches(PART).split(PAIR))
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    cues.sort();
    cues.dedup();
    let parts = parts_analyzer(lexicon, Mode::Parts);
    TextAnalyzer::from(CuedTokenizer {
        cues: Arc::new(cues),
        parts,
        tokens: Vec::new(),
    })
}

#[derive(Clone)]
struct CuedTokenizer {
    cues: Arc<Vec<String>>,
    parts: TextAnalyzer,
    tokens: Vec<Token>,
}

impl Tokenizer for CuedTokenizer {
    type TokenStream<'a> = BufferedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedStream<'a> {
        let mut tokens = std::mem::take(&mut self.tokens);
        tokens.clear();
        for (position, (from, word)) in words(text).enumerate() {
            let norm = normalize(word);
            let token = |text: String| Token {
                offset_from: from,
                offset_to: from + word.len(),
                position,
                text,
                position_length: 1,
            };
            if self.cues.iter().any(|c| norm.contains(c.as_str())) {
                let mut stream = self.parts.token_stream(word);
                while let Some(t) = stream.next() {
                    tokens.push(token(t.text.clone()));
                }
            } else {
                tokens.push(token(norm));
            }
        }
        self.tokens = tokens;
        BufferedStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// The terms `analyzer` makes of `text`, with their positions.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.position, t.text.clone()));
    }
    out
}

/// Whether a searched-for word is an identifier: digits, possibly with letters and / - .
/// ("91141/23", "3514050", "EMN-2025-01234", "00.01.00-P15-1-23").
pub fn is_identifier(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    digits >= 2
        && s.chars().count() >= 4
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.'))
        && s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars().last().is_some_and(char::is_alphanumeric)
        // A year alone is a word, not a number to be found exactly.
        && !(s.len() == 4 && digits == 4 && (s.starts_with("19") || s.starts_with("20")))
}

/// The identifiers in `text`, lower case, each once: of each run of letters, digits and
/// `/ - .`, the part from its first to its last letter or digit, where that is an
/// identifier. One pass over the text; a run without digits (most words) is passed over.
pub fn identifiers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    let mut digits = false;
    let end = std::iter::once((text.len(), ' '));
    for (i, c) in text.char_indices().chain(end) {
        if c.is_alphanumeric() || matches!(c, '/' | '-' | '.') {
            run.get_or_insert(i);
            digits |= c.is_ascii_digit();
            continue;
        }
        if let Some(from) = run.take()
            && std::mem::take(&mut digits)
        {
            let candidate = text[from..i].trim_matches(|c: char| !c.is_alphanumeric());
            if is_identifier(candidate) {
                out.push(candidate.to_lowercase());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer(name: &str) -> TextAnalyzer {
        let lexicon = Lexicon::new(Compounds::test());
        analyzers(&lexicon)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a)
            .unwrap()
    }

    fn analyzed(name: &str, text: &str) -> Vec<String> {
        terms(&mut analyzer(name), text)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn stems_are_tantivys_snowball_stems_also_when_remembered() {
        use tantivy::tokenizer::SimpleTokenizer;
        let text = "Møderne og mødet, budgettet og budgetterne; møderne igen: \
                    lokalplanforslaget, lokalplanforslagene og byrådsmødet i byrådet";
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Danish))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let expected = terms(&mut plain, text);
        assert!(expected.iter().any(|(_, t)| t == "mød"), "{expected:?}");
        // Twice: the second time every word comes from what was remembered.
        assert_eq!(terms(&mut cached, text), expected);
        assert_eq!(terms(&mut cached, text), expected);
    }

    #[test]
    fn stems_danish_and_keeps_the_danish_letters() {
        assert_eq!(analyzed(PARTS, "Møderne og mødet"), ["mød", "mød"]);
        assert_eq!(analyzed(PARTS, "sø"), ["sø"]);
        assert_eq!(
            analyzed(EXACT, "Møderne holdt mødet"),
            ["møderne", "holdt", "mødet"]
        );
    }

    #[test]
    fn writes_aa_as_å() {
        assert_eq!(analyzed(EXACT, "Aarhus Århus"), ["århus", "århus"]);
    }

    #[test]
    fn parts_of_compounds_follow_each_other() {
        // Indexed, a compound of two parts is whole and by its parts; searched for, also
        // by its pair (found inside longer compounds).
        assert_eq!(
            terms(&mut analyzer(PARTS), "Byrådsmødet godkendte"),
            [
                (0, "byrådsmød".into()),
                (0, "~byråd".into()),
                (1, "~mød".into()),
                (2, "godkend".into())
            ]
        );
        assert_eq!(
            terms(&mut analyzer(PARTS_QUERY), "Byrådsmødet godkendte"),
            [
                (0, "byrådsmød".into()),
                (0, "~byråd".into()),
                (0, "byråd_mød".into()),
                (1, "~mød".into()),
                (2, "godkend".into())
            ]
        );
        assert_eq!(
            analyzed(PARTS, "lokalplanforslaget"),
            [
                "lokalplanforslag",
                "~lokal",
                "lokal_plan",
                "~plan",
                "plan_forslag",
                "~forslag"
            ]
        );
    }

    #[test]
    fn a_common_word_and_its_neighbour_are_one_more_term() {
        let mut a = analyzer(EXACT);
        // The common words themselves are left out where pairs stand for them.
        assert_eq!(
            terms(&mut a, "Udvalget for teknik, budget og miljø"),
            [
                (0, "udvalget".into()),
                (0, "udvalget_for".into()),
                (1, "for_teknik".into()),
                (2, "teknik".into()),
                (3, "budget".into()),
                (3, "budget_og".into()),
                (4, "og_miljø".into()),
                (5, "miljø".into()),
            ]
        );
        // Next to a compound (which makes no pairs), or alone, a common word is kept.
        assert_eq!(
            terms(&mut a, "byrådsmødet i december"),
            [
                (0, "byrådsmødet".into()),
                (1, "i".into()),
                (1, "i_december".into()),
                (2, "december".into()),
            ]
        );
        assert_eq!(terms(&mut a, "og"), [(0, "og".into())]);
        // The pair is highlighted as both words.
        let mut stream = a.token_stream("en direktionen");
        let mut spans = Vec::new();
        while let Some(t) = stream.next() {
            spans.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        assert_eq!(spans[0], ("en_direktionen".to_string(), 0, 14));
    }

    #[test]
    fn finds_identifiers_but_not_years_or_words() {
        assert_eq!(
            identifiers("Sagsnr. 91141/23, dok. 3514050 og EMN-2025-01234 i 2025."),
            ["3514050", "91141/23", "emn-2025-01234"]
        );
        assert!(!is_identifier("møde"));
        assert!(!is_identifier("2025"));
        assert!(is_identifier("00.01.00-P15-1-23"));
        // Punctuation around a number is not part of it; a run of them joined is one.
        assert_eq!(
            identifiers("(j.nr. 00.01.00-P15-1-23.) -- /12345/ 2024/2025, 3 4 5"),
            ["00.01.00-p15-1-23", "12345", "2024/2025"]
        );
        assert!(identifiers("Ingen numre her, kun ord og årstal 1998.").is_empty());
    }

    #[test]
    fn normalizing_lowers_case_and_writes_aa_as_å_from_the_left() {
        assert_eq!(normalize("Aarhus"), "århus");
        assert_eq!(normalize("AABENRAA"), "åbenrå");
        assert_eq!(normalize("Møde"), "møde");
        assert_eq!(normalize("aaa"), "åa");
        assert_eq!(normalize("Aaaa"), "åå");
        assert_eq!(normalize("ÆBLE"), "æble");
        assert_eq!(normalize("İ"), "İ".to_lowercase());
        assert_eq!(normalize("ΟΔΟΣ"), "ΟΔΟΣ".to_lowercase());
    }
}
