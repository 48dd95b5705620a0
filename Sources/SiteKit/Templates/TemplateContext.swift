/// Builds the values templates and content see. Every page gets the same names (empty when a
/// value is absent), so templates can be checked once for all pages.
public struct TemplateContext: Sendable {
    /// The site's config, which `site` and `legal` come from.
    public let config: SiteConfig
    /// `assets.<name>` -> URL path of each fingerprinted theme file.
    public let assets: [String: String]
    /// The SPA bundle whose tags and icons `spa` lists; nil when the site has no app.
    public let bundle: SPABundle?
    /// The values that are the same on every page (`site`, `legal`, `assets`, `spa`), made once,
    /// and as swift-mustache renders them.
    let constants: [String: TemplateValue]
    private let constantObjects: MustacheFields

    /// The context of a site with these theme files and, when it has an app, its bundle.
    public init(config: SiteConfig, assets: [TemplateSet.Asset], bundle: SPABundle?) {
        self.config = config
        self.assets = Dictionary(assets.map { ($0.variable, "/" + $0.key) }, uniquingKeysWith: { first, _ in first })
        self.bundle = bundle
        var spa: [String: TemplateValue] = [
            "mount_id": .text(config.spa?.mountID ?? "root"),
            "scripts": .list((bundle?.scripts ?? []).map { .object(["src": .text($0)]) }, shape: .object(["src": .text("")])),
            "styles": .list((bundle?.styles ?? []).map { .object(["href": .text($0)]) }, shape: .object(["href": .text("")])),
            "modulepreloads": .list(
                (bundle?.modulePreloads ?? []).map { .object(["href": .text($0)]) }, shape: .object(["href": .text("")])),
        ]
        spa["icons"] = .list(
            (bundle?.icons ?? []).map {
                .object(["rel": .text($0.rel), "href": .text($0.href), "type": .text($0.type), "sizes": .text($0.sizes)])
            },
            shape: .object(["rel": .text(""), "href": .text(""), "type": .text(""), "sizes": .text("")]))
        spa["enabled"] = .flag(bundle != nil)
        let site = config.site
        let constants: [String: TemplateValue] = [
            "site": .object([
                "name": .text(site.name), "legal_name": .text(site.legalName), "contact_email": .text(site.contactEmail),
                "address": .text(site.address), "language": .text(site.language), "base_url": .text(site.baseURL),
            ]),
            "legal": .object(config.pages.mapValues { .text($0) }),
            "assets": .object(self.assets.mapValues { .text($0) }),
            "spa": .object(spa),
        ]
        self.constants = constants
        self.constantObjects = MustacheFields(fields: constants.mapValues(\.mustacheObject))
    }

    /// What a page is, as templates see it.
    public struct PageInfo: Sendable {
        /// The page's title, `page.title` in templates.
        public var title: String
        /// The page's meta description, `page.description`; empty when it has none.
        public var description: String
        /// The page's URL path, such as `/terms`: `page.route`, and `page.url` after the base URL.
        public var route: String
        /// The day the text takes effect, `YYYY-MM-DD` from front matter `effective:`; nil when not
        /// given, and `page.effective_date` is then empty.
        public var effectiveDate: String?
        /// The day the text last changed, `YYYY-MM-DD` from front matter `updated:`; nil when not
        /// given, and `page.updated_date` is then empty.
        public var updatedDate: String?
        /// The page's own values (front matter `params:`).
        public var params: TemplateValue

        /// The values of a page that has no content file, such as the SPA shell or the 404 page.
        public init(
            title: String, description: String, route: String, effectiveDate: String? = nil, updatedDate: String? = nil,
            params: TemplateValue = .object([:])
        ) {
            self.title = title
            self.description = description
            self.route = route
            self.effectiveDate = effectiveDate
            self.updatedDate = updatedDate
            self.params = params
        }

