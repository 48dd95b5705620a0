import Foundation
import Testing

@testable import SiteKit

/// The `deploy.sh` that `plan-infra` writes: its text, its syntax, and its control flow against a
/// fake `aws` that answers like AWS, including the operations moto lacks (`update-function`,
/// `publish-function`, the response headers policy calls).
@Suite("Deploy script")
struct DeployScriptTests {
    static let names = InfraNames(bucket: "acme-site", region: "eu-west-1")
    /// On a host of its own (an alias), so the host check of a `*.cloudfront.net` base URL is not in the way.
    static let script = DeployScript.render(names: names, siteHost: "acme.example")

    @Test("the same names always render the same script")
    func deterministic() {
        #expect(DeployScript.render(names: Self.names, siteHost: "acme.example") == Self.script)
        #expect(DeployScript.render(names: InfraNames(bucket: "acme-site", region: "eu-west-1"), siteHost: "acme.example") == Self.script)
        #expect(
            DeployScript.render(names: InfraNames(bucket: "other", region: "eu-west-1"), siteHost: "d111111abcdef8.cloudfront.net")
                != Self.script)
    }

    @Test("the script starts with #!/bin/sh and set -eu")
    func header() {
        let lines = Self.script.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "#!/bin/sh")
        #expect(lines.dropFirst().first == "set -eu")
        #expect(Self.script.hasSuffix("\n"))
    }

    @Test("the script never passes --endpoint-url and never traces its commands")
    func noEndpointURL() {
        #expect(!Self.script.contains("--endpoint-url"))
        #expect(!Self.script.contains("endpoint-url"))
        #expect(!Self.script.contains("set -x"))
    }

    @Test("the script names every resource, planned file and placeholder")
    func resourceNames() {
        let names = Self.names
        for name in [
            names.bucket, names.region, names.originAccessControl, names.function, names.responseHeadersPolicy,
            names.distributionComment,
        ] {
            #expect(Self.script.contains("'\(name)'"), "\(name)")
        }
        for path in [
            InfraLayout.createBucket, InfraLayout.publicAccessBlock, InfraLayout.ownershipControls,
            InfraLayout.encryption, InfraLayout.versioning, InfraLayout.bucketPolicy,
            InfraLayout.originAccessControl, InfraLayout.function, InfraLayout.functionCode,
            InfraLayout.responseHeadersPolicy, InfraLayout.distributionConfig,
        ] {
            #expect(Self.script.contains("$here/\(path)"), "\(path)")
        }
        for placeholder in [
            InfraLayout.distributionARNPlaceholder, InfraLayout.originAccessControlPlaceholder,
            InfraLayout.functionARNPlaceholder, InfraLayout.responseHeadersPolicyPlaceholder,
        ] {
            #expect(Self.script.contains(placeholder), "\(placeholder)")
            #expect(placeholder.allSatisfy { $0.isUppercase || $0 == "_" }, "\(placeholder) is safe in a sed pattern")
        }
        #expect(Self.script.contains("DISTRIBUTION_ID=") && Self.script.contains("DISTRIBUTION_DOMAIN="))
    }

    @Test("the script passes sh -n")
    func syntax() throws {
        let folder = try Folder()
        let file = try folder.write("deploy.sh", Self.script)
        let outcome = try Shell.run("/bin/sh", ["-n", file.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test("the script passes shellcheck -s sh", .enabled(if: Shell.find("shellcheck") != nil, "shellcheck is not installed"))
    func shellcheck() throws {
        let shellcheck = try #require(Shell.find("shellcheck"))
        let folder = try Folder()
        let file = try folder.write("deploy.sh", Self.script)
        let outcome = try Shell.run(shellcheck, ["-s", "sh", file.path])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
    }

    @Test("names with quotes, dollars and backquotes stay literal in the script")
    func quoting() throws {
        var names = InfraNames(bucket: "odd", region: "us-east-1")
        names.bucket = #"it's $HOME `id` "x" \n"#
        names.distributionComment = #"site: it's $(id)"#
        let script = DeployScript.render(names: names, siteHost: "d111111abcdef8.cloudfront.net")
        let folder = try Folder()
        let file = try folder.write("deploy.sh", script)
        #expect(try Shell.run("/bin/sh", ["-n", file.path]).status == 0)

        let assignments = script.split(separator: "\n").filter {
            $0.hasPrefix("bucket=") || $0.hasPrefix("distribution_comment=")
        }.joined(separator: "\n")
        let outcome = try Shell.run(
            "/bin/sh", ["-c", assignments + "\nprintf '%s\\n' \"$bucket\" \"$distribution_comment\""])
        #expect(outcome.stdout == names.bucket + "\n" + names.distributionComment + "\n")
        #expect(script.contains(#""DistributionList.Items[?Comment=='site: it\\'s \$(id)'].Id | [0]""#))
    }

    @Test(
        "on a fresh account the script creates everything and publishes the function", .enabled(if: Shell.find("python3") != nil))
    func createPath() throws {
        let run = try FakeAWS.deploy(state: "missing")
        #expect(run.status == 0, "\(run.stderr)")
        let calls = run.calls
        for call in [
            "s3api head-bucket --bucket acme-site",
            "s3api create-bucket --cli-input-json file://\(run.plan)/bucket/create-bucket.json",
            "s3api put-public-access-block --cli-input-json file://\(run.plan)/bucket/public-access-block.json",
            "s3api put-bucket-ownership-controls --cli-input-json file://\(run.plan)/bucket/ownership-controls.json",
            "s3api put-bucket-encryption --cli-input-json file://\(run.plan)/bucket/encryption.json",
            "s3api put-bucket-versioning --cli-input-json file://\(run.plan)/bucket/versioning.json",
            "cloudfront create-origin-access-control --cli-input-json file://\(run.plan)/cloudfront/origin-access-control.json",
            "s3api put-bucket-lifecycle-configuration --cli-input-json file://\(run.plan)/bucket/lifecycle.json",
            "cloudfront create-key-value-store --cli-input-json file://\(run.plan)/cloudfront/key-value-store.json",
            "--function-code fileb://\(run.plan)/cloudfront/viewer-request.js",
            "--function-code fileb://\(run.plan)/cloudfront/viewer-response.js",
            "cloudfront publish-function --name acme-site-router --if-match ECREATED",
            "cloudfront publish-function --name acme-site-status --if-match ECREATED",
            "cloudfront create-response-headers-policy --cli-input-json file://\(run.plan)/cloudfront/response-headers-policy.json",
            "cloudfront create-distribution --distribution-config file://",
            "s3api put-bucket-policy --cli-input-json file://",
        ] {
            #expect(calls.contains { $0.contains(call) }, "no call \(call) in\n\(calls.joined(separator: "\n"))")
        }
        #expect(!calls.contains { $0.contains("update-") })
        #expect(calls.allSatisfy { $0.hasPrefix("--region eu-west-1 s3api ") || $0.hasPrefix("--region us-east-1 cloudfront ") })
        #expect(!calls.contains { $0.contains("endpoint-url") })

        let sent = try run.sent("create-distribution")
        #expect(sent.contains(#""OriginAccessControlId": "OACNEW""#))
        #expect(sent.contains(#""FunctionARN": "arn:aws:cloudfront::111122223333:function/acme-site-router""#))
        #expect(sent.contains(#""FunctionARN": "arn:aws:cloudfront::111122223333:function/acme-site-status""#))
        #expect(sent.contains(#""ResponseHeadersPolicyId": "rhp-new""#))
        #expect(try run.sent("put-bucket-policy").contains(#"arn:aws:cloudfront::111122223333:distribution/DNEW"#))
        #expect(run.deployedEnv == "DISTRIBUTION_ID=DNEW\nDISTRIBUTION_DOMAIN=dnew.cloudfront.net\n")
        #expect(run.stdout.hasSuffix("DISTRIBUTION_ID=DNEW\nDISTRIBUTION_DOMAIN=dnew.cloudfront.net\n"))
        #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("==> ") }.count >= 10)
    }

    @Test(
        "on a deployed account the script updates everything with the ETags it just read", .enabled(if: Shell.find("python3") != nil))
    func updatePath() throws {
        let run = try FakeAWS.deploy(state: "existing")
        #expect(run.status == 0, "\(run.stderr)")
        let calls = run.calls
        for call in [
            "cloudfront get-origin-access-control --id OACOLD --query ETag --output text",
            "cloudfront update-origin-access-control --id OACOLD --if-match EOAC --origin-access-control-config file://",
            "cloudfront describe-function --name acme-site-router --query ETag --output text",
            "cloudfront update-function --name acme-site-router --if-match EDEV --function-config file://",
            "--function-code fileb://\(run.plan)/cloudfront/viewer-request.js",
            "cloudfront publish-function --name acme-site-router --if-match EUPDATED",
            "cloudfront list-response-headers-policies --type custom",
            "cloudfront get-response-headers-policy-config --id rhp-old --query ETag --output text",
            "cloudfront update-response-headers-policy --id rhp-old --if-match ERHP --response-headers-policy-config file://",
            "cloudfront get-distribution-config --id DOLD --query ETag --output text",
            "cloudfront update-distribution --id DOLD --if-match EDIST --distribution-config file://",
        ] {
            #expect(calls.contains { $0.contains(call) }, "no call \(call) in\n\(calls.joined(separator: "\n"))")
        }
        #expect(!calls.contains { $0.contains(" create-") })

        #expect(
            try json(run.sent("update-origin-access-control"))
                == json(FakeAWS.member("OriginAccessControlConfig", of: InfraLayout.originAccessControl)))
        #expect(try json(run.sent("update-function")) == json(FakeAWS.member("FunctionConfig", of: InfraLayout.function)))
        #expect(
            try json(run.sent("update-response-headers-policy"))
                == json(FakeAWS.member("ResponseHeadersPolicyConfig", of: InfraLayout.responseHeadersPolicy)))
        let sent = try run.sent("update-distribution")
        #expect(sent.contains(#""OriginAccessControlId": "OACOLD""#))
        #expect(sent.contains(#""ResponseHeadersPolicyId": "rhp-old""#))
        #expect(try run.sent("put-bucket-policy").contains(#"arn:aws:cloudfront::111122223333:distribution/DOLD"#))
        #expect(run.deployedEnv == "DISTRIBUTION_ID=DOLD\nDISTRIBUTION_DOMAIN=dold.cloudfront.net\n")
    }

    @Test(
        "SITE_SKIP_RESPONSE_HEADERS_POLICY=1 warns, skips the policy and drops it from the distribution",
        .enabled(if: Shell.find("python3") != nil))
    func skipHeadersPolicy() throws {
        let run = try FakeAWS.deploy(state: "existing", environment: [DeployScript.skipResponseHeadersPolicyVariable: "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.calls.contains { $0.contains("response-headers-polic") })
        #expect(run.stderr.contains("WARNING: SITE_SKIP_RESPONSE_HEADERS_POLICY=1"))
        let sent = try run.sent("update-distribution")
        #expect(!sent.contains("ResponseHeadersPolicyId"))
        #expect(!sent.contains(InfraLayout.responseHeadersPolicyPlaceholder))
        #expect(sent.contains(#""OriginAccessControlId": "OACOLD""#))
    }

    @Test(
        "SITE_SKIP_FUNCTION_PUBLISH=1 warns and neither updates nor publishes the function", .enabled(if: Shell.find("python3") != nil))
    func skipFunctionPublish() throws {
        let run = try FakeAWS.deploy(state: "existing", environment: [DeployScript.skipFunctionPublishVariable: "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.calls.contains { $0.contains("update-function") || $0.contains("publish-function") })
        #expect(run.stderr.contains("WARNING: SITE_SKIP_FUNCTION_PUBLISH=1"))
        #expect(try run.sent("update-distribution").contains("function/acme-site-router"))
    }

    @Test(
        "a failure other than not-found stops the script before it creates anything", .enabled(if: Shell.find("python3") != nil))
    func unexpectedFailure() throws {
        let run = try FakeAWS.deploy(state: "denied")
        #expect(run.status != 0)
        #expect(run.stderr.contains("AccessDenied"))
        #expect(!run.calls.contains { $0.contains("create-function") || $0.contains("distribution") })
    }

    @Test(
        "a base_url on another cloudfront.net host than the distribution's stops the script after the distribution, naming both",
        .enabled(if: Shell.find("python3") != nil))
    func hostCheck() throws {
        let script = DeployScript.render(names: Self.names, siteHost: "d111111abcdef8.cloudfront.net")
        let run = try FakeAWS.deploy(state: "missing", script: script)
        #expect(run.status == 1)
        #expect(
            run.stderr.contains(
                "site.base_url names d111111abcdef8.cloudfront.net, but this distribution answers at dnew.cloudfront.net. Set site.base_url: https://dnew.cloudfront.net in site.yml"
            ))
        #expect(run.deployedEnv == "DISTRIBUTION_ID=DNEW\nDISTRIBUTION_DOMAIN=dnew.cloudfront.net\n")
        let same = try FakeAWS.deploy(state: "missing", script: DeployScript.render(names: Self.names, siteHost: "dnew.cloudfront.net"))
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test(
        "a response headers policy call that fails fails the script",
        .enabled(if: Shell.find("python3") != nil))
    func headersPolicyFailure() throws {
        let run = try FakeAWS.deploy(state: "no-headers-policy-api")
        #expect(run.status != 0)
        #expect(!run.calls.contains { $0.contains("distribution") })
    }

    private func json(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }
}

/// A temporary folder, removed when the value goes away.
private final class Folder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    @discardableResult
    func write(_ path: String, _ contents: String, executable: Bool = false) throws -> URL {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return file
    }

    func read(_ path: String) -> String? {
        (try? Data(contentsOf: url.appendingPathComponent(path))).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Runs programs with their output captured in files, so neither pipe can fill up.
private enum Shell {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let folder = try Folder()
        let out = folder.url.appendingPathComponent("stdout")
        let err = folder.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}

/// A plan folder with the rendered script, run against a fake `aws` on the PATH that logs each call,
/// keeps each `file://` request it is sent, and answers like AWS for one account state:
/// `missing` (nothing exists yet), `existing` (everything exists), `denied` (describe-function is
/// refused) or `no-headers-policy-api` (the response headers policy calls fail).
private enum FakeAWS {
    static let plan: [String: String] = [
        InfraLayout.names: #"{"bucket": "acme-site", "region": "eu-west-1"}"#,
        InfraLayout.createBucket:
            #"{"Bucket": "acme-site", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}, "ObjectOwnership": "BucketOwnerEnforced"}"#,
        InfraLayout.publicAccessBlock:
            #"{"Bucket": "acme-site", "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}"#,
        InfraLayout.ownershipControls:
            #"{"Bucket": "acme-site", "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}"#,
        InfraLayout.encryption:
            #"{"Bucket": "acme-site", "ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": true}]}}"#,
        InfraLayout.versioning: #"{"Bucket": "acme-site", "VersioningConfiguration": {"Status": "Enabled"}}"#,
        InfraLayout.bucketPolicy:
            #"{"Bucket": "acme-site", "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudfront.amazonaws.com\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme-site/*\",\"Condition\":{\"StringEquals\":{\"AWS:SourceArn\":\"__DISTRIBUTION_ARN__\"}}}]}"}"#,
        InfraLayout.originAccessControl:
            #"{"OriginAccessControlConfig": {"Name": "acme-site-oac", "SigningProtocol": "sigv4", "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}}"#,
        InfraLayout.function: #"{"Name": "acme-site-router", "FunctionConfig": {"Comment": "routes", "Runtime": "cloudfront-js-2.0"}}"#,
        InfraLayout.functionCode: "function handler(event) { return event.request; }\n",
        InfraLayout.responseFunction:
            #"{"Name": "acme-site-status", "FunctionConfig": {"Comment": "routes", "Runtime": "cloudfront-js-2.0"}}"#,
        InfraLayout.responseFunctionCode: "function handler(event) { return event.response; }\n",
        InfraLayout.keyValueStore: #"{"Name": "acme-site-routes", "Comment": "routes"}"#,
        InfraLayout.lifecycle: #"{"Bucket": "acme-site", "LifecycleConfiguration": {"Rules": []}}"#,
        InfraLayout.responseHeadersPolicy:
            #"{"ResponseHeadersPolicyConfig": {"Name": "acme-site-headers", "SecurityHeadersConfig": {"ContentTypeOptions": {"Override": true}}}}"#,
        InfraLayout.distributionConfig: """
        {
          "CallerReference": "site-acme-site",
          "Comment": "site: acme-site",
          "Enabled": true,
          "DefaultRootObject": "index.html",
          "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "acme-site.s3.eu-west-1.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "__ORIGIN_ACCESS_CONTROL_ID__"}]},
          "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            "ResponseHeadersPolicyId": "__RESPONSE_HEADERS_POLICY_ID__",
            "FunctionAssociations": {"Quantity": 2, "Items": [{"FunctionARN": "__FUNCTION_ARN__", "EventType": "viewer-request"},
              {"FunctionARN": "__RESPONSE_FUNCTION_ARN__", "EventType": "viewer-response"}]}}
        }

        """,
    ]

    static let aws = #"""
        #!/bin/sh
        printf '%s\n' "$*" >>"$FAKE_AWS_DIR/calls.log"
        operation=$4
        for argument in "$@"; do
            case "$argument" in
                file://*) cat "${argument#file://}" >"$FAKE_AWS_DIR/$operation.json" ;;
            esac
        done
        fail() {
            printf '\nAn error occurred (%s) when calling the %s operation: %s\n' "$1" "$operation" "$2" >&2
            exit 255
        }
        case "$FAKE_AWS_STATE:$operation" in
            missing:head-bucket) fail 404 "Not Found" ;;
            *:head-bucket) ;;
            *:create-bucket) echo '{"Location": "http://acme-site.s3.amazonaws.com/"}' ;;
            *:put-*) ;;
            missing:list-origin-access-controls) echo None ;;
            *:list-origin-access-controls) echo OACOLD ;;
            *:create-origin-access-control) echo OACNEW ;;
            *:get-origin-access-control) echo EOAC ;;
            *:update-origin-access-control) echo '{}' ;;
            missing:describe-function) fail NoSuchFunctionExists "The function acme-site-router does not exist." ;;
            denied:describe-function) fail AccessDenied "User is not authorized to perform cloudfront:DescribeFunction" ;;
            *:describe-function) case "$*" in *FunctionARN*) echo "arn:aws:cloudfront::111122223333:function/$6" ;; *) echo EDEV ;; esac ;;
            *:create-function) echo ECREATED ;;
            *:update-function) echo EUPDATED ;;
            *:publish-function) echo "arn:aws:cloudfront::111122223333:function/$6" ;;
            missing:describe-key-value-store)
                if [ -f "$FAKE_AWS_DIR/store-created" ]; then
                    case "$*" in *Status*) echo READY ;; *) echo arn:aws:cloudfront::111122223333:key-value-store/kvs-1 ;; esac
                else
                    fail EntityNotFound "The specified key value store does not exist."
                fi ;;
            *:describe-key-value-store) case "$*" in *Status*) echo READY ;; *) echo arn:aws:cloudfront::111122223333:key-value-store/kvs-1 ;; esac ;;
            *:create-key-value-store) : >"$FAKE_AWS_DIR/store-created"; echo arn:aws:cloudfront::111122223333:key-value-store/kvs-1 ;;
            no-headers-policy-api:*response-headers-polic*) fail 404 "Not Found" ;;
            missing:list-response-headers-policies) echo None ;;
            *:list-response-headers-policies) echo rhp-old ;;
            *:create-response-headers-policy) echo rhp-new ;;
            *:get-response-headers-policy-config) echo ERHP ;;
            *:update-response-headers-policy) echo '{}' ;;
            missing:list-distributions) echo None ;;
            *:list-distributions) echo DOLD ;;
            *:create-distribution) echo DNEW ;;
            *:get-distribution-config) echo EDIST ;;
            *:update-distribution) echo '{}' ;;
            *:get-distribution)
                id=$6
                case "$*" in
                    *Distribution.ARN*) echo "arn:aws:cloudfront::111122223333:distribution/$id" ;;
                    *) echo "$id" | tr '[:upper:]' '[:lower:]' | sed 's/$/.cloudfront.net/' ;;
                esac ;;
            *) fail InvalidOperation "the fake aws does not know $operation" ;;
        esac
        """#

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var calls: [String]
        var plan: String
        var deployedEnv: String?
        var folder: Folder

        func sent(_ operation: String) throws -> String {
            try #require(folder.read("fake/\(operation).json"), "nothing sent to \(operation)")
        }
    }

    static func deploy(state: String, environment: [String: String] = [:], script: String = DeployScriptTests.script) throws -> Run {
        let folder = try Folder()
        for (path, contents) in plan {
            try folder.write("plan/\(path)", contents)
        }
        try folder.write("plan/\(InfraLayout.deployScript)", script, executable: true)
        try folder.write("bin/aws", aws, executable: true)
        try folder.write("fake/calls.log", "")
        var env = environment
        env["PATH"] = folder.url.appendingPathComponent("bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        env["FAKE_AWS_DIR"] = folder.url.appendingPathComponent("fake").path
        env["FAKE_AWS_STATE"] = state
        for variable in [DeployScript.skipResponseHeadersPolicyVariable, DeployScript.skipFunctionPublishVariable]
        where environment[variable] == nil {
            env[variable] = ""
        }
        let planPath = folder.url.appendingPathComponent("plan").path
        let outcome = try Shell.run("/bin/sh", [planPath + "/" + InfraLayout.deployScript], environment: env)
        return Run(
            status: outcome.status, stdout: outcome.stdout, stderr: outcome.stderr,
            calls: (folder.read("fake/calls.log") ?? "").split(separator: "\n").map(String.init),
            plan: planPath, deployedEnv: folder.read("plan/\(DeployScript.deployedEnv)"), folder: folder)
    }

    /// The top-level `member` of a planned JSON file, as JSON text.
    static func member(_ member: String, of path: String) throws -> String {
        let text = try #require(plan[path])
        let document = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let value = try #require(document[member])
        return String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }
}
