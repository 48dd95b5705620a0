import Foundation

/// Rewrites cmark's HTML: heading ids in place of source positions, and no presentational attributes.
public enum HTMLPostProcessor {
    static let marker = Array(" data-sourcepos=\"".utf8)
    static let markerAnchor = ByteSearch.rarestByte(of: marker)
    static let quote = [UInt8(ascii: "\"")]
    static let align = Array(" align=\"".utf8)

    /// Gives headings their id, drops `data-sourcepos` unless `keepPositions`, and turns table `align`
    /// attributes (obsolete in HTML5) into classes that a strict Content-Security-Policy allows; reads
    /// the UTF-8 bytes cmark rendered where they are.
    static func process(_ bytes: UnsafeRawBufferPointer, headingIDs: [String: String], keepPositions: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + headingIDs.count * 24)
        var index = 0
        while let found = ByteSearch.first(marker, in: bytes, from: index, anchor: markerAnchor),
            let end = ByteSearch.first(quote, in: bytes, from: found + marker.count, anchor: 0)
        {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<found]))
            // A heading tag just opened: `<h2` directly before the attribute.
            if found >= 3, bytes[found - 3] == UInt8(ascii: "<"), bytes[found - 2] == UInt8(ascii: "h") {
                let position = bytes[(found + marker.count)..<end]
                let start = position.firstIndex(of: UInt8(ascii: "-")).map { position[..<$0] } ?? position
                if let id = headingIDs[String(decoding: start, as: UTF8.self)] {
                    output += Array(" id=\"\(id)\"".utf8)
                }
            }
            if keepPositions { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[found...end])) }
            index = end + 1
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index...]))
        return replacingAlignment(output)
    }

    /// Removes every `data-sourcepos` attribute from UTF-8 bytes; bytes without one are returned as they are.
    /// The result holds exactly its bytes: it is what the build keeps of the page until it is written.
    public static func stripSourcePositions(_ data: Data) -> Data {
        data.withUnsafeBytes { bytes -> Data in
            // The ranges kept first, so that the output is allocated once, at its size.
            var kept: [Range<Int>] = []
            var size = 0
            var index = 0
            while let found = ByteSearch.first(marker, in: bytes, from: index, anchor: markerAnchor),
                let end = ByteSearch.first(quote, in: bytes, from: found + marker.count, anchor: 0)
            {
                kept.append(index..<found)
                size += found - index
                index = end + 1
            }
            guard !kept.isEmpty, let base = bytes.baseAddress else { return data }
            kept.append(index..<bytes.count)
            size += bytes.count - index
            // Filled with one copy a piece: appending to `Data` piece by piece costs more than the copying.
            guard size > 0, let output = malloc(size) else {
                var output = Data(capacity: size)
                for range in kept { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range])) }
                return output
            }
            var written = 0
            for range in kept {
                (output + written).copyMemory(from: base + range.lowerBound, byteCount: range.count)
                written += range.count
            }
            return Data(bytesNoCopy: output, count: size, deallocator: .free)
        }
    }

    static let checkbox = Array("<input type=\"checkbox\"".utf8)

    static let replacements: [(needle: [UInt8], replacement: [UInt8])] = [
        // Task list boxes get a name, so assistive technology can tell what they mean.
        (
            "<input type=\"checkbox\" checked=\"\" disabled=\"\" />",
            "<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"Done\" />"
        ),
        ("<input type=\"checkbox\" disabled=\"\" />", "<input type=\"checkbox\" disabled=\"\" aria-label=\"Not done\" />"),
        (" align=\"left\"", " class=\"align-left\""),
        (" align=\"center\"", " class=\"align-center\""),
        (" align=\"right\"", " class=\"align-right\""),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    private static func replacingAlignment(_ bytes: [UInt8]) -> String {
        var bytes = bytes
        if ByteSearch.first(checkbox, in: bytes, from: 0) != nil || ByteSearch.first(align, in: bytes, from: 0) != nil {
            for (needle, replacement) in replacements { bytes = ByteSearch.replacingAll(needle, with: replacement, in: bytes) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
