/// "Did you mean ...?" suggestions by edit distance, as argument parsers give them.
public enum Suggestions {
    /// The candidate closest to `word`, if it is close enough to be a likely typo; else the one
    /// candidate that `word` (three characters or more) begins, as `prod` begins `production`.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        if let typo = closestByEdits(to: word, in: candidates) { return typo }
        let lowered = word.lowercased()
        guard lowered.count >= 3 else { return nil }
        let started = candidates.filter { $0.lowercased().hasPrefix(lowered) }
        return started.count == 1 ? started.first : nil
    }

    private static func closestByEdits(to word: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for candidate in candidates.sorted() {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= limit, distance < (best?.1 ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// ` (did you mean 'x'?)`, or an empty string.
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
        guard let match = closest(to: word, in: candidates) else { return "" }
        return " (did you mean '\(match)'?)"
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
