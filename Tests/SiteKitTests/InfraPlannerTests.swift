import Foundation
import Testing

@testable import SiteKit

@Suite("Infrastructure plan")
struct InfraPlannerTests {
    /// Plans the test project with `config` replacing site.yml.
    static func plan(config: String = TestProject.config) throws -> [String: Data] {
        let result = try TestProject.build(TestProject.with(["site.yml": config]))
        let planner = try InfraPlanner(
            config: result.config, manifest: result.manifest, notFoundPage: TestProject.text(result, "404.html"))
        return try planner.files()
    }

    static func json(_ files: [String: Data], _ path: String) throws -> [String: Any] {
        let data = try #require(files[path])
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("with an API on the distribution, the API's own 404s pass untouched: no error responses, no function on its behavior")
    func apiErrorsPassThrough() throws {
        let config = try Self.json(try Self.plan(), InfraLayout.distributionConfig)
        let errors = try #require(config["CustomErrorResponses"] as? [String: Any])
        #expect(errors["Quantity"] as? Int == 0)
        let behaviors = try #require((config["CacheBehaviors"] as? [String: Any])?["Items"] as? [[String: Any]])
        #expect(behaviors.count == 1)
        let api = behaviors[0]
        #expect(api["PathPattern"] as? String == "/api/*")
        #expect(api["TargetOriginId"] as? String == "site-api")
        #expect((api["FunctionAssociations"] as? [String: Any])?["Quantity"] as? Int == 0)
        #expect(api["CachePolicyId"] as? String == InfraPlanner.ManagedPolicy.cachingDisabled)
        #expect(api["OriginRequestPolicyId"] as? String == InfraPlanner.ManagedPolicy.allViewerExceptHostHeader)
        #expect(api["ViewerProtocolPolicy"] as? String == "https-only")
        #expect(((api["AllowedMethods"] as? [String: Any])?["Items"] as? [String])?.count == 7)
        let origins = try #require((config["Origins"] as? [String: Any])?["Items"] as? [[String: Any]])
        let apiOrigin = try #require(origins.first { $0["Id"] as? String == "site-api" })
        #expect(apiOrigin["DomainName"] as? String == "api.acme.example")
        #expect((apiOrigin["CustomOriginConfig"] as? [String: Any])?["OriginProtocolPolicy"] as? String == "https-only")
        let defaultBehavior = try #require(config["DefaultCacheBehavior"] as? [String: Any])
        let functions = try #require((defaultBehavior["FunctionAssociations"] as? [String: Any])?["Items"] as? [[String: Any]])
        #expect(functions.map { $0["EventType"] as? String } == ["viewer-request", "viewer-response"])
        #expect(
            functions.map { $0["FunctionARN"] as? String } == [
                InfraLayout.functionARNPlaceholder, InfraLayout.responseFunctionARNPlaceholder,
            ])
        #expect(defaultBehavior["CachePolicyId"] as? String == InfraPlanner.ManagedPolicy.cachingOptimized)
        #expect(defaultBehavior["ViewerProtocolPolicy"] as? String == "redirect-to-https")
    }

    @Test("the distribution has the site's defaults")
    func distributionDefaults() throws {
        let config = try Self.json(try Self.plan(), InfraLayout.distributionConfig)
        #expect(config["DefaultRootObject"] as? String == "index.html")
        #expect(config["HttpVersion"] as? String == "http2and3")
        #expect(config["IsIPV6Enabled"] as? Bool == true)
        #expect(config["PriceClass"] as? String == "PriceClass_100")
        #expect(config["CallerReference"] as? String == "site-acme-site")
        #expect(config["Comment"] as? String == "site: acme-site")
        let origin = try #require(((config["Origins"] as? [String: Any])?["Items"] as? [[String: Any]])?.first)
        #expect(origin["DomainName"] as? String == "acme-site.s3.us-east-1.amazonaws.com")
        #expect(origin["OriginAccessControlId"] as? String == InfraLayout.originAccessControlPlaceholder)
    }

