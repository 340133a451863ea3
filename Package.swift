// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

let package = Package(
    name: "drey",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "drey", targets: ["drey"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM",
            path: "Sources/CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // libvips is loaded when the first image is handled (Sources/CVips/vips.c), not linked.
        .target(name: "CVips", path: "Sources/CVips"),
        .target(
            name: "DreyImages",
            dependencies: ["DreyCore", "CVips"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyCore",
            dependencies: [],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreySpam",
            dependencies: [],
            // Optimized in debug builds too: every `drey serve` trains the seed classifier at start, which takes 10×
            // longer unoptimized (3 s against 0.3 s), and the test suite starts a hundred servers on two cores.
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // The store's reads on the SQLite that sqlite-nio compiles in (Sources/CDreySQLite): statements prepared once.
        .target(name: "CDreySQLite", path: "Sources/CDreySQLite"),
        // SHA-256's compression with the CPU's SHA instructions, for the HMAC of every cached page's form token.
        .target(name: "CDreyHash", path: "Sources/CDreyHash"),
        .target(
            name: "DreyStore",
            dependencies: [
                "DreyCore", "CDreySQLite",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyRender",
            dependencies: [
                "DreyCore",
                "CCmarkGFM",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyJobs",
            dependencies: [
                "DreyCore", "DreyStore", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyFetch",
            dependencies: [
                "DreyCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyLinkbacks",
            dependencies: ["DreyCore", "DreyRender"],
            swiftSettings: swiftSettings
        ),
        // The application layer: the blog (sites, settings), the change feed and one service per aggregate.
        // Everything the CLI needs lives here; only `drey serve` needs the HTTP module above it.
        .target(
            name: "DreyApp",
            dependencies: [
                "DreyCore", "DreyStore", "DreyRender", "DreySpam", "DreyJobs", "DreyFetch", "DreyLinkbacks", "DreyImages", "CDreyHash",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA: OpenID Connect ID tokens and the fediverse's HTTP signatures.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // The change counter every process maps from the data folder (SharedCounter).
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyWeb",
            dependencies: [
                "DreyCore", "DreyStore", "DreyRender", "DreyApp", "DreyJobs", "DreyFetch", "DreyLinkbacks", "DreyImages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyImport",
            dependencies: ["DreyCore", "DreyStore", "DreyRender"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyCLI",
            dependencies: [
                "DreyCore", "DreyStore", "DreyRender", "DreySpam", "DreyApp", "DreyWeb", "DreyImport", "DreyJobs", "DreyFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "drey",
            dependencies: ["DreyCLI"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DreyTestSupport",
            dependencies: ["DreyCore", "DreyStore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DreyCoreTests", dependencies: ["DreyCore"], swiftSettings: swiftSettings),
        .testTarget(name: "DreyImagesTests", dependencies: ["DreyImages"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DreyStoreTests",
            dependencies: ["DreyCore", "DreyStore", "DreyJobs", "DreyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DreyRenderTests",
            dependencies: ["DreyCore", "DreyRender", "DreyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DreyImportTests",
            dependencies: ["DreyCore", "DreyStore", "DreyRender", "DreyImport", "DreyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DreyLinkbacksTests",
            dependencies: ["DreyCore", "DreyRender", "DreyLinkbacks", "DreyFetch", "DreyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DreyWebTests",
            dependencies: [
                "DreyCore", "DreyStore", "DreyRender", "DreySpam", "DreyApp", "DreyWeb", "DreyCLI", "DreyImport", "DreyTestSupport", "DreyJobs",
                "DreyFetch",
                "DreyLinkbacks", "DreyImages",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
