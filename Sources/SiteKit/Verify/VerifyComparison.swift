import Foundation

/// How a deployed site's answer differs from the planned one: each difference one sentence
/// naming what was expected and what came back.
public enum VerifyComparison {
    /// The headers compared when the plan's answer has them (besides the response headers policy's).
    static let comparedHeaders = ["Location", "Content-Type", "Cache-Control", "ETag"]

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
        if let encoding = got.header("Content-Encoding"), encoding.lowercased() != "identity" {
            found.append("Content-Encoding '\(encoding)', though the request asked for identity (the body was compared decoded)")
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

    /// Why `got`, the answer to a path of the API through the site, is not the backend's: it is the
    /// site's own page (`siteBodies`: its shell and 404 page), or its status or `Content-Type`
    /// differs from `direct`, the API origin's own answer to the same request, when known. Empty
    /// when it is the backend's.
    public static func apiDifferences(got: PreviewResponse, siteBodies: [Data], direct: PreviewResponse? = nil) -> [String] {
        guard siteBodies.contains(got.body) else {
            guard let direct else { return [] }
            var found: [String] = []
            if got.status != direct.status { found.append("status \(got.status), but the API itself answers \(direct.status)") }
            if got.header("Content-Type") != direct.header("Content-Type") {
                found.append(
                    "Content-Type \(got.header("Content-Type").map { "'\($0)'" } ?? "missing"), but the API itself answers "
                        + (direct.header("Content-Type").map { "'\($0)'" } ?? "without one"))
            }
            return found
        }
        return [
            "answered by the site (status \(got.status), its own page), not by the API: the API's behavior is missing, or the site's comes first"
        ]
    }

    /// Why `got` does not allow a POST from `origin` to the API; empty when it does.
    public static func corsDifferences(got: PreviewResponse, origin: String, backendEnv: String = "infra/" + InfraLayout.backendEnv)
        -> [String]
    {
        var found: [String] = []
        if !(200..<300).contains(got.status) { found.append("status \(got.status), expected 200 or 204") }
        switch got.header("Access-Control-Allow-Origin") {
        case nil:
            found.append(
                "no Access-Control-Allow-Origin: the backend must allow \(origin) (CORS_ALLOWED_ORIGINS in \(backendEnv))"
            )
        case let allowed? where allowed != origin && allowed != "*":
            found.append(
                "Access-Control-Allow-Origin '\(allowed)', expected '\(origin)' (CORS_ALLOWED_ORIGINS in \(backendEnv))")
        default: break
        }
        if let methods = got.header("Access-Control-Allow-Methods"),
            !methods.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces).uppercased() == "POST" || $0.trimmingCharacters(in: .whitespaces) == "*"
            })
        {
            found.append("Access-Control-Allow-Methods '\(methods)' does not allow POST")
        }
        return found
    }

    /// Why `got`, the answer to a preflight from `origin`, which the site does not list, allows it:
    /// the backend echoes every `Origin`, or allows any with `*`. Empty when it is refused.
    public static func corsRefusalDifferences(
        got: PreviewResponse, origin: String, backendEnv: String = "infra/" + InfraLayout.backendEnv
    ) -> [String] {
        guard let allowed = got.header("Access-Control-Allow-Origin"), allowed == origin || allowed == "*" else { return [] }
        let how = allowed == "*" ? "'*' allows every site" : "the backend echoes any Origin"
        return [
            "Access-Control-Allow-Origin '\(allowed)' for an origin the site does not list: \(how); "
                + "allow only CORS_ALLOWED_ORIGINS from \(backendEnv)"
        ]
    }

    /// Why `got`, the answer over plain `http://`, is not a redirect to `https://` for `target`.
    public static func upgradeDifferences(got: PreviewResponse, httpsBase: URL, target: String) -> [String] {
        let wanted = httpsBase.address(of: target)
        guard [301, 302, 307, 308].contains(got.status) else { return ["status \(got.status), expected a redirect to \(wanted)"] }
        let location = got.header("Location")
        return location == wanted ? [] : ["Location \(location.map { "'\($0)'" } ?? "missing"), expected '\(wanted)'"]
    }
}
