import Foundation

/// The last stage of `plan-infra`: every AWS CLI input, the deploy script and the backend's values,
/// as files of the output folder.
public struct InfraPlanner: Sendable {
    /// Managed CloudFront policies, by their fixed ids.
    public enum ManagedPolicy {
        /// `Managed-CachingOptimized`, the cache policy of the bucket's behavior: no query string,
        /// cookie or header is part of the cache key.
        public static let cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
        /// `Managed-CachingDisabled`, the cache policy of the API's behavior: nothing the API
        /// answers is cached.
        public static let cachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
        /// `Managed-AllViewerExceptHostHeader`, the origin request policy of the API's behavior:
        /// the backend gets the viewer's headers, cookies and query string, except `Host`.
        public static let allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    }

    /// The site's config, which names and shapes the resources.
    public let config: SiteConfig
    /// The build's manifest, whose routing table the edge function and its store answer from.
    public let manifest: Manifest
    /// The 404 page's HTML, embedded in the edge function.
    public let notFoundPage: String?
    /// The names of the site's AWS resources, derived from `infra.bucket`.
    public let names: InfraNames
    /// The routing data of the viewer-request function, derived from the manifest's routing table.
    public let routeStore: EdgeRouteStore

    static let bucketOriginID = "site-bucket"
    static let apiOriginID = "site-api"

    /// Plans for a built site; fails with located diagnostics when the config cannot be deployed.
    public init(config: SiteConfig, manifest: Manifest, notFoundPage: String?) throws(DiagnosticError) {
        var bag = DiagnosticBag()
        guard let bucket = config.infra.bucket else {
            throw DiagnosticError(
                .error(
                    config.location(of: "infra"), "plan-infra needs 'infra.bucket'",
                    hint: "add infra: bucket: <name> to \(config.file)"))
        }
        if config.infra.spaFallback == .errorResponse, let api = config.api {
            bag.error(
                config.location(of: "infra.spa_fallback"),
                "'infra.spa_fallback: error_response' would replace the API's own 404s (\(api.pathPattern)) with the app shell",
                hint: "use spa_fallback: function (the default), which applies only to the bucket's paths")
        }
        try bag.throwIfErrors()
        self.config = config
        self.manifest = manifest
        self.notFoundPage = notFoundPage
        self.names = InfraNames(bucket: bucket, region: config.infra.region)
        self.routeStore = EdgeRouteStore(routes: manifest.routes, routesInFunction: config.infra.spaFallback == .function)
        let redirectErrors = BackendValues.findings(config: config).filter { $0.severity == .error }
        let findings =
            Self.hostFindings(config) + redirectErrors
            + InfraBudget.check(
                config: config, manifest: manifest, store: routeStore,
                codes: [(InfraLayout.functionCode, functionCode), (InfraLayout.responseFunctionCode, EdgeFunction.viewerResponseCode)],
                contentSecurityPolicy: contentSecurityPolicy)
        if !findings.isEmpty { throw DiagnosticError(findings) }
    }

