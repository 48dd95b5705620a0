/// Escaping for XML text and attribute values.
enum XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped. Byte by byte: these are ASCII and never part
    /// of another character's UTF-8, and a combining mark after one does not hide it.
    static func escape(_ text: String) -> String {
        escape(text, apostrophe: "&apos;")
    }

    /// `text` with `&`, `<`, `>` and `"` escaped as entities and `'` as `apostrophe`.
    static func escape(_ text: String, apostrophe: String) -> String {
        let special: (UInt8) -> Bool = { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case 0x26: out += "&amp;".utf8
            case 0x3C: out += "&lt;".utf8
            case 0x3E: out += "&gt;".utf8
            case 0x22: out += "&quot;".utf8
            case 0x27: out += apostrophe.utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