    @Test("without an API, spa_fallback: error_response gives the 404 -> /index.html 200 response")
    func errorResponseFallback() throws {
        let config = TestProject.config.replacingOccurrences(
            of: "api:\n  path_pattern: /api/*\n  origin: https://api.acme.example\n", with: ""
        )
        .replacingOccurrences(of: "  bucket: acme-site", with: "  bucket: acme-site\n  spa_fallback: error_response")
        let distribution = try Self.json(try Self.plan(config: config), InfraLayout.distributionConfig)
        let errors = try #require((distribution["CustomErrorResponses"] as? [String: Any])?["Items"] as? [[String: Any]])
        let notFound = try #require(errors.first { $0["ErrorCode"] as? Int == 404 })
        #expect(notFound["ResponsePagePath"] as? String == "/index.html")
        #expect(notFound["ResponseCode"] as? String == "200")
    }

    @Test("spa_fallback: error_response with an API is refused, since it would swallow the API's 404s")
    func errorResponseWithAPI() throws {
        let config = TestProject.config.replacingOccurrences(
            of: "  bucket: acme-site", with: "  bucket: acme-site\n  spa_fallback: error_response")
        #expect(
            failureLines { try Self.plan(config: config) } == [
                "site.yml:22:17: error: 'infra.spa_fallback: error_response' would replace the API's own 404s (/api/*) with the app shell"
            ])
    }

    @Test("the bucket is private, owner-enforced, encrypted with SSE-S3, versioned, and readable only by this distribution over TLS")
    func bucket() throws {
        let files = try Self.plan()
        #expect(try Self.json(files, InfraLayout.createBucket).keys.sorted() == ["Bucket"])
        let block = try #require(try Self.json(files, InfraLayout.publicAccessBlock)["PublicAccessBlockConfiguration"] as? [String: Bool])
        #expect(block == ["BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true])
        let encryption = String(decoding: try #require(files[InfraLayout.encryption]), as: UTF8.self)
        #expect(encryption.contains("\"SSEAlgorithm\" : \"AES256\"") && encryption.contains("\"BucketKeyEnabled\" : true"))
        let policyText = try #require(try Self.json(files, InfraLayout.bucketPolicy)["Policy"] as? String)
        let policy = try #require(try JSONSerialization.jsonObject(with: Data(policyText.utf8)) as? [String: Any])
        let statements = try #require(policy["Statement"] as? [[String: Any]])
        #expect(statements.map { $0["Action"] as? String } == ["s3:GetObject", "s3:ListBucket", "s3:*"])
        #expect(policyText.contains("\"AWS:SourceArn\" : \"\(InfraLayout.distributionARNPlaceholder)\""))
        #expect(policyText.contains("\"aws:SecureTransport\" : \"false\""))
    }

    @Test("a bucket outside us-east-1 is created with its LocationConstraint")
    func locationConstraint() throws {
        let config = TestProject.config.replacingOccurrences(of: "  bucket: acme-site", with: "  bucket: acme-site\n  region: eu-west-1")
        let input = try Self.json(try Self.plan(config: config), InfraLayout.createBucket)
        #expect((input["CreateBucketConfiguration"] as? [String: String]) == ["LocationConstraint": "eu-west-1"])
    }

    @Test("security headers: HSTS, nosniff, DENY, referrer policy and a CSP that allows the API")
    func headers() throws {
        let text = String(decoding: try #require(try Self.plan()[InfraLayout.responseHeadersPolicy]), as: UTF8.self)
        #expect(text.contains("\"AccessControlMaxAgeSec\" : 31536000"))
        #expect(text.contains("\"IncludeSubdomains\" : true"))
        #expect(text.contains("\"FrameOption\" : \"DENY\""))
        #expect(text.contains("connect-src 'self' https://api.acme.example; "))
        #expect(text.contains("frame-ancestors 'none'"))
    }

    @Test("the backend gets exact CORS origins, the redirect URI and the legal URLs")
    func backend() throws {
        let env = String(decoding: try #require(try Self.plan()[InfraLayout.backendEnv]), as: UTF8.self)
        #expect(
            env == """
                # The companion API's settings for this site, written by site plan-infra.
                SITE_BASE_URL=https://d111111abcdef8.cloudfront.net
                CORS_ALLOWED_ORIGINS='["https://d111111abcdef8.cloudfront.net","http://localhost:5173"]'
                OAUTH_REDIRECT_URI=https://d111111abcdef8.cloudfront.net/auth/callback
                PRIVACY_URL=https://d111111abcdef8.cloudfront.net/privacy
                TERMS_URL=https://d111111abcdef8.cloudfront.net/terms

                """)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let invalid: [Case] = [
        Case(
            name: "bucket name with capitals", replace: "bucket: acme-site", with: "bucket: Acme_Site",
            expected: [
                "site.yml:21:11: error: 'infra.bucket' must use only lower-case letters, digits, '.' and '-', found 'A' in 'Acme_Site'"
            ]),
        Case(
            name: "bucket name too short", replace: "bucket: acme-site", with: "bucket: ab",
            expected: ["site.yml:21:11: error: 'infra.bucket' must be 3 to 63 characters long, found 2"]),
        Case(
            name: "certificate outside us-east-1", replace: "bucket: acme-site",
            with: "bucket: acme-site\n  aliases: [www.acme.example]\n  certificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            expected: ["site.yml:23:20: error: 'infra.certificate_arn' is in eu-west-1, but CloudFront needs the certificate in us-east-1"]),
        Case(
            name: "alias without certificate", replace: "bucket: acme-site", with: "bucket: acme-site\n  aliases: [www.acme.example]",
            expected: [
                "site.yml:21:3: error: 'infra.aliases' needs 'infra.certificate_arn': CloudFront serves other host names only with their certificate"
            ]),
        Case(
            name: "API origin with a path", replace: "origin: https://api.acme.example", with: "origin: https://api.acme.example/v1",
            expected: [
                "site.yml:19:11: error: 'api.origin': 'https://api.acme.example/v1' is not an origin: remove the path, query or fragment (keep scheme://host[:port])"
            ]),
        Case(
            name: "region that is not one", replace: "bucket: acme-site", with: "bucket: acme-site\n  region: useast1",
            expected: ["site.yml:22:11: error: 'infra.region' must be an AWS region such as us-east-1 or eu-west-1, found 'useast1'"]),
    ]

    @Test("invalid infrastructure settings are errors at their line", arguments: invalid)
    func rejects(_ testCase: Case) {
        let config = TestProject.config.replacingOccurrences(of: testCase.replace, with: testCase.with)
        #expect(failureLines { try ConfigLoader.parse(config, file: "site.yml") } == testCase.expected)
    }
}

@Suite("Committed infrastructure output")
struct CommittedInfraTests {
    /// The example's environments, each planned into `infra/<env>/`.
    static let environments =
        (try? ConfigLoader.load("site.yml", from: DiskFileSystem(root: TestProject.repositoryRoot)))?.environments ?? []

    @Test("the example has environments: staging, production and two preview slots")
    func exampleEnvironments() {
        #expect(Self.environments == ["staging", "production", "preview-1", "preview-2"])
    }

    @Test(
        "infra/<env>/ is what site plan-infra --env writes for the example today (run make infra when this fails)",
        arguments: environments)
    func upToDate(environment: String) throws {
        let root = TestProject.repositoryRoot
        var options = BuildPipeline.Options()
        options.environment = environment
        let result = try BuildPipeline(options: options).run(fileSystem: DiskFileSystem(root: root))
        #expect(result.config.environment == environment)
        let planner = try InfraPlanner(
            config: result.config, manifest: result.manifest,
            notFoundPage: result.objects.first { $0.key == "404.html" }.map { String(decoding: $0.data, as: UTF8.self) })
        let planned = try planner.files()
        let infra = ProjectFolders(root: root, environment: environment).infra
        for (path, data) in planned.sorted(by: { $0.key < $1.key }) {
            let committed = try? Data(contentsOf: infra.appendingPathComponent(path))
            #expect(committed != nil, "infra/\(environment)/\(path) is missing")
            if let committed, committed != data {
                Issue.record("infra/\(environment)/\(path) is stale:\n\(Snapshot.diff(committed, data))")
            }
        }
        var extra: [String] = []
        if let enumerator = FileManager.default.enumerator(at: infra, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let path = String(url.standardizedFileURL.path.dropFirst(infra.standardizedFileURL.path.count + 1))
                if !path.hasPrefix("out/"), !path.hasPrefix("publish/"), planned[path] == nil { extra.append(path) }
            }
        }
        #expect(extra.isEmpty, "infra/\(environment)/ holds files plan-infra no longer writes: \(extra)")
    }

    @Test("infra/ holds one folder per environment and nothing else")
    func onlyEnvironments() throws {
        let infra = TestProject.repositoryRoot.appendingPathComponent("infra")
        let names = try FileManager.default.contentsOfDirectory(atPath: infra.path).filter { !$0.hasPrefix(".") }
        #expect(Set(names) == Set(Self.environments))
    }
}

@Suite("Infrastructure plan: AWS limits, checked before anything is written")
struct InfraBudgetTests {
    static func plan(files: [String: String?] = [:]) throws -> [String: Data] {
        let result = try TestProject.build(TestProject.with(files))
        return try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: nil).files()
    }

    static func terms(alias: String) -> String {
        (TestProject.files["content/terms.md"] ?? "").replacingOccurrences(of: "aliases: [/tos]", with: "aliases: [\(alias)]")
    }

    @Test("a route key of 512 bytes is planned; one of 513 is an error at the page whose alias makes it", arguments: [512, 513])
    func keyBytes(_ bytes: Int) throws {
        let alias = "/" + String(repeating: "a", count: bytes - 1)
        let files = ["content/terms.md": Self.terms(alias: alias)]
        if bytes <= AWSLimits.keyValueStoreKeyBytes {
            let plan = try Self.plan(files: files)
            #expect(String(decoding: try #require(plan[InfraLayout.routes]), as: UTF8.self).contains(alias))
        } else {
            #expect(
                failureLines { try Self.plan(files: files) } == [
                    "content/terms.md: error: the route \(alias.prefix(60))... is 513 bytes; a key of CloudFront's key value store holds at most 512"
                ])
        }
    }

    @Test("a Content-Security-Policy of 1,783 characters is planned; one of 1,784 is an error at api.origin", arguments: [0, 1])
    func contentSecurityPolicy(_ over: Int) throws {
        let base = try TestProject.build(TestProject.with([:]))
        let planner = try InfraPlanner(config: base.config, manifest: base.manifest, notFoundPage: nil)
        let fixed = planner.contentSecurityPolicy.count - "https://api.acme.example".count
        let host = String(repeating: "a", count: AWSLimits.contentSecurityPolicyCharacters - fixed - "https://.example".count + over)
        let config = TestProject.config.replacingOccurrences(
            of: "origin: https://api.acme.example", with: "origin: https://\(host).example")
        let result = try TestProject.build(TestProject.with(["site.yml": config]))
        if over == 0 {
            let planned = try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: nil)
            #expect(planned.contentSecurityPolicy.count == AWSLimits.contentSecurityPolicyCharacters)
        } else {
            #expect(
                failureLines { try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: nil) } == [
                    "site.yml:19:11: error: the Content-Security-Policy is 1784 characters; a response headers policy sends at most 1783"
                ])
        }
    }

    @Test("100 aliases of the distribution are planned; 101 are an error at infra.aliases", arguments: [100, 101])
    func aliases(_ count: Int) throws {
        let hosts = (1...count).map { "h\($0).acme.example" }.joined(separator: ", ")
        let config = TestProject.config.replacingOccurrences(
            of: "  bucket: acme-site",
            with: "  bucket: acme-site\n  aliases: [\(hosts)]\n  certificate_arn: arn:aws:acm:us-east-1:111122223333:certificate/x")
        let result = try TestProject.build(TestProject.with(["site.yml": config]))
        if count <= AWSLimits.aliasesPerDistribution {
            #expect(throws: Never.self) { try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: nil) }
        } else {
            let lines = failureLines { try InfraPlanner(config: result.config, manifest: result.manifest, notFoundPage: nil) }
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("site.yml:22:") == true, "\(lines)")
            #expect(lines.first?.hasSuffix("error: infra.aliases lists 101 host names; a distribution takes at most 100") == true)
        }
    }

    /// `site.base_url`'s host, `infra.aliases` and whether the plan is refused at `site.base_url`.
    @Test(
        "a base_url host of one's own needs to be one of infra.aliases; a cloudfront.net host does not",
        arguments: [
            ("d111111abcdef8.cloudfront.net", nil, false), ("clipcast.example", nil, true),
            ("clipcast.example", "[clipcast.example]", false), ("Clipcast.Example", "[www.clipcast.example, clipcast.example]", false),
            ("clipcast.example", "[www.clipcast.example]", true),
        ] as [(String, String?, Bool)])
    func registeredHost(host: String, aliases: String?, refused: Bool) throws {
        var config = TestProject.config.replacingOccurrences(of: "https://d111111abcdef8.cloudfront.net", with: "https://\(host)")
        if let aliases {
            config = config.replacingOccurrences(
                of: "  bucket: acme-site",
                with: "  bucket: acme-site\n  aliases: \(aliases)\n  certificate_arn: arn:aws:acm:us-east-1:111122223333:certificate/x")
        }
        let result = try TestProject.build(TestProject.with(["site.yml": config]))
        let findings = InfraPlanner.deploymentFindings(config: result.config, manifest: result.manifest)
        if refused {
            #expect(findings.map { DiagnosticRenderer.position($0.location) } == ["site.yml:6:13"])
            #expect(
                findings.first?.message
                    == "site.base_url names \(host.lowercased()), which the distribution answers only when it is one of infra.aliases")
        } else {
            #expect(findings.isEmpty, "\(findings)")
        }
    }

    @Test("function code of 10,240 bytes is planned; 10,241 is an error at spa.routes", arguments: [10_240, 10_241])
    func functionCode(_ bytes: Int) throws {
        let result = try TestProject.build(TestProject.with([:]))
        let code = String(repeating: "x", count: bytes)
        let findings = InfraBudget.check(
            config: result.config, manifest: result.manifest, store: EdgeRouteStore(routes: result.manifest.routes),
            codes: [(InfraLayout.functionCode, code)], contentSecurityPolicy: "")
        if bytes <= AWSLimits.functionCodeBytes {
            #expect(findings.isEmpty)
        } else {
            #expect(findings.map(\.message) == ["cloudfront/viewer-request.js is 10241 bytes; CloudFront Functions take at most 10240"])
            #expect((findings.first?.location.line ?? 0) > 0, "at the line of spa.routes")
        }
    }

    @Test("the route store's total is checked against 5 MB")
    func storeTotal() throws {
        let result = try TestProject.build(TestProject.with([:]))
        var routes = result.manifest.routes
        let filler = String(repeating: "x", count: 500)
        routes.redirects += (0..<11_000).map { RoutingTable.Redirect(from: "/r\($0)-\(filler)", to: "/terms") }
        routes = RoutingTable(entries: routes.entries, redirects: routes.redirects, spaRoutes: routes.spaRoutes, api: routes.api)
        let store = EdgeRouteStore(routes: routes)
        #expect(store.totalBytes > AWSLimits.keyValueStoreBytes)
        let findings = InfraBudget.check(
            config: result.config, manifest: result.manifest, store: store, codes: [], contentSecurityPolicy: "")
        #expect(findings.map(\.message).contains { $0.hasPrefix("the edge's routes take \(store.totalBytes) bytes in") })
        #expect(findings.count == 1)
    }
}