    /// What would stop a plan of `config` for `manifest` (what `plan-infra` refuses), for
    /// `site check`: nothing when the config has no `infra.bucket` (the site is not deployed
    /// with `site`).
    public static func deploymentFindings(config: SiteConfig, manifest: Manifest) -> [Diagnostic] {
        guard config.infra.bucket != nil else { return [] }
        do {
            _ = try InfraPlanner(config: config, manifest: manifest, notFoundPage: nil)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// The host OAuth providers are given is the host that answers: a `site.base_url` host other
    /// than a `*.cloudfront.net` name is served only as one of `infra.aliases` (which needs
    /// `infra.certificate_arn`, checked with the config).
    static func hostFindings(_ config: SiteConfig) -> [Diagnostic] {
        let host = config.site.host
        guard !host.isEmpty, !config.site.isPending, !host.hasSuffix(".cloudfront.net"),
            !config.infra.aliases.contains(where: { $0.lowercased() == host })
        else { return [] }
        return [
            .error(
                config.location(of: "site.base_url"),
                "site.base_url names \(host), which the distribution answers only when it is one of infra.aliases",
                hint:
                    "add infra.aliases: [\(host)] with infra.certificate_arn (an ACM certificate in us-east-1 for it), or use the distribution's *.cloudfront.net host"
            )
        ]
    }

    /// Every file of the plan, by path below the output folder.
    public func files() throws -> [String: Data] {
        var files: [String: Data] = [:]
        func json(_ path: String, _ value: JSONValue) throws { files[path] = try JSON.encode(value) }
        try json(InfraLayout.createBucket, createBucket)
        try json(InfraLayout.publicAccessBlock, publicAccessBlock)
        try json(InfraLayout.ownershipControls, ownershipControls)
        try json(InfraLayout.encryption, encryption)
        try json(InfraLayout.versioning, versioning)
        try json(InfraLayout.lifecycle, lifecycle)
        try json(InfraLayout.bucketPolicy, bucketPolicy())
        try json(InfraLayout.originAccessControl, originAccessControl)
        try json(InfraLayout.function, function)
        files[InfraLayout.functionCode] = Data(functionCode.utf8)
        try json(InfraLayout.responseFunction, responseFunction)
        files[InfraLayout.responseFunctionCode] = Data(EdgeFunction.viewerResponseCode.utf8)
        try json(InfraLayout.keyValueStore, keyValueStore)
        try json(InfraLayout.routes, routeStore.importDocument)
        try json(InfraLayout.responseHeadersPolicy, responseHeadersPolicy)
        try json(InfraLayout.distributionConfig, distributionConfig)
        try json(InfraLayout.names, namesDocument)
        let backend = try BackendValues(config: config)
        files[InfraLayout.backendEnv] = Data(backend.dotenv.utf8)
        try json(InfraLayout.backendJSON, backend.json)
        files[InfraLayout.oauthRegistration] = Data(backend.registration.utf8)
        files[InfraLayout.deployScript] = Data(
            DeployScript.render(
                names: names, siteHost: config.site.host, firstDeploy: { FirstDeploy.instructions(config: config, domain: $0) }
            ).utf8)
        files[InfraLayout.previousManifestScript] = Data(PublishFiles.previousManifestScript(names: names).utf8)
        return files
    }

    // MARK: Bucket

    var createBucket: JSONValue {
        var input: [String: JSONValue] = ["Bucket": .string(names.bucket)]
        // us-east-1 rejects a LocationConstraint; every other region requires one.
        if names.region != "us-east-1" {
            input["CreateBucketConfiguration"] = ["LocationConstraint": .string(names.region)]
        }
        return .object(input)
    }

    var publicAccessBlock: JSONValue {
        [
            "Bucket": .string(names.bucket),
            "PublicAccessBlockConfiguration": [
                "BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true,
            ],
        ]
    }

    var ownershipControls: JSONValue {
        ["Bucket": .string(names.bucket), "OwnershipControls": ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]]]
    }

    /// SSE-S3, not SSE-KMS: with KMS, ETags stop being MD5s and uploads can no longer be compared.
    var encryption: JSONValue {
        [
            "Bucket": .string(names.bucket),
            "ServerSideEncryptionConfiguration": [
                "Rules": [["ApplyServerSideEncryptionByDefault": ["SSEAlgorithm": "AES256"], "BucketKeyEnabled": true]]
            ],
        ]
    }

    var versioning: JSONValue {
        ["Bucket": .string(names.bucket), "VersioningConfiguration": ["Status": "Enabled"]]
    }

    /// Versions a deploy replaced or deleted expire after `infra.noncurrent_days`; uploads that
    /// never completed are aborted after a week.
    var lifecycle: JSONValue {
        [
            "Bucket": .string(names.bucket),
            "LifecycleConfiguration": [
                "Rules": [
                    [
                        "ID": "site-noncurrent-versions", "Status": "Enabled", "Filter": ["Prefix": ""],
                        "NoncurrentVersionExpiration": ["NoncurrentDays": .int(config.infra.noncurrentDays)],
                        "AbortIncompleteMultipartUpload": ["DaysAfterInitiation": 7],
                    ]
                ]
            ],
        ]
    }

