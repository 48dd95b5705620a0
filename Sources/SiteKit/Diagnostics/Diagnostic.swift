/// One finding about the inputs: where it is, how bad it is, and what to do about it.
///
/// Diagnostics are plain data; ``DiagnosticRenderer`` turns them into text for terminals, JSON or
/// CI annotations.
public struct Diagnostic: Hashable, Sendable, Comparable, Codable {
    /// How serious a finding is.
    public enum Severity: String, Hashable, Sendable, Codable {
        /// Stops the build; `build`, `check` and `plan-infra` then exit with status 1.
        case error
        /// Reported without stopping the build, unless `--strict` is given.
        case warning
    }

    /// Whether the finding stops the build or is only reported.
    public var severity: Severity
    /// The file, line and column the finding points at.
    public var location: SourceLocation
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it, when there is something useful to say.
    public var hint: String?

    /// A finding at `location`: an error unless `severity` says otherwise.
    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// An error at `location`.
    public static func error(_ location: SourceLocation, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, at: location, message, hint: hint)
    }

    /// A warning at `location`.
    public static func warning(_ location: SourceLocation, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, at: location, message, hint: hint)
    }

    /// Orders findings as they are printed: by location, errors before warnings, then by message.
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        if lhs.location != rhs.location { return lhs.location < rhs.location }
        if lhs.severity != rhs.severity { return lhs.severity == .error }
        return lhs.message < rhs.message
    }
}

/// The error a stage throws when its input is bad: every finding it made, not only the first.
public struct DiagnosticError: Error, Sendable, Equatable {
    /// Every finding, in the order they are printed.
    public var diagnostics: [Diagnostic]
    /// The name of the build step that failed (``BuildStep/name``), once a pipeline ran it.
    public var step: String?

    /// An error carrying `diagnostics`, sorted by location.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted()
    }

    /// An error carrying one finding.
    public init(_ diagnostic: Diagnostic) {
        self.diagnostics = [diagnostic]
    }
}

/// Collects findings while a stage runs, then throws them all at once.
public struct DiagnosticBag: Sendable {
    /// The findings so far, in the order they were added.
    public private(set) var diagnostics: [Diagnostic] = []

    /// An empty bag.
    public init() {}

    /// A bag that starts with `diagnostics`.
    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// Whether any finding is an error rather than a warning.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Adds one finding.
    public mutating func append(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// Adds findings made elsewhere, keeping their order.
    public mutating func append(contentsOf other: [Diagnostic]) { diagnostics.append(contentsOf: other) }

    /// Adds an error at `location`.
    public mutating func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(.error(location, message, hint: hint))
    }

    /// Runs `body`, keeping the diagnostics of a ``DiagnosticError`` it throws. Returns nil then.
    public mutating func collect<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as DiagnosticError {
            diagnostics.append(contentsOf: error.diagnostics)
            return nil
        } catch {
            diagnostics.append(.error(SourceLocation(file: "<internal>"), "\(error)"))
            return nil
        }
    }

    /// Throws the collected findings if any of them is an error.
    public func throwIfErrors() throws(DiagnosticError) {
        if hasErrors { throw DiagnosticError(diagnostics) }
    }
}