        /// The values of a content page, from its front matter.
        public init(_ page: ContentPage) {
            self.init(
                title: page.title, description: page.description, route: page.route,
                effectiveDate: page.effectiveDate, updatedDate: page.updatedDate, params: page.params)
        }
    }

    var siteValue: TemplateValue { constants["site"] ?? .object([:]) }

    func pageValue(_ page: PageInfo) -> TemplateValue {
        let object = PageObject(info: page, baseURL: config.site.baseURL)
        var fields = Dictionary(uniqueKeysWithValues: PageObject.names.map { ($0, TemplateValue.text(object.text($0) ?? "")) })
        fields["params"] = page.params
        return .object(fields)
    }

    var legalValue: TemplateValue { constants["legal"] ?? .object([:]) }

    /// The values content may use in `{{...}}`: `site`, `page` and `legal`.
    public func contentScope(for page: PageInfo) -> TemplateValue {
        .object(["site": siteValue, "page": pageValue(page), "legal": legalValue])
    }

    private static let tocShape: TemplateValue = .object([
        "id": .text(""), "title": .text(""), "level": .text(""), "has_children": .flag(false),
        "children": .list([], shape: .object(["id": .text(""), "title": .text(""), "level": .text("")])),
    ])

    /// The full template context of a page with rendered `content` and its `headings`.
    public func value(for page: PageInfo, content: String = "", headings: [Heading] = []) -> TemplateValue {
        .object(constants.merging(pageFields(page, content: content, headings: headings)) { first, _ in first })
    }

    /// ``value(for:content:headings:)`` as swift-mustache renders it, the same on every page made once.
    public func mustacheObject(for page: PageInfo, content: String = "", headings: [Heading] = []) -> Any {
        PageContextObject(
            constants: constantObjects.fields, page: PageObject(info: page, baseURL: config.site.baseURL),
            content: MustacheText(value: content), headings: headings, tocDepth: config.content.tocDepth)
    }

    /// The values that differ from page to page.
    private func pageFields(_ page: PageInfo, content: String, headings: [Heading]) -> [String: TemplateValue] {
        let toc = Self.tableOfContents(headings, depth: config.content.tocDepth)
        return [
            "page": pageValue(page),
            "content": .text(content),
            "has_toc": .flag(!toc.isEmpty),
            "toc": .list(toc, shape: Self.tocShape),
        ]
    }

    /// The shape every page's context has, for checking templates.
    public var shape: TemplateValue {
        value(for: PageInfo(title: "", description: "", route: "/"))
    }

    /// ``shape`` with `page.params` holding every name any of `params` has: a template may read
    /// a name some pages give and others leave empty.
    public func shape(params: [TemplateValue]) -> TemplateValue {
        value(for: PageInfo(title: "", description: "", route: "/", params: params.reduce(.object([:])) { $0.merged(with: $1) }))
    }

    /// Headings from level 2 to `depth` as a two-level list: each `##` with the deeper headings below it.
    static func tableOfContents(_ headings: [Heading], depth: Int) -> [TemplateValue] {
        var items: [(heading: Heading, children: [Heading])] = []
        for heading in headings where heading.level >= 2 && heading.level <= depth {
            if heading.level == 2 || items.isEmpty {
                items.append((heading, []))
            } else {
                items[items.count - 1].children.append(heading)
            }
        }
        func entry(_ heading: Heading) -> [String: TemplateValue] {
            ["id": .text(heading.id), "title": .text(heading.title), "level": .text(String(heading.level))]
        }
        return items.map { item in
            var fields = entry(item.heading)
            fields["has_children"] = .flag(!item.children.isEmpty)
            fields["children"] = .list(item.children.map { .object(entry($0)) }, shape: .object(entry(item.heading)))
            return .object(fields)
        }
    }
}

/// Dictionaries swift-mustache renders, never changed once made.
private final class MustacheFields: @unchecked Sendable {
    let fields: [String: Any]
    init(fields: [String: Any]) { self.fields = fields }
}
