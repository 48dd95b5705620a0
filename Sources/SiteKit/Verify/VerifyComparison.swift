import Foundation

/// How a deployed site's answer differs from the planned one: each difference one sentence
/// naming what was expected and what came back.
public enum VerifyComparison {
    /// The headers compared when the plan's answer has them (besides the response headers policy's).
    static let comparedHeaders = ["Location", "Content-Type", "Cache-Control"]

    /// Every difference of `got` from `expected`; empty when they agree. `policy` is the response
    /// headers policy's headers, which every answer of the bucket's behavior must carry.
    public static func differences(got: PreviewResponse, expected: PreviewResponse, policy: [HeaderField]) -> [String] {
        var found: [String] = []
        if got.status != expected.status {
            found.append("status \(got.status), expected \(expected.status)\(expected.detail.map { " (\($0))" } ?? "")")
        }
        for name in comparedHeaders {
            guard let wanted = expected.header(name) else { continue }
            let actual = got.header(name)
            if actual != wanted { found.append("\(name) \(actual.map { "'\($0)'" } ?? "missing"), expected '\(wanted)'") }
        }
        var missing: [String] = []
        for header in policy where expected.header(header.name) != nil {
            guard let actual = got.header(header.name) else {
                missing.append(header.name)
                continue
            }
            if actual != header.value { found.append("\(header.name) '\(actual)', expected '\(header.value)' (response headers policy)") }
        }
        if !missing.isEmpty { found.append("no \(missing.joined(separator: ", ")) (response headers policy)") }
        if got.status == expected.status, !expected.body.isEmpty, got.body != expected.body {
            found.append(
                "body with MD5 \(Digest.md5(got.body)) (\(got.body.count) bytes), expected \(Digest.md5(expected.body)) (\(expected.body.count) bytes): "
                    + "an older copy, or another object")
        }
        return found
    }
}
