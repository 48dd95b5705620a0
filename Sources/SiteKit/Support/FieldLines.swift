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

    /// Calls `body` with every line of `text` from the UTF-8 offset `offset` on that has `count`
    /// non-empty fields and a path; gives the number of lines, those included that do not parse.
    @discardableResult
    static func forEach(in text: String, from offset: Int = 0, fields count: Int, _ body: (FieldLine) -> Void) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var start = offset
            var lines = 0
            while start < bytes.count {
                let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
                if let line = FieldLine(UnsafeBufferPointer(rebasing: bytes[start..<end]), fields: count) { body(line) }
                lines += 1
                start = end + 1
            }
            return lines
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

/// A number of a record line: any of the integer types the record files hold, as a sign and a
/// magnitude (so that writing its digits needs no generic arithmetic).
protocol RecordNumber {
    var signAndMagnitude: (negative: Bool, magnitude: UInt64) { get }
}

extension Int: RecordNumber {
    var signAndMagnitude: (negative: Bool, magnitude: UInt64) { (self < 0, UInt64(magnitude)) }
}

extension Int64: RecordNumber {
    var signAndMagnitude: (negative: Bool, magnitude: UInt64) { (self < 0, magnitude) }
}

extension UInt64: RecordNumber {
    var signAndMagnitude: (negative: Bool, magnitude: UInt64) { (false, self) }
}

extension Array where Element == UInt8 {
    /// Appends one line of a record file: `first`, each of `numbers` in decimal, and `path`,
    /// separated by spaces (the form ``FieldLine`` reads back).
    mutating func appendRecordLine<each Number: RecordNumber>(_ first: String, _ numbers: repeat each Number, path: String) {
        self += first.utf8
        for number in repeat each numbers {
            append(0x20)
            let (negative, magnitude) = number.signAndMagnitude
            appendDecimal(negative: negative, magnitude: magnitude)
        }
        append(0x20)
        self += path.utf8
        append(0x0A)
    }

    /// Appends `value` in decimal, without making a string of it (record files have tens of
    /// thousands of numbers).
    mutating func appendDecimal(_ value: Int64) {
        appendDecimal(negative: value < 0, magnitude: value.magnitude)
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: UInt64) {
        appendDecimal(negative: false, magnitude: value)
    }

    /// Appends a minus sign when `negative`, then the digits of `magnitude`.
    mutating func appendDecimal(negative: Bool, magnitude: UInt64) {
        if negative { append(0x2D) }
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let start = count
        append(contentsOf: repeatElement(0x30, count: digits))
        withUnsafeMutableBufferPointer { buffer in
            var value = magnitude
            var index = start + digits - 1
            repeat {
                buffer[index] = 0x30 + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
                index -= 1
            } while value > 0
        }
    }
}
