import Testing
@testable import SiteKit

@Suite("Slugger: GitHub-compatible heading ids")
struct SluggerTests {
    struct SlugCase: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let slug: String
        var testDescription: String { name }
    }

    static let slugCases: [SlugCase] = [
        SlugCase(name: "ASCII is lower-cased, spaces become hyphens", text: "Hello World", slug: "hello-world"),
        SlugCase(name: "commas and exclamation marks are dropped", text: "Hello, World!", slug: "hello-world"),
        SlugCase(name: "apostrophes and question marks are dropped", text: "What's new?", slug: "whats-new"),
        SlugCase(name: "the dot of a numbered title is dropped", text: "1. Introduction", slug: "1-introduction"),
        SlugCase(name: "a dot between digits is dropped", text: "Version 1.2", slug: "version-12"),
        SlugCase(name: "hyphens and underscores are kept", text: "über-cool_stuff", slug: "über-cool_stuff"),
        SlugCase(name: "spaces around dropped symbols still become hyphens", text: "C++ & C#", slug: "c--c"),
        SlugCase(name: "an em dash is dropped but both spaces stay", text: "Hello — World", slug: "hello--world"),
        SlugCase(name: "accented Latin letters are kept", text: "Çà et là", slug: "çà-et-là"),
        SlugCase(name: "sharp s is kept as it is", text: "Straße", slug: "straße"),
        SlugCase(name: "Cyrillic letters are kept and lower-cased", text: "Привет, мир!", slug: "привет-мир"),
        SlugCase(name: "CJK characters are kept", text: "日本語 見出し", slug: "日本語-見出し"),
        SlugCase(name: "a combining accent is kept", text: "Ame\u{301}lie", slug: "ame\u{301}lie"),
        SlugCase(name: "an emoji is dropped but its space stays", text: "🎉 Party", slug: "-party"),
        SlugCase(name: "a tab is dropped, not turned into a hyphen", text: "tab\there", slug: "tabhere"),
        SlugCase(name: "punctuation only gives an empty slug", text: "?!", slug: ""),
    ]

    @Test("slug(_:) lower-cases, drops punctuation, turns spaces into hyphens and keeps letters of every script", arguments: slugCases)
    func slug(_ testCase: SlugCase) {
        #expect(Slugger.slug(testCase.text) == testCase.slug)
    }

    @Test("the ASCII shortcut gives the slug the Unicode rules give, for every ASCII character")
    func asciiShortcut() {
        for scalar in (0..<128).compactMap(Unicode.Scalar.init) {
            let text = "A\(Character(scalar))b \(Character(scalar))9"
            #expect(Slugger.slug(text) == Slugger.unicodeSlug(text), "U+\(String(scalar.value, radix: 16))")
        }
    }

    struct SequenceCase: CustomTestStringConvertible, Sendable {
        let name: String
        let titles: [String]
        let ids: [String]
        var testDescription: String { name }
    }

    static let sequenceCases: [SequenceCase] = [
        SequenceCase(name: "repeats get -1 and -2", titles: ["Intro", "Intro", "Intro"], ids: ["intro", "intro-1", "intro-2"]),
        SequenceCase(
            name: "titles that differ only in punctuation and case are repeats",
            titles: ["Hello, World!", "Hello World", "hello world?"], ids: ["hello-world", "hello-world-1", "hello-world-2"]),
        SequenceCase(
            name: "a suffix already taken by a title is skipped", titles: ["Intro 1", "Intro", "Intro"],
            ids: ["intro-1", "intro", "intro-2"]),
        SequenceCase(
            name: "a title whose slug is taken by a numbered repeat gets its own suffix", titles: ["A", "A", "A 1", "A"],
            ids: ["a", "a-1", "a-1-1", "a-2"]),
        SequenceCase(
            name: "titles with no letters become section, section-1, ...", titles: ["", "!!!", ""],
            ids: ["section", "section-1", "section-2"]),
        SequenceCase(name: "surrounding spaces are ignored", titles: ["  Padded  "], ids: ["padded"]),
    ]

    @Test("id(for:) gives every heading of a page a unique id", arguments: sequenceCases)
    func uniqueIDs(_ testCase: SequenceCase) {
        var slugger = Slugger()
        let ids = testCase.titles.map { slugger.id(for: $0) }
        #expect(ids == testCase.ids)
    }

    @Test("a reserved id is never given out: the heading gets -1")
    func reservedIDs() {
        var slugger = Slugger(reserved: ["top", "main"])
        let ids = ["Top", "Main", "Other"].map { slugger.id(for: $0) }
        #expect(ids == ["top-1", "main-1", "other"])
    }

    @Test("claim(_:) takes an explicit id once, and generated ids then avoid it")
    func claim() {
        var slugger = Slugger()
        let first = slugger.claim("contact")
        let second = slugger.claim("contact")
        let generated = slugger.id(for: "Contact")
        #expect(first)
        #expect(!second)
        #expect(generated == "contact-1")
    }

    @Test("claim(_:) fails for an id already generated for an earlier heading")
    func claimAfterGenerated() {
        var slugger = Slugger()
        let generated = slugger.id(for: "Scope")
        let explicit = slugger.claim("scope")
        let suffixed = slugger.claim("scope-1")
        let next = slugger.id(for: "Scope")
        #expect(generated == "scope")
        #expect(!explicit)
        #expect(suffixed)
        #expect(next == "scope-2")
    }
}
