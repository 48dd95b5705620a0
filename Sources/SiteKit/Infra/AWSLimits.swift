/// The limits of AWS that a plan can reach, each with the page of AWS's documentation it comes
/// from. `plan-infra` and `site check` compare the plan with every one of them before anything is
/// deployed (see ``InfraBudget``).
public enum AWSLimits {
    /// CloudFront's quotas page: functions, key value stores, invalidations, headers, distributions.
    public static let quotasPage = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"

    // MARK: CloudFront Functions (quotasPage, "Quotas on CloudFront Functions")

    /// The largest function code, in bytes ("Maximum function size: 10 KB"; not adjustable).
    public static let functionCodeBytes = 10_240

    // MARK: KeyValueStore (quotasPage, "Quotas on key value stores")

    /// The largest key of a key-value pair, in bytes.
    public static let keyValueStoreKeyBytes = 512
    /// The largest value of a key-value pair, in bytes ("1 KB").
    public static let keyValueStoreValueBytes = 1_024
    /// The largest store, in bytes ("5 MB"), counted as the keys' and values' bytes.
    public static let keyValueStoreBytes = 5 * 1_024 * 1_024
    /// Keys one `UpdateKeys` request may put or delete ("50 keys or 3 MB payload").
    public static let keyValueStoreKeysPerUpdate = 50
    /// The payload of one `UpdateKeys` request, in bytes.
    public static let keyValueStoreBytesPerUpdate = 3 * 1_024 * 1_024
}

extension AWSLimits {
    // MARK: Headers and distributions (quotasPage, "Quotas on headers", "General quotas on distributions")

    /// The longest `Content-Security-Policy` value a response headers policy may send, in characters.
    public static let contentSecurityPolicyCharacters = 1_783
    /// Alternate domain names (CNAMEs) per distribution.
    public static let aliasesPerDistribution = 100
}
