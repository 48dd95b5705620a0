import Foundation

/// What the last successful build recorded (`.site-cache/build.bin`): the fingerprint of its
/// inputs and output, and its warnings, shown again when nothing changed.
public struct BuildRecord: Sendable, Equatable {
    /// The digests of the inputs and of the manifest written.
    public var fingerprint: InputFingerprint
    /// The build's warnings, in the order it reported them.
    public var warnings: [Diagnostic]

    /// The file's header.
    static let header = "site build record 2\n"

    /// A record of `fingerprint` and `warnings`.
    public init(fingerprint: InputFingerprint, warnings: [Diagnostic]) {
        self.fingerprint = fingerprint
        self.warnings = warnings
    }

    /// Reads what ``encoded`` wrote; nil for anything else.
    public init?(data: Data) {
        guard let entries = Self.entries(data), let fingerprint = Self.fingerprint(entries), let warnings = entries["warnings"],
            let read = ByteReader.reading(warnings, { reader in reader.diagnostics().flatMap { reader.isAtEnd ? $0 : nil } })
        else { return nil }
        self.init(fingerprint: fingerprint, warnings: read)
    }

    /// The fingerprint alone of a record ``encoded`` wrote, without reading its warnings (a
    /// build that finds its inputs changed never shows them); nil when it is not such a record.
    public static func fingerprint(in data: Data) -> InputFingerprint? {
        entries(data).flatMap(fingerprint)
    }

    /// The record as the file holds it.
    public var encoded: Data {
        PackedFile.format(header: Self.header).encoded(keys: ["inputs", "manifest", "warnings"]) { key, writer in
            switch key {
            case "inputs": writer.raw(fingerprint.inputs.utf8)
            case "manifest": writer.raw(fingerprint.manifest.utf8)
            default: writer.diagnostics(warnings)
            }
        }
    }

    private static func entries(_ data: Data) -> [String: Data]? {
        PackedFile.format(header: header).parse(data).flatMap { $0.complete ? $0.entries : nil }
    }

    private static func fingerprint(_ entries: [String: Data]) -> InputFingerprint? {
        guard let inputs = entries["inputs"], let manifest = entries["manifest"] else { return nil }
        return InputFingerprint(inputs: String(decoding: inputs, as: UTF8.self), manifest: String(decoding: manifest, as: UTF8.self))
    }
}
