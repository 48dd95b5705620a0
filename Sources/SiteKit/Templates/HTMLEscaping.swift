import Mustache

/// How `{{name}}` tags escape what they insert: the characters swift-mustache's own HTML content
/// type escapes (`&`, `<`, `>`, `"` as entities, `'` as `&#39;`), found byte by byte.
///
/// swift-mustache's version looks up every character of every value in a dictionary, which cost
/// about 2 % of a large build. Byte by byte, a combining mark after one of these characters no
/// longer hides it (as one grapheme, it went unescaped).
///
/// Templates use it through swift-mustache's content types: it is registered as `HTML`, and
/// ``TemplateSet`` starts every template with `{{% CONTENT_TYPE: HTML }}` on a line of its own,
/// which renders nothing (a template or partial otherwise starts with the library's own type).
struct HTMLEscaping: MustacheContentType {
    /// The line every template is parsed with in front; line numbers of parse errors are one less.
    static let pragma = "{{% CONTENT_TYPE: HTML }}\n"

    /// Registers this type under the name `HTML`, once, before any template is parsed.
    static let registered: Bool = {
        MustacheContentTypes.register(HTMLEscaping(), named: "HTML")
        return true
    }()

    func escapeText(_ text: String) -> String {
        XMLText.escape(text, apostrophe: "&#39;")
    }
}
