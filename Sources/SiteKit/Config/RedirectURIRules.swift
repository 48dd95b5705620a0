import Foundation

/// The rules OAuth providers enforce on a registered redirect URI (RFC 6749 section 3.1.2 and the
/// providers' own exact-match rules), checked wherever a redirect URI is read or exported.
///
/// A redirect URI must be absolute; use https, or http on a loopback host for local development;
/// have no fragment, no `*` and no user information; and be validly percent-encoded. A query is
/// allowed, with a warning: providers compare it exactly.
public enum RedirectURIRules {
    /// The hosts on which a plain-http redirect URI is accepted, for local development.
    public static let loopbackHosts: Set<String> = ["127.0.0.1", "[::1]", "::1", "localhost"]

    /// The characters a URI may hold unescaped (RFC 3986: unreserved, reserved, and `%` escapes).
    static let uriCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")

    /// Whether `host` is a loopback host (`127.0.0.1`, `[::1]`, `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        loopbackHosts.contains(host.lowercased())
    }

    /// What `provider` would reject in `uri` (errors) or should be told about (a warning for a
    /// query), located at `location`; empty when the URI is fine.
    public static func check(_ uri: String, provider: String, at location: SourceLocation) -> [Diagnostic] {
        let shown = redacted(uri)
        let subject = "\(provider) redirect URI \(shown)"
        if let problem = encodingProblem(uri) {
            return [.error(location, "\(subject) \(problem.message)", hint: problem.hint)]
        }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            return [
                .error(
                    location, "\(subject) is not an absolute URI: providers need scheme, host and path",
                    hint: "register the full URI, such as https://<site host>/auth/callback")
            ]
        }
        guard scheme == "https" || scheme == "http" else {
            return [
                .error(
                    location,
                    "\(subject) uses the scheme \(scheme); a website's redirect URI must use https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development",
                    hint: "register https://<site host>\(components.percentEncodedPath)")
            ]
        }
        guard let host = components.host, !host.isEmpty else {
            return [
                .error(
                    location, "\(subject) has no host", hint: "write \(scheme)://<host>/<path>, such as https://<site host>/auth/callback")
            ]
        }
        var findings: [Diagnostic] = []
        let hostText = components.percentEncodedHost ?? host
        if scheme == "http", !isLoopback(host), !isLoopback(hostText) {
            let fix = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            findings.append(
                .error(
                    location,
                    "\(subject) uses http; providers accept only https, or http on a loopback host (127.0.0.1, [::1], localhost) for local development",
                    hint: "register https://\(hostText)\(components.port.map { ":\($0)" } ?? "")\(fix)"))
        }
        if components.user != nil || components.password != nil {
            findings.append(
                .error(
                    location, "\(subject) contains user information (user:password@); providers reject credentials in redirect URIs",
                    hint: "remove the part before '@' from the host"))
        }
        if let fragment = components.percentEncodedFragment {
            findings.append(
                .error(
                    location, "\(subject) has a fragment (#\(fragment)); RFC 6749 section 3.1.2 forbids fragments in redirect URIs",
                    hint:
                        "remove '#\(fragment)': the provider adds the code to the query, and the app keeps its own state in the 'state' parameter"
                ))
        }
        if uri.contains("*") {
            findings.append(
                .error(
                    location, "\(subject) contains '*'; providers match redirect URIs exactly, never by wildcard",
                    hint: "register each exact callback URI"))
        }
        if let query = components.percentEncodedQuery {
            findings.append(
                .warning(
                    location,
                    "\(subject) has a query (?\(query)); \(provider) compares it exactly, so the app must send the same query, in the same order, every time",
                    hint: "keep per-request values in the 'state' parameter instead"))
        }
        return findings
    }

    /// Why `uri` is not validly percent-encoded, or nil.
    static func encodingProblem(_ uri: String) -> (message: String, hint: String)? {
        var index = uri.startIndex
        while index < uri.endIndex {
            let character = uri[index]
            if character == "%" {
                let escape = uri[index...].prefix(3)
                let digits = escape.dropFirst()
                guard digits.count == 2, digits.allSatisfy(\.isHexDigit) else {
                    return (
                        "has '\(escape)', which is not a percent-escape: '%' must be followed by two hex digits",
                        "write a literal '%' as %25"
                    )
                }
            } else if !uriCharacters.contains(character) {
                let encoded = String(character).utf8.map { String(format: "%%%02X", $0) }.joined()
                let name = character == " " ? "a raw space" : "'\(character)'"
                return ("contains \(name), which must be percent-encoded", "write \(encoded) instead")
            }
            index = uri.index(after: index)
        }
        return nil
    }

    /// `uri` with any user information replaced by `***`, so that messages never print a password.
    static func redacted(_ uri: String) -> String {
        guard let schemeEnd = uri.range(of: "://") else { return uri }
        let authorityStart = schemeEnd.upperBound
        let rest = uri[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? uri.endIndex
        guard let at = uri[authorityStart..<authorityEnd].lastIndex(of: "@") else { return uri }
        return String(uri[..<authorityStart]) + "***" + String(uri[at...])
    }
}
