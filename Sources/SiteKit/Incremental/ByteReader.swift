import Foundation

/// Reads what ``ByteWriter`` wrote; nil when the bytes end early or a count is out of range.
///
/// A reader lives only while ``reading(_:_:)`` runs, and reads the bytes where they lie (caches
/// hold hundreds of thousands of numbers and strings; through `Data` each read would go through
/// its storage checks).
struct ByteReader {
    private let data: Data
    /// The bytes of `data`, valid while ``reading(_:_:)`` runs.
    private let raw: UnsafeRawBufferPointer
    private var offset = 0
    /// Where `raw` starts in `data` (a reader of one frame reads part of it).
    private let origin: Int

    private init(data: Data, raw: UnsafeRawBufferPointer, origin: Int = 0) {
        self.data = data
        self.raw = raw
        self.origin = origin
    }

    /// Calls `body` with a reader of `data`; what it reads must not outlive it.
    static func reading<Result>(_ data: Data, _ body: (inout ByteReader) -> Result) -> Result {
        data.withUnsafeBytes { raw in
            var reader = ByteReader(data: data, raw: raw)
            return body(&reader)
        }
    }

    var isAtEnd: Bool { offset == raw.count }

    mutating func integer() -> Int? {
        guard raw.count - offset >= 8 else { return nil }
        let value = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
        guard value <= UInt64(Int32.max) else { return nil }
        return Int(value)
    }

    /// Reads a count, then hands `body` a reader of just that many bytes (what
    /// ``ByteWriter/framed(_:)`` wrote), reading where they lie; the reader goes on after them
    /// whatever `body` read. Nil when the bytes end before the frame does.
    mutating func framed(_ body: (inout ByteReader) -> Void) -> Void? {
        guard let count = integer(), raw.count - offset >= count else { return nil }
        var frame = ByteReader(data: data, raw: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]), origin: origin + offset)
        offset += count
        body(&frame)
        return ()
    }

    /// Every byte not read yet, as a slice of the data read (sharing its storage).
    mutating func rest() -> Data {
        let start = data.startIndex + origin + offset
        offset = raw.count
        return data[start..<(data.startIndex + origin + raw.count)]
    }

    /// What ``ByteWriter/number(_:)`` wrote.
    mutating func number() -> UInt64? {
        guard raw.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Bytes, as a slice of the data read (sharing its storage).
    mutating func bytes() -> Data? {
        guard let count = integer(), raw.count - offset >= count else { return nil }
        defer { offset += count }
        let start = data.startIndex + origin + offset
        return data[start..<(start + count)]
    }

    /// A string; invalid UTF-8 (a damaged file) reads as nil.
    mutating func string() -> String? {
        guard let count = integer(), raw.count - offset >= count else { return nil }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]).assumingMemoryBound(to: UInt8.self)
        offset += count
        // Nearly every string is ASCII, valid UTF-8 as it is: made without the validating
        // initializer, which is generic and looks up its types at run time on every call.
        if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        return high < 0x80
    }

    /// `.some(nil)` for an absent value, nil when the bytes are bad.
    mutating func optional() -> String?? {
        switch integer() {
        case 0: .some(nil)
        case 1: string().map { .some($0) }
        default: nil
        }
    }

    mutating func location() -> SourceLocation? {
        guard let file = string(), let line = integer(), let column = integer() else { return nil }
        return SourceLocation(file: file, line: line, column: column)
    }

    mutating func diagnostics() -> [Diagnostic]? {
        guard let count = integer() else { return nil }
        var diagnostics: [Diagnostic] = []
        for _ in 0..<count {
            guard let severity = integer(), let location = location(), let message = string(), let hint = optional() else { return nil }
            diagnostics.append(Diagnostic(severity == 1 ? .error : .warning, at: location, message, hint: hint))
        }
        return diagnostics
    }
}
