// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "site",
    // Linux only (Glibc's stat, fstatat and openat read file stamps and folders): on any other
    // system the build stops at Sources/SiteKit/Support/Platform.swift with a message saying so.
    products: [
        .executable(name: "site", targets: ["site"]),
        .library(name: "SiteKit", targets: ["SiteKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // Tests only: property-based checks that bad input never crashes.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // GitHub's CommonMark engine with its extensions (tables, footnotes, ...).
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // libxml2's HTML parser, for reading bundle pages and checking output.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // SHA-256 and MD5 from OpenSSL's libcrypto: seconds to build, where swift-crypto adds a minute.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // mimalloc, the allocator of the `site` executable: linked, it takes the place of glibc's malloc.
        .systemLibrary(
            name: "CMimalloc",
            providers: [.apt(["libmimalloc-dev"])]
        ),
        .target(
            name: "SiteKit",
            dependencies: [
                "CCmarkGFM", "CLibXML2", "COpenSSL",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        .executableTarget(
            name: "site",
            dependencies: [
                "SiteKit", "CMimalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SiteKitTests",
            // `site` is built too, so tests can run the binary end to end.
            dependencies: [
                "SiteKit", "site",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
