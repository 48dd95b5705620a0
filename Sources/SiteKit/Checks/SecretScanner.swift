import Foundation

/// Refuses to publish credentials: AWS access key ids, private key blocks and `client_secret`
/// style assignments, in any text file of the output.
public enum SecretScanner {
    /// One kind of secret and how to spot it.
    struct Rule: Sendable {
        var name: String
        var regex: NSRegularExpression
    }

    static let rules: [Rule] = [
        ("an AWS access key id", #"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"#),
        ("a private key", #"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"#),
        (
            "a secret assignment",
            #"(?i)\b(client_secret|clientsecret|aws_secret_access_key|secret_access_key|api_secret|app_secret)["']?\s*[:=]\s*["']?[A-Za-z0-9/+_\-]{8,}"#
        ),
    ].compactMap { name, pattern in
        (try? NSRegularExpression(pattern: pattern)).map { Rule(name: name, regex: $0) }
    }

    /// Findings in `objects`, located in their source files where the text can be found there.
    public static func scan(_ objects: [OutputObject], fileSystem: some FileSystem) -> [Diagnostic] {
        let findings = Parallel.map(objects) { object -> [Diagnostic] in
            guard isText(object.key), object.data.withUnsafeBytes(mightHoldSecret) else { return [] }
            let text = String(decoding: object.data, as: UTF8.self)
            return scan(text).map { hit in
                var location = SourceLocation(file: "dist/" + object.key, line: hit.line, column: hit.column)
                if !object.source.isEmpty, object.source != object.key,
                    let sourceData = try? fileSystem.read(object.source)
                {
                    let source = String(decoding: sourceData, as: UTF8.self)
                    if let inSource = scan(source).first(where: { $0.match == hit.match }) {
                        location = SourceLocation(file: object.source, line: inSource.line, column: inSource.column)
                    } else {
                        location = SourceLocation(file: object.source)
                    }
                }
                return .error(
                    location, "\(hit.rule) would be published in /\(object.key)",
                    hint: "remove it from the source and rotate it; secrets belong in the CI's secret store, never in the site")
            }
        }
        return findings.flatMap { $0 }.sorted()
    }

    struct Hit: Equatable {
        var rule: String
        var match: String
        var line: Int
        var column: Int
    }

    /// Literal pieces one of the rules needs; text with none of them is skipped without regexes.
    static let triggers = ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "PRIVATE KEY", "ecret", "ECRET"]
        .map { Array($0.utf8) }

    /// Whether `bytes` hold one of the ``triggers``: one `memmem` for each word, one `memchr`
    /// walk over the `A`s for the key id prefixes. Most pages hold none and skip the regexes.
    static func mightHoldSecret(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        for (word, anchor) in wordTriggers where contains(word, anchoredAt: anchor, in: bytes) { return true }
        var offset = 0
        while offset < bytes.count, let found = memchr(base + offset, Int32(UInt8(ascii: "A")), bytes.count - offset) {
            let index = base.distance(to: UnsafeRawPointer(found))
            if index + 4 <= bytes.count, keyPrefixes.contains(where: { prefix in (0..<4).allSatisfy { bytes[index + $0] == prefix[$0] } }) {
                return true
            }
            offset = index + 1
        }
        return false
    }

    static let keyPrefixes = triggers.filter { $0.count == 4 }
    /// The other triggers, each with the offset of its rarest letter in English text, which
    /// `memchr` looks for first (looking for the `e` of `ecret` would stop every few bytes).
    static let wordTriggers: [([UInt8], Int)] = triggers.filter { $0.count != 4 }.map { word in
        let rarity = Array("zqxjkvbpygfwmucldrhsnioate".utf8)  // rarest first
        let anchor = word.indices.min { (rarity.firstIndex(of: word[$0] | 0x20) ?? 0) < (rarity.firstIndex(of: word[$1] | 0x20) ?? 0) } ?? 0
        return (word, anchor)
    }

    /// Whether `word` occurs in `bytes`, found through its byte at `anchor`.
    static func contains(_ word: [UInt8], anchoredAt anchor: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count >= word.count else { return false }
        var offset = anchor
        let last = bytes.count - word.count + anchor
        while offset <= last, let found = memchr(base + offset, Int32(word[anchor]), last - offset + 1) {
            let index = base.distance(to: UnsafeRawPointer(found))
            let same = word.withUnsafeBytes { pattern in
                pattern.baseAddress.map { memcmp(base + index - anchor, $0, word.count) == 0 } ?? false
            }
            if same { return true }
            offset = index + 1
        }
        return false
    }

    /// Every secret-looking match in `text` with its 1-based line and column.
    static func scan(_ text: String) -> [Hit] {
        var text = text
        guard text.withUTF8({ mightHoldSecret(UnsafeRawBufferPointer($0)) }) else { return [] }
        let ns = text as NSString
        var hits: [Hit] = []
        for rule in rules {
            for match in rule.regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let prefix = ns.substring(to: match.range.location)
                let line = prefix.reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 }
                let column = (prefix.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreak).last?.count ?? 0) + 1
                hits.append(Hit(rule: rule.name, match: ns.substring(with: match.range), line: line, column: column))
            }
        }
        return hits
    }

    static func isText(_ key: String) -> Bool {
        let type = MediaTypes.contentType(forKey: key)
        return type.hasPrefix("text/") || type.containsBytes("json") || type.containsBytes("xml") || type.containsBytes("javascript")
    }
}
