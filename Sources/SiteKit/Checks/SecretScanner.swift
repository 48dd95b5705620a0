import Foundation

/// Refuses to publish credentials: AWS access key ids, private key blocks, `client_secret` style
/// assignments, and the tokens of providers that give theirs a fixed prefix (GitHub, GitLab, Stripe,
/// Slack, Google, npm, PyPI, SendGrid, Shopify, Anthropic, OpenAI), in any text file of the output.
public enum SecretScanner {
    /// One kind of secret and how to spot it.
    struct Rule: Sendable {
        var name: String
        var regex: NSRegularExpression
        /// Whether the text holds the literal piece every match of `regex` has (a quick test
        /// without the regex: text without the piece cannot match, and is not given to it).
        var mightMatch: @Sendable (UnsafeRawBufferPointer) -> Bool

        /// nil when `pattern` does not compile.
        init?(name: String, pattern: String, mightMatch: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
            self.name = name
            self.regex = regex
            self.mightMatch = mightMatch
        }
    }

    static let rules: [Rule] =
        [
            Rule(
                name: "an AWS access key id", pattern: #"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"#,
                mightMatch: holdsKeyPrefix),
            Rule(
                name: "a private key", pattern: #"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"#,
                mightMatch: { contains(privateKey, anchoredAt: privateKeyAnchor, in: $0) }),
            Rule(
                name: "a secret assignment",
                pattern:
                    #"(?i)\b(client_secret|clientsecret|aws_secret_access_key|secret_access_key|api_secret|app_secret)["']?\s*[:=]\s*["']?[A-Za-z0-9/+_\-]{8,}"#,
                mightMatch: holdsSecretName),
        ].compactMap { $0 }
        + prefixedTokens.compactMap { token in
            let literals = token.prefixes.map { Array($0.utf8) }
            return Rule(
                name: token.name, pattern: token.pattern,
                mightMatch: { bytes in literals.contains { contains($0, anchoredAt: 0, in: bytes) } })
        }

