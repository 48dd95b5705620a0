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
            guard isText(object.key) else { return [] }
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

    /// Every secret-looking match in `text` with its 1-based line and column.
    static func scan(_ text: String) -> [Hit] {
        let bytes = Array(text.utf8)
        guard triggers.contains(where: { ByteSearch.first($0, in: bytes, from: 0) != nil }) else { return [] }
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
        return type.hasPrefix("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript")
    }
}