    /// Only CloudFront, for this distribution, may read; nothing may reach the bucket without TLS.
    func bucketPolicy() throws -> JSONValue {
        let bucketARN = "arn:aws:s3:::\(names.bucket)"
        let condition: JSONValue = ["StringEquals": ["AWS:SourceArn": .string(InfraLayout.distributionARNPlaceholder)]]
        let document: JSONValue = [
            "Version": "2012-10-17",
            "Statement": [
                [
                    "Sid": "CloudFrontReadsObjects", "Effect": "Allow",
                    "Principal": ["Service": "cloudfront.amazonaws.com"], "Action": "s3:GetObject",
                    "Resource": .string("\(bucketARN)/*"), "Condition": condition,
                ],
                [
                    "Sid": "CloudFrontListsSoMissingKeysAre404", "Effect": "Allow",
                    "Principal": ["Service": "cloudfront.amazonaws.com"], "Action": "s3:ListBucket",
                    "Resource": .string(bucketARN), "Condition": condition,
                ],
                [
                    "Sid": "DenyWithoutTLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [.string(bucketARN), .string("\(bucketARN)/*")],
                    "Condition": ["Bool": ["aws:SecureTransport": "false"]],
                ],
            ],
        ]
        let policy = String(decoding: try JSON.encode(document), as: UTF8.self)
        return ["Bucket": .string(names.bucket), "Policy": .string(policy)]
    }

    // MARK: CloudFront

    var originAccessControl: JSONValue {
        [
            "OriginAccessControlConfig": [
                "Name": .string(names.originAccessControl),
                "Description": .string("CloudFront reads \(names.bucket) (site)"),
                "SigningProtocol": "sigv4", "SigningBehavior": "always", "OriginAccessControlOriginType": "s3",
            ]
        ]
    }

    var functionCode: String { EdgeFunction.viewerRequestCode(store: routeStore) }

    var function: JSONValue {
        [
            "Name": .string(names.function),
            "FunctionConfig": [
                "Comment": .string("Routes for \(names.bucket): redirects, SPA routes, 404 (site)"),
                "Runtime": "cloudfront-js-2.0",
                "KeyValueStoreAssociations": .list([["KeyValueStoreARN": .string(InfraLayout.keyValueStoreARNPlaceholder)]]),
            ],
        ]
    }

    var responseFunction: JSONValue {
        [
            "Name": .string(names.responseFunction),
            "FunctionConfig": [
                "Comment": .string("The 404 page's status for \(names.bucket) (site)"),
                "Runtime": "cloudfront-js-2.0",
            ],
        ]
    }

    var keyValueStore: JSONValue {
        ["Name": .string(names.keyValueStore), "Comment": .string("Routes of \(names.bucket) (site)")]
    }

    /// The Content-Security-Policy: everything from the site itself, plus the API in connect-src.
    public var contentSecurityPolicy: String {
        var connect = ["'self'"]
        if let api = config.api { connect.append(api.origin) }
        return [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
            "connect-src \(connect.joined(separator: " "))", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
            "frame-ancestors 'none'", "upgrade-insecure-requests",
        ].joined(separator: "; ")
    }

    var responseHeadersPolicy: JSONValue {
        [
            "ResponseHeadersPolicyConfig": [
                "Name": .string(names.responseHeadersPolicy),
                "Comment": .string("Security headers for \(names.bucket) (site)"),
                "SecurityHeadersConfig": [
                    "StrictTransportSecurity": [
                        "Override": true, "AccessControlMaxAgeSec": 31_536_000, "IncludeSubdomains": true, "Preload": false,
                    ],
                    "ContentTypeOptions": ["Override": true],
                    "FrameOptions": ["Override": true, "FrameOption": "DENY"],
                    "ReferrerPolicy": ["Override": true, "ReferrerPolicy": "strict-origin-when-cross-origin"],
                    "ContentSecurityPolicy": ["Override": true, "ContentSecurityPolicy": .string(contentSecurityPolicy)],
                ],
            ]
        ]
    }

    static func behaviorBasics(origin: String, viewerPolicy: String, methods: [String]) -> [String: JSONValue] {
        [
            "TargetOriginId": .string(origin),
            "TrustedSigners": ["Enabled": false, "Quantity": 0],
            "TrustedKeyGroups": ["Enabled": false, "Quantity": 0],
            "ViewerProtocolPolicy": .string(viewerPolicy),
            "AllowedMethods": [
                "Quantity": .int(methods.count), "Items": .array(methods.map { .string($0) }),
                "CachedMethods": ["Quantity": 2, "Items": ["HEAD", "GET"]],
            ],
            "SmoothStreaming": false,
            "Compress": true,
            "LambdaFunctionAssociations": ["Quantity": 0],
            "FieldLevelEncryptionId": "",
        ]
    }

    var distributionConfig: JSONValue {
        let infra = config.infra
        var origins: [JSONValue] = [
            [
                "Id": .string(Self.bucketOriginID),
                "DomainName": .string("\(names.bucket).s3.\(names.region).amazonaws.com"),
                "OriginPath": "",
                "CustomHeaders": ["Quantity": 0],
                "S3OriginConfig": ["OriginAccessIdentity": ""],
                "OriginAccessControlId": .string(InfraLayout.originAccessControlPlaceholder),
                "ConnectionAttempts": 3, "ConnectionTimeout": 10,
                "OriginShield": ["Enabled": false],
            ]
        ]
        var behaviors: [JSONValue] = []
        if let api = config.api, let host = URLComponents(string: api.origin)?.host {
            origins.append([
                "Id": .string(Self.apiOriginID),
                "DomainName": .string(host),
                "OriginPath": "",
                "CustomHeaders": ["Quantity": 0],
                "CustomOriginConfig": [
                    "HTTPPort": 80, "HTTPSPort": .int(URLComponents(string: api.origin)?.port ?? 443),
                    "OriginProtocolPolicy": "https-only",
                    "OriginSslProtocols": ["Quantity": 1, "Items": ["TLSv1.2"]],
                    "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5,
                ],
                "ConnectionAttempts": 3, "ConnectionTimeout": 10,
                "OriginShield": ["Enabled": false],
            ])
            var behavior = Self.behaviorBasics(
                origin: Self.apiOriginID, viewerPolicy: "https-only",
                methods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"])
            behavior["PathPattern"] = .string(api.pathPattern.description)
            behavior["CachePolicyId"] = .string(ManagedPolicy.cachingDisabled)
            behavior["OriginRequestPolicyId"] = .string(ManagedPolicy.allViewerExceptHostHeader)
            behavior["FunctionAssociations"] = ["Quantity": 0]
            behaviors.append(.object(behavior))
        }
        var defaultBehavior = Self.behaviorBasics(origin: Self.bucketOriginID, viewerPolicy: "redirect-to-https", methods: ["HEAD", "GET"])
        defaultBehavior["CachePolicyId"] = .string(ManagedPolicy.cachingOptimized)
        defaultBehavior["ResponseHeadersPolicyId"] = .string(InfraLayout.responseHeadersPolicyPlaceholder)
        defaultBehavior["FunctionAssociations"] = .list([
            ["FunctionARN": .string(InfraLayout.functionARNPlaceholder), "EventType": "viewer-request"],
            ["FunctionARN": .string(InfraLayout.responseFunctionARNPlaceholder), "EventType": "viewer-response"],
        ])
        var errorResponses: [JSONValue] = []
        if infra.spaFallback == .errorResponse {
            for code in [403, 404] {
                errorResponses.append([
                    "ErrorCode": .int(code), "ResponsePagePath": .string("/" + manifest.routes.shell), "ResponseCode": "200",
                    "ErrorCachingMinTTL": 10,
                ])
            }
        }
        var viewerCertificate: JSONValue = ["CloudFrontDefaultCertificate": true, "MinimumProtocolVersion": "TLSv1.2_2021"]
        if let certificate = infra.certificateARN {
            viewerCertificate = [
                "ACMCertificateArn": .string(certificate), "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021",
                "CloudFrontDefaultCertificate": false,
            ]
        }
        var logging: JSONValue = ["Enabled": false, "IncludeCookies": false, "Bucket": "", "Prefix": ""]
        if let bucket = infra.loggingBucket {
            logging = [
                "Enabled": true, "IncludeCookies": false, "Bucket": .string(bucket), "Prefix": .string("cloudfront/\(names.bucket)/"),
            ]
        }
        return [
            "CallerReference": .string(names.callerReference),
            "Aliases": .list(infra.aliases.sorted().map { .string($0) }),
            "DefaultRootObject": .string(manifest.routes.shell),
            "Origins": .list(origins),
            "OriginGroups": ["Quantity": 0],
            "DefaultCacheBehavior": .object(defaultBehavior),
            "CacheBehaviors": .list(behaviors),
            "CustomErrorResponses": .list(errorResponses),
            "Comment": .string(names.distributionComment),
            "Logging": logging,
            "PriceClass": .string(infra.priceClass),
            "Enabled": true,
            "ViewerCertificate": viewerCertificate,
            "Restrictions": ["GeoRestriction": ["RestrictionType": "none", "Quantity": 0]],
            "WebACLId": .string(infra.webACLID ?? ""),
            "HttpVersion": "http2and3",
            "IsIPV6Enabled": true,
        ]
    }

    var namesDocument: JSONValue {
        [
            "bucket": .string(names.bucket), "region": .string(names.region),
            "origin_access_control": .string(names.originAccessControl), "function": .string(names.function),
            "response_function": .string(names.responseFunction), "key_value_store": .string(names.keyValueStore),
            "response_headers_policy": .string(names.responseHeadersPolicy),
            "distribution_comment": .string(names.distributionComment), "caller_reference": .string(names.callerReference),
            "spa_fallback": .string(config.infra.spaFallback.rawValue),
        ]
    }
}
