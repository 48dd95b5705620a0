/// One named step of a build: a function over the ``BuildContext`` that the steps before it filled.
///
/// A build is a list of steps (``BuildPipeline/steps``); `site check`, `site plan-infra`,
/// `site serve` and `site build` each run that list with their own steps after it.
public struct BuildStep: Sendable {
    /// What the step does, as progress shows it (`[5/13] Plan routes`) and as a failure names it.
    public var name: String
    /// Reads what it needs from the context and adds what it makes; throws the step's findings.
    public var run: @Sendable (inout BuildContext) throws(DiagnosticError) -> Void

    /// A step named `name` that runs `body`.
    public init(_ name: String, _ body: @escaping @Sendable (inout BuildContext) throws(DiagnosticError) -> Void) {
        self.name = name
        self.run = body
    }
}
