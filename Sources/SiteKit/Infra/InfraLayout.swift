/// The names of the AWS resources of one site and the files `plan-infra` writes for them.
///
/// Every resource is found again by a stable name derived from the bucket, so the deploy script can
/// create what is missing and update what exists without hand edits.
public struct InfraNames: Sendable, Equatable, Codable {
    /// The S3 bucket.
    public var bucket: String
    /// The bucket's region (`us-east-1`, ...).
    public var region: String
    /// The origin access control's name.
    public var originAccessControl: String
    /// The viewer-request CloudFront Function's name.
    public var function: String
    /// The viewer-response CloudFront Function's name (it gives the 404 page its status).
    public var responseFunction: String
    /// The KeyValueStore the viewer-request function reads the routes from.
    public var keyValueStore: String
    /// The response headers policy's name.
    public var responseHeadersPolicy: String
    /// The distribution's `Comment`, by which the deploy script finds it.
    public var distributionComment: String
    /// The distribution's `CallerReference`, the same on every run.
    public var callerReference: String

    /// Names derived from the bucket (CloudFront names allow letters, digits, `-` and `_`, up to 64).
    public init(bucket: String, region: String) {
        self.bucket = bucket
        self.region = region
        let base = String(bucket.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(50))
        originAccessControl = "\(base)-oac"
        function = "\(base)-router"
        responseFunction = "\(base)-status"
        keyValueStore = "\(base)-routes"
        responseHeadersPolicy = "\(base)-headers"
        distributionComment = "site: \(bucket)"
        callerReference = "site-\(bucket)"
    }
}

/// Where `plan-infra` puts each file, relative to its output folder, and the placeholders the
/// deploy script fills with ids that exist only after creation.
public enum InfraLayout {
    /// The `s3api create-bucket` input, with the region's `LocationConstraint` outside us-east-1.
    public static let createBucket = "bucket/create-bucket.json"
    /// The `s3api put-public-access-block` input, which blocks public ACLs and public bucket
    /// policies.
    public static let publicAccessBlock = "bucket/public-access-block.json"
    /// The `s3api put-bucket-ownership-controls` input: `BucketOwnerEnforced`, so ACLs are off.
    public static let ownershipControls = "bucket/ownership-controls.json"
    /// The `s3api put-bucket-encryption` input: SSE-S3 (`AES256`) with a bucket key.
    public static let encryption = "bucket/encryption.json"
    /// The `s3api put-bucket-versioning` input, which turns versioning on.
    public static let versioning = "bucket/versioning.json"
    /// The `s3api put-bucket-lifecycle-configuration` input: versions a deploy replaced or deleted
    /// expire after `infra.noncurrent_days`.
    public static let lifecycle = "bucket/lifecycle.json"
    /// The `s3api put-bucket-policy` input: only the distribution may read, and nothing reaches the
    /// bucket without TLS.
    public static let bucketPolicy = "bucket/policy.json"
    /// The `cloudfront create-origin-access-control` input, with which CloudFront signs its
    /// requests to the bucket.
    public static let originAccessControl = "cloudfront/origin-access-control.json"
    /// The viewer-request function: its code and its `create-function` input.
    public static let functionCode = "cloudfront/viewer-request.js"
    /// The viewer-request function's `create-function` input, with ``keyValueStoreARNPlaceholder``
    /// for its store.
    public static let function = "cloudfront/viewer-request.json"
    /// The viewer-response function: its code and its `create-function` input.
    public static let responseFunctionCode = "cloudfront/viewer-response.js"
    /// The viewer-response function's `create-function` input.
    public static let responseFunction = "cloudfront/viewer-response.json"
    /// The `create-key-value-store` input.
    public static let keyValueStore = "cloudfront/key-value-store.json"
    /// Every key of the store, in the format CloudFront imports when it creates a store.
    public static let routes = "cloudfront/routes.json"
    /// The `cloudfront create-response-headers-policy` input: HSTS, `nosniff`, `X-Frame-Options:
    /// DENY`, the referrer policy and the Content-Security-Policy.
    public static let responseHeadersPolicy = "cloudfront/response-headers-policy.json"
    /// The distribution's `DistributionConfig`, with placeholders for the ids and ARNs of the
    /// resources created before it.
    public static let distributionConfig = "cloudfront/distribution-config.json"
    /// The backend's values as `KEY=value` lines for a dotenv file.
    public static let backendEnv = "backend/backend.env"
    /// The backend's values as one JSON object.
    public static let backendJSON = "backend/backend.json"
    /// What to enter in each OAuth provider's developer portal, as text.
    public static let oauthRegistration = "backend/oauth-registration.txt"
    /// The script that creates or updates every resource with the AWS CLI, and publishes the build
    /// when a publish plan is beside it.
    public static let deployScript = "deploy.sh"
    /// The script that downloads the last deploy's manifest, for `plan-infra --previous`.
    public static let previousManifestScript = "previous-manifest.sh"
    /// Every resource's name and the SPA fallback, as one JSON object.
    public static let names = "names.json"

    /// Replaced in `bucket/policy.json` by the distribution's ARN.
    public static let distributionARNPlaceholder = "__DISTRIBUTION_ARN__"
    /// Replaced in `cloudfront/distribution-config.json` by the origin access control's id.
    public static let originAccessControlPlaceholder = "__ORIGIN_ACCESS_CONTROL_ID__"
    /// Replaced in `cloudfront/distribution-config.json` by the published function's ARN.
    public static let functionARNPlaceholder = "__FUNCTION_ARN__"
    /// Replaced in `cloudfront/viewer-request.json` by the KeyValueStore's ARN.
    public static let keyValueStoreARNPlaceholder = "__KEY_VALUE_STORE_ARN__"
    /// Replaced in `cloudfront/distribution-config.json` by the published viewer-response function's ARN.
    public static let responseFunctionARNPlaceholder = "__RESPONSE_FUNCTION_ARN__"
    /// Replaced in `cloudfront/distribution-config.json` by the response headers policy's id.
    public static let responseHeadersPolicyPlaceholder = "__RESPONSE_HEADERS_POLICY_ID__"
}
