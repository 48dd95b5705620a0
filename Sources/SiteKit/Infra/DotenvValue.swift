/// How a value is written in `backend/backend.env` so that python-dotenv (and pydantic-settings,
/// which reads through it), Node's `process.loadEnvFile` and a shell's `set -a; . backend.env`
/// all read back exactly the value:
///
/// - plain when every character is one no reader treats specially (letters, digits and
///   `-._/:@%+,=?`): `#` starts a comment for Node and, after a space, for python-dotenv; `&`, `;`,
///   `(`, `)`, quotes, spaces and `~` mean something to a shell;
/// - else in single quotes, unless the value holds `'`, `\` (python-dotenv reads `\\` and `\'`
///   as escapes) or `${` (python-dotenv expands it even in single quotes);
/// - else in double quotes, unless the value holds `"`, `\`, `$` or `` ` ``;
/// - else, and for any line break or other control character, not at all.
public enum DotenvValue {
    static let plainCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/:@%+,=?")

    /// `value` as it follows `NAME=`, or nil when no quoting keeps it the same for every reader.
    public static func written(_ value: String) -> String? {
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return nil }
        if !value.isEmpty, value.allSatisfy(plainCharacters.contains) { return value }
        if !value.contains("'"), !value.contains("\\"), !value.contains("${") { return "'\(value)'" }
        if !value.contains(where: { "\"\\$`".contains($0) }) { return "\"\(value)\"" }
        return nil
    }
}
