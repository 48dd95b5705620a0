import Foundation

/// Strict UTF-8 decoding with located errors.
public enum TextDecoding {
    /// The largest text source read: 8 MiB, far above any real legal page or template.
    public static let defaultLimit = 8 << 20

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    /// The finding for a text source of `size` bytes, over `limit`.
    static func tooLarge(path: String, size: Int, limit: Int) -> Diagnostic {
        .error(
            SourceLocation(file: path), "file is \(megabytes(size)), over the \(megabytes(limit)) limit for text sources",
            hint: "split it into several pages; a source this large is almost always a mistake")
    }

    /// The text of the file at `path` read as `data`: refused over `limit` bytes, then decoded.
    public static func text(_ data: Data, path: String, limit: Int = defaultLimit) throws(DiagnosticError) -> String {
        if data.count > limit { throw DiagnosticError(tooLarge(path: path, size: data.count, limit: limit)) }
        return try decode(data, path: path)
    }

    /// Decodes `data` as UTF-8, rejecting invalid sequences and NUL bytes; a leading BOM is dropped.
    public static func decode(_ data: Data, path: String) throws(DiagnosticError) -> String {
        let valid: String? = data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst(3)) }
            guard let base = bytes.baseAddress else { return "" }
            guard memchr(base, 0, bytes.count) == nil else { return nil }
            return String(validating: bytes, as: UTF8.self)
        }
        if let valid { return valid }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
        }
        // Find the first bad byte to report its line and column.
        var line = 1
        var column = 1
        var index = 0
        while index < bytes.count {
            let length = utf8SequenceLength(bytes, at: index)
            if length == 0 || bytes[index] == 0 {
                let what = bytes[index] == 0 ? "a NUL byte" : String(format: "invalid UTF-8 byte 0x%02X", bytes[index])
                throw DiagnosticError(
                    .error(
                        SourceLocation(file: path, line: line, column: column), "\(what)",
                        hint: "save the file as UTF-8 text"))
            }
            if bytes[index] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        throw DiagnosticError(.error(SourceLocation(file: path), "not valid UTF-8 text", hint: "save the file as UTF-8 text"))
    }

    /// The length of a valid UTF-8 sequence at `index`, or 0 when it is invalid.
    private static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let slice = Array(bytes[index..<index + length])
        return String(validating: slice, as: UTF8.self) == nil ? 0 : length
    }
}
