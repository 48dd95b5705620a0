#if canImport(Glibc)
import Glibc
#endif

/// Lines of space-separated fields ending in a path that may hold spaces, as the cache files
/// write them, read from the bytes without splitting the text into strings.
struct FieldLine {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The fields before the path.
    let fields: [Range<Int>]
    /// Where the path starts.
    let pathStart: Int

    /// Calls `body` with every line of `text` that has `count` non-empty fields and a path.
    static func forEach(in text: String, fields count: Int, _ body: (FieldLine) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            while start < bytes.count {
                let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
                if let line = FieldLine(UnsafeBufferPointer(rebasing: bytes[start..<end]), fields: count) { body(line) }
                start = end + 1
            }
        }
    }

    private init?(_ bytes: UnsafeBufferPointer<UInt8>, fields count: Int) {
        var fields: [Range<Int>] = []
        var start = 0
        for index in 0..<bytes.count where fields.count < count && bytes[index] == 0x20 {
            fields.append(start..<index)
            start = index + 1
        }
        guard fields.count == count, fields.allSatisfy({ !$0.isEmpty }), start < bytes.count else { return nil }
        self.bytes = bytes
        self.fields = fields
        self.pathStart = start
    }

    /// Field `index` as a decimal number, nil when it is not one or overflows.
    func number(_ index: Int) -> UInt64? {
        var value: UInt64 = 0
        for position in fields[index] {
            let digit = bytes[position] &- 0x30
            guard digit < 10 else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = shifted &+ UInt64(digit)
        }
        return value
    }

    /// Field `index` as text.
    func text(_ index: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[index]]), as: UTF8.self)
    }

    /// The path after the fields.
    var path: String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[pathStart...]), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends one line of a record file: `first`, each of `numbers` in decimal, and `path`,
    /// separated by spaces (the form ``FieldLine`` reads back).
    mutating func appendRecordLine<each Number: BinaryInteger>(_ first: String, _ numbers: repeat each Number, path: String) {
        self += first.utf8
        for number in repeat each numbers {
            append(0x20)
            appendDecimal(number)
        }
        append(0x20)
        self += path.utf8
        append(0x0A)
    }

    /// Appends `value` in decimal, without making a string of it (record files have tens of
    /// thousands of numbers).
    mutating func appendDecimal<Value: BinaryInteger>(_ value: Value) {
        if value < 0 { append(0x2D) }
        var magnitude = value.magnitude
        let start = count
        repeat {
            append(0x30 + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        self[start...].reverse()
    }
}

