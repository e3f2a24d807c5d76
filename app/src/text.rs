//! The text functions, as plain Rust over `&str`.

use std::collections::BTreeMap;

/// "hello big world" -> "world big hello" (runs of whitespace become one space).
pub fn reverse_words(input: &str) -> String {
    let mut words: Vec<&str> = input.split_whitespace().collect();
    words.reverse();
    words.join(" ")
}

/// Word count, longest word (the first one on ties) and mean word length in characters.
pub fn stats(input: &str) -> (u32, String, f32) {
    let mut count = 0u32;
    let mut total = 0usize;
    let mut longest = "";
    for w in input.split_whitespace() {
        let n = w.chars().count();
        count += 1;
        total += n;
        if n > longest.chars().count() {
            longest = w;
        }
    }
    let mean = if count == 0 {
        0.0
    } else {
        total as f32 / count as f32
    };
    (count, longest.to_string(), mean)
}

/// The `n` most frequent words (lowercased, ASCII punctuation trimmed), most
/// frequent first; ties in alphabetical order.
pub fn top_words(input: &str, n: u32) -> Vec<String> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for w in input.split_whitespace() {
        let w = w
            .trim_matches(|c: char| c.is_ascii_punctuation())
            .to_lowercase();
        if !w.is_empty() {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, u32)> = counts.into_iter().collect();
    // Stable sort: BTreeMap order (alphabetical) breaks ties.
    ranked.sort_by(|a, b| b.1.cmp(&a.1));
    ranked
        .into_iter()
        .take(n as usize)
        .map(|(w, _)| w)
        .collect()
}
