/// Which of a provider's apps an OAuth registration is: providers such as TikTok give a sandbox
/// app, with its own client id, beside the production one.
public enum OAuthApp: String, Sendable, Equatable, CaseIterable {
    /// The app for testing, seen only by the accounts the provider's portal lists.
    case sandbox
    /// The app everyone signs in with.
    case production
}
