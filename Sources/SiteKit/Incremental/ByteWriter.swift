import Foundation

/// Appends little-endian integers and length-prefixed bytes.
struct ByteWriter {
    /// What was written. Kept as an array: appending to `Data` a few bytes at a time goes through
    /// its storage checks on every call.
    private(set) var buffer: [UInt8] = []

    /// What was written, as `Data` (a copy).
    var data: Data { Data(buffer) }

    /// Makes room for `count` more bytes.
    mutating func reserve(_ count: Int) {
        buffer.reserveCapacity(buffer.count + count)
    }

    /// Bytes as they are, without a length before them.
    mutating func raw(_ more: some Collection<UInt8>) {
        buffer.append(contentsOf: more)
    }

    mutating func integer(_ value: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) { buffer.append(contentsOf: $0) }
    }

    /// A whole 64-bit number (a time in nanoseconds, an inode), unlike ``integer(_:)`` not limited on reading.
    mutating func number(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    /// Bytes written by `body`, after their count: the count's place is kept and filled in once
    /// `body` is done, so a large entry (a page's HTML) is copied once, not encoded apart first.
    mutating func framed(_ body: (inout ByteWriter) -> Void) {
        let start = buffer.count
        integer(0)
        body(&self)
        let count = UInt64(buffer.count - start - 8).littleEndian
        withUnsafeBytes(of: count) { bytes in
            for offset in 0..<8 { buffer[start + offset] = bytes[offset] }
        }
    }

    mutating func bytes(_ more: Data) {
        integer(more.count)
        buffer.append(contentsOf: more)
    }

    mutating func string(_ text: String) {
        integer(text.utf8.count)
        buffer.append(contentsOf: text.utf8)
    }

    mutating func optional(_ text: String?) {
        integer(text == nil ? 0 : 1)
        if let text { string(text) }
    }

    mutating func location(_ location: SourceLocation) {
        string(location.file)
        integer(location.line)
        integer(location.column)
    }

    mutating func diagnostics(_ diagnostics: [Diagnostic]) {
        integer(diagnostics.count)
        for diagnostic in diagnostics {
            integer(diagnostic.severity == .error ? 1 : 0)
            location(diagnostic.location)
            string(diagnostic.message)
            optional(diagnostic.hint)
        }
    }
}
