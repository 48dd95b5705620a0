import Foundation

/// The answers the preview writes itself: S3's and CloudFront's errors as they look in
/// production, and the preview's own pages (API not configured, backend down, build errors).
enum PreviewPages {
    /// S3's answer for a missing key when the bucket policy allows `ListBucket`.
    static func noSuchKey(_ key: String) -> PreviewResponse {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>\(escape(key))</Key></Error>
            """
        return PreviewResponse(
            status: 404, headers: [HeaderField("Content-Type", "application/xml")], body: Data(body.utf8), rule: .missingFile)
    }

    /// CloudFront's answer for a method the behavior does not allow.
    static func methodNotAllowed(_ method: String) -> PreviewResponse {
        page(
            status: 403, title: "403 Forbidden",
            paragraphs: [
                "This distribution is not configured to allow the HTTP request method \(method) for this path.",
                "The bucket's behavior allows GET and HEAD only; other methods reach the backend only under the API's path pattern.",
            ], rule: .methodNotAllowed)
    }

    static func badRequest(_ target: String) -> PreviewResponse {
        page(status: 400, title: "400 Bad Request", paragraphs: ["The request target \(target) is not a path."], rule: .badRequest)
    }

    /// The API pattern without a development backend.
    static func noDevelopmentOrigin(pattern: String, production: String) -> PreviewResponse {
        page(
            status: 502, title: "502: no development backend for \(pattern)",
            paragraphs: [
                "In production, CloudFront sends \(pattern) to the backend at \(production). The preview forwards these requests to a local backend, and none is configured.",
                "Start your backend and name it in site.yml, then restart site serve (or save site.yml while it watches):",
            ],
            code: "api:\n  path_pattern: \(pattern)\n  origin: \(production)\n  dev_origin: http://127.0.0.1:8000",
            rule: .apiNoDevOrigin)
    }

    /// The development backend did not answer.
    static func backendDown(origin: String, target: String, reason: String) -> PreviewResponse {
        var response = page(
            status: 502, title: "502: the development backend did not answer",
            paragraphs: [
                "The preview forwarded \(target) to \(origin) (api.dev_origin in site.yml): \(reason).",
                "Start the backend, or change api.dev_origin; the next request tries again.",
            ], rule: .apiBackendDown)
        response.detail = "\(origin): \(reason)"
        return response
    }

    /// Every request while no build has succeeded yet.
    static func buildErrors(_ diagnostics: [Diagnostic], status: Int, stale: Bool) -> PreviewResponse {
        let renderer = DiagnosticRenderer(format: .text)
        let errors = diagnostics.filter { $0.severity == .error }
        let paragraphs: [String]
        let listing: String?
        if errors.isEmpty {
            paragraphs = ["The last build succeeded."]
            listing = diagnostics.isEmpty ? nil : renderer.render(diagnostics)
        } else if stale {
            paragraphs = [
                "The last build failed with \(DiagnosticRenderer.summary(diagnostics)). Every other URL still answers from the last good build until the errors are fixed; this page reloads by itself."
            ]
            listing = renderer.render(diagnostics)
        } else {
            paragraphs = [
                "The site has not built yet: \(DiagnosticRenderer.summary(diagnostics)). Fix them and save; this page reloads by itself."
            ]
            listing = renderer.render(diagnostics)
        }
        return page(
            status: status, title: errors.isEmpty ? "No build errors" : "Build failed", paragraphs: paragraphs, code: listing,
            rule: status == 200 ? .previewErrors : .buildErrors, refresh: !errors.isEmpty)
    }

    /// A small HTML page, never cached.
    static func page(
        status: Int, title: String, paragraphs: [String], code: String? = nil, rule: PreviewRule, refresh: Bool = false
    ) -> PreviewResponse {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">

            """
        if refresh { html += "<meta http-equiv=\"refresh\" content=\"2\">\n" }
        html += """
            <title>\(escape(title))</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}pre{background:#f6f8fa;padding:1rem;overflow:auto;white-space:pre-wrap}h1{font-size:1.4rem}.by{color:#59636e;font-size:.9rem}</style>
            </head>
            <body>
            <h1>\(escape(title))</h1>

            """
        for paragraph in paragraphs { html += "<p>\(escape(paragraph))</p>\n" }
        if let code { html += "<pre>\(escape(code))</pre>\n" }
        html += "<p class=\"by\">site serve (local preview)</p>\n</body>\n</html>\n"
        return PreviewResponse(
            status: status,
            headers: [HeaderField("Content-Type", "text/html; charset=utf-8"), HeaderField("Cache-Control", "no-store")],
            body: Data(html.utf8), rule: rule)
    }

    static func escape(_ text: String) -> String {
        XMLText.escape(text)
    }
}
