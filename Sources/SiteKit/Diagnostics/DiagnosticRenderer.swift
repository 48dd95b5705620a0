import Foundation

/// Turns diagnostics into text: the compilers' `path:line:col: error: message` form, JSON, or
/// GitHub Actions annotations.
public struct DiagnosticRenderer: Sendable {
    /// The output forms.
    public enum Format: String, Sendable, CaseIterable {
        /// `path:line:col: error: message`, with the hint on an indented line below it.
        case text
        /// One JSON document: every finding with its file, line, column, severity, message and
        /// hint, and the counts of errors and warnings.
        case json
        /// GitHub Actions workflow commands (`::error file=...,line=...::message`), which GitHub
        /// shows as annotations on the lines they name.
        case github
    }

    /// How findings are written: `--format text`, `json` or `github`.
    public var format: Format
    /// Wrap severities in ANSI colours (only when writing to a terminal).
    public var colour: Bool

    /// A renderer writing `format`, with coloured severities when `colour` is true.
    public init(format: Format = .text, colour: Bool = false) {
        self.format = format
        self.colour = colour
    }

    /// The location as editors link it: `file:line:col`, leaving out zero parts.
    public static func position(_ location: SourceLocation) -> String {
        var text = location.file
        if location.line > 0 {
            text += ":\(location.line)"
            if location.column > 0 { text += ":\(location.column)" }
        }
        return text
    }

    /// One diagnostic as one line (plus an indented hint line in text form).
    public func render(_ diagnostic: Diagnostic) -> String {
        switch format {
        case .text, .json:
            var severity = diagnostic.severity.rawValue
            if colour {
                severity = (diagnostic.severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m") + severity + "\u{1B}[0m"
            }
            var line = "\(Self.position(diagnostic.location)): \(severity): \(diagnostic.message)"
            if let hint = diagnostic.hint { line += "\n    hint: \(hint)" }
            return line
        case .github:
            var properties = ["file=\(Self.escapeProperty(diagnostic.location.file))"]
            if diagnostic.location.line > 0 { properties.append("line=\(diagnostic.location.line)") }
            if diagnostic.location.column > 0 { properties.append("col=\(diagnostic.location.column)") }
            var message = diagnostic.message
            if let hint = diagnostic.hint { message += " (\(hint))" }
            return "::\(diagnostic.severity.rawValue) \(properties.joined(separator: ","))::\(Self.escapeData(message))"
        }
    }

    /// All diagnostics, sorted, followed by a summary line (text and GitHub forms) or as one JSON
    /// document; `step` names the build step that stopped at them, when one did.
    public func render(_ diagnostics: [Diagnostic], step: String? = nil) -> String {
        let sorted = diagnostics.sorted()
        if format == .json {
            var document = DiagnosticReport(diagnostics: sorted)
            document.step = step
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(document) else { return "{}" }
            return String(decoding: data, as: UTF8.self)
        }
        var lines = sorted.map(render)
        lines.append((step.map { "stopped at \"\($0)\": " } ?? "") + Self.summary(sorted))
        return lines.joined(separator: "\n")
    }

    /// `2 errors, 1 warning`.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        return "\(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// The JSON document `--format json` prints.
struct DiagnosticReport: Encodable {
    struct Entry: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
        var hint: String?
    }

    var diagnostics: [Entry]
    var errors: Int
    var warnings: Int
    /// The build step that stopped at these diagnostics.
    var step: String?

    init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.map {
            Entry(
                file: $0.location.file, line: $0.location.line, column: $0.location.column,
                severity: $0.severity.rawValue, message: $0.message, hint: $0.hint)
        }
        self.errors = diagnostics.filter { $0.severity == .error }.count
        self.warnings = diagnostics.count - errors
    }
}