    /// Provider tokens recognised by their fixed prefix and the shape that follows it (the shapes
    /// of the providers' documentation and of public secret-scanning rule sets). `prefixes` are
    /// literal pieces every match holds; a text without them skips the regex.
    static let prefixedTokens: [(name: String, pattern: String, prefixes: [String])] = [
        ("a GitHub token", #"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b"#, ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]),
        ("a GitHub fine-grained token", #"\bgithub_pat_[A-Za-z0-9_]{82}\b"#, ["github_pat_"]),
        ("a GitLab token", #"\bglpat-[A-Za-z0-9_\-]{20,}"#, ["glpat-"]),
        ("a Stripe live secret key", #"\b(sk|rk)_live_[A-Za-z0-9]{24,}\b"#, ["sk_live_", "rk_live_"]),
        ("a Slack token", #"\bxox[abposr]-[A-Za-z0-9-]{10,}"#, ["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"]),
        (
            "a Slack webhook URL", #"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"#,
            ["hooks.slack.com/services/"]
        ),
        ("a Google API key", #"\bAIza[0-9A-Za-z_\-]{35}"#, ["AIza"]),
        ("an npm token", #"\bnpm_[A-Za-z0-9]{36}\b"#, ["npm_"]),
        ("a PyPI token", #"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"#, ["pypi-AgEIcHlwaS5vcmc"]),
        ("a SendGrid API key", #"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b"#, ["SG."]),
        ("a Shopify access token", #"\bshp(at|ca|pa|ss)_[a-fA-F0-9]{32}\b"#, ["shpat_", "shpca_", "shppa_", "shpss_"]),
        ("an Anthropic API key", #"\bsk-ant-[A-Za-z0-9_\-]{32,}"#, ["sk-ant-"]),
        ("an OpenAI API key", #"\bsk-(proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}"#, ["sk-proj-", "sk-svcacct-", "sk-admin-"]),
    ]

    /// Findings in `objects`, located in the file the secret is written in: the object's own
    /// source, else the first of `sharedSources` (templates and the config, which every page draws
    /// on) that holds it, else the output file. A secret written once is one finding, however many
    /// outputs carry it.
    public static func scan(
        _ objects: [OutputObject], fileSystem: some FileSystem, sharedSources: [(file: String, text: String)] = []
    ) -> [Diagnostic] {
        // Each hit with where its object's own source writes it, when it does.
        let found = Parallel.map(objects) { object -> [(hit: Hit, own: SourceLocation?, key: String)] in
            guard isText(object.key), object.data.withUnsafeBytes(mightHoldSecret) else { return [] }
            let hits = scan(String(decoding: object.data, as: UTF8.self))
            guard !hits.isEmpty else { return [] }
            var own: [Hit] = []
            if !object.source.isEmpty, object.source != object.key, let sourceData = try? fileSystem.read(object.source) {
                own = scan(String(decoding: sourceData, as: UTF8.self))
            }
            return hits.map { hit in
                let inSource = own.first { $0.match == hit.match }
                return (hit, inSource.map { SourceLocation(file: object.source, line: $0.line, column: $0.column) }, object.key)
            }
        }.flatMap { $0 }
        // The shared sources are scanned once, and only when some secret is not in its object's own source.
        var inShared: [String: SourceLocation] = [:]
        if found.contains(where: { $0.own == nil }) {
            // The first source that writes a secret, at the first place it does.
            for source in sharedSources.reversed() {
                var first: [String: SourceLocation] = [:]
                for hit in scan(source.text) where first[hit.match] == nil {
                    first[hit.match] = SourceLocation(file: source.file, line: hit.line, column: hit.column)
                }
                inShared.merge(first) { _, earlier in earlier }
            }
        }
        let hits = found.map { item in
            (
                location: item.own ?? inShared[item.hit.match]
                    ?? SourceLocation(file: "dist/" + item.key, line: item.hit.line, column: item.hit.column), rule: item.hit.rule,
                key: item.key
            )
        }
        var keysByFinding: [SourceLocation: (rule: String, keys: [String])] = [:]
        for hit in hits { keysByFinding[hit.location, default: (hit.rule, [])].keys.append(hit.key) }
        return keysByFinding.map { location, finding in
            let keys = finding.keys.sorted().map { "/" + $0 }
            let published =
                keys.count == 1 ? keys[0] : keys.count == 2 ? "\(keys[0]) and \(keys[1])" : "\(keys[0]) and \(keys.count - 1) other files"
            return .error(
                location, "\(finding.rule) would be published in \(published)",
                hint: "remove it from the source and rotate it; secrets belong in the CI's secret store, never in the site")
        }.sorted()
    }

    struct Hit: Equatable {
        var rule: String
        var match: String
        var line: Int
        var column: Int
    }

    /// Whether `bytes` might hold a secret: whether any rule's quick test passes. Most pages
    /// pass none and skip the regexes.
    static func mightHoldSecret(_ bytes: UnsafeRawBufferPointer) -> Bool {
        rules.contains { $0.mightMatch(bytes) }
    }

    /// The first four letters of AWS access key ids.
    static let keyPrefixes = ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"].map { Array($0.utf8) }

    /// Whether `bytes` hold a key id prefix: one `memchr` walk over the `A`s.
    static func holdsKeyPrefix(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
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

    static let privateKey = Array("PRIVATE KEY".utf8)
    /// The `V` (rarer in text than the other letters of `PRIVATE KEY`), which `memchr` looks for first.
    static let privateKeyAnchor = 3

    /// What comes before `secret` in the names the assignment rule knows, and what comes after it.
    static let secretPrefixes = ["client_", "client", "api_", "app_"].map { Array($0.utf8) }
    static let secretSuffix = Array("_access_key".utf8)
    /// The characters that Unicode case folding makes into ASCII letters: `ſ` (an `s`), the Kelvin
    /// sign (a `k`), `ß` and `ẞ` (`ss`). The assignment rule matches case-insensitively, so a text
    /// with any of them is given to it whatever the names around.
    static let foldingIntoASCII = [[0xC5, 0xBF], [0xE2, 0x84, 0xAA], [0xC3, 0x9F], [0xE1, 0xBA, 0x9E]].map { $0.map(UInt8.init) }

    /// Whether `bytes` hold, in any case, `secret` with one of ``secretPrefixes`` before it or
    /// ``secretSuffix`` after it: found from each `c`/`C` (the rarest letter of `secret` in text).
    static func holdsSecretName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        if foldingIntoASCII.contains(where: { contains($0, anchoredAt: 0, in: bytes) }) { return true }
        let secret = Array("secret".utf8)
        /// Whether the bytes at `start` are `word` (lower case) in any ASCII case.
        func matches(_ word: [UInt8], at start: Int) -> Bool {
            guard start >= 0, start + word.count <= bytes.count else { return false }
            for offset in word.indices {
                let byte = bytes[start + offset]
                if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != word[offset] { return false }
            }
            return true
        }
        for letter in [UInt8(ascii: "c"), UInt8(ascii: "C")] {
            var offset = 2
            while offset < bytes.count, let found = memchr(base + offset, Int32(letter), bytes.count - offset) {
                let index = base.distance(to: UnsafeRawPointer(found))
                offset = index + 1
                // `c` is the third letter of `secret`.
                let start = index - 2
                guard matches(secret, at: start) else { continue }
                if matches(secretSuffix, at: start + secret.count) { return true }
                if secretPrefixes.contains(where: { matches($0, at: start - $0.count) }) { return true }
            }
        }
        return false
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
        let candidates = text.withUTF8 { bytes in rules.filter { $0.mightMatch(UnsafeRawBufferPointer(bytes)) } }
        if candidates.isEmpty { return [] }
        let ns = text as NSString
        var hits: [Hit] = []
        for rule in candidates {
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
