// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "smspartner-notify",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "smspartner-notify", targets: ["smspartner-notify"]),
        .executable(name: "fake-smspartner", targets: ["fake-smspartner"]),
        .library(name: "SMSPartner", targets: ["SMSPartner"]),
        .library(name: "SMSText", targets: ["SMSText"]),
        .library(name: "SMSPartnerTesting", targets: ["SMSPartnerTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // libcurl, as a system library: module map + typed shims over its variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // GSM-7 / UCS-2 encoding, segments, SMSPartner tokens, phone numbers.
        .target(name: "SMSText"),
        // The SMSPartner API client: requests, replies, error classification, HTTP over CCurl.
        .target(name: "SMSPartner", dependencies: ["CCurl", "SMSText"]),
        // The alert model and one decoder per input family.
        .target(name: "AlertModel"),
        // SQLite settings GRDB does not expose (variadic C calls), over the system SQLite.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The persistent state shared by every process: decisions and the outbox (SQLite via GRDB).
        .target(name: "NotifyState", dependencies: ["CSQLite", .product(name: "GRDB", package: "GRDB.swift")]),
        // The same state on PostgreSQL (postgres-nio's PostgresClient), for several `serve` replicas.
        .target(
            name: "NotifyStatePostgres",
            dependencies: [
                "NotifyState",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The pool's own error (its circuit breaker), to tell an outage from a bug.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Configuration, rendering, policy (dedup, rate limits, digests), outbox and delivery.
        .target(
            name: "NotifyCore",
            dependencies: [
                "AlertModel", "SMSText", "SMSPartner", "NotifyState", "NotifyStatePostgres",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // `serve`: the Alertmanager webhook receiver (Hummingbird), its outbox worker and metrics.
        .target(
            name: "NotifyServer",
            dependencies: [
                "NotifyCore", "NotifyState", "AlertModel", "SMSText", "SMSPartner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The thin command-line tool.
        .executableTarget(
            name: "smspartner-notify",
            dependencies: [
                "NotifyCore", "NotifyState", "NotifyServer", "AlertModel", "SMSText", "SMSPartner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A fake SMSPartner HTTP server on 127.0.0.1, shared by every test target and the benchmarks.
        .target(
            name: "SMSPartnerTesting",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The fake server as a process, for scripts/bench and manual runs.
        .executableTarget(name: "fake-smspartner", dependencies: ["SMSPartnerTesting"]),
        // In-process decode and render throughput (built by scripts/build-release, run by scripts/bench-dry-run).
        .executableTarget(name: "render-bench", dependencies: ["NotifyCore", "AlertModel", "SeededRandom"], path: "Benchmarks/RenderBench"),

        // What several test targets share (as swift-argument-parser's TestHelpers): temporary
        // directories, the source tree's fixture folders and expected files, a raw HTTP/1.1
        // connection and loopback ports, blocking work on a thread of its own.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The seeded generator (SplitMix64) of the random tests and of render-bench's payload, in
        // a module of its own: the benchmark links neither Foundation nor Testing.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),

        .testTarget(name: "SMSTextTests", dependencies: ["SMSText", "SeededRandom"]),
        .testTarget(name: "SMSPartnerTests", dependencies: ["SMSPartner", "SMSText", "SMSPartnerTesting", "TestSupport", "SeededRandom"]),
        .testTarget(name: "AlertModelTests", dependencies: ["AlertModel", "SeededRandom", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "NotifyServerTests", dependencies: [
            "NotifyServer", "NotifyCore", "NotifyState", "AlertModel", "SMSPartner", "SMSText", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "NotifyStateTests", dependencies: [
            "NotifyState", "NotifyStatePostgres", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(
            name: "NotifyStatePostgresTests",
            dependencies: ["NotifyStatePostgres", "NotifyState", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(
            name: "NotifyCoreTests",
            dependencies: [
                "NotifyCore", "NotifyState", "NotifyStatePostgres", "AlertModel", "SMSPartner", "SMSText", "SMSPartnerTesting", "TestSupport",
                "SeededRandom",
                .product(name: "PropertyBased", package: "swift-property-based"),
                // A real HTTP server on 127.0.0.1 for the acknowledgers' tests (ScriptedHTTPServer).
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // A store changed behind the outbox's back (ReceiptPollerTests).
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "smspartner-notify", "fake-smspartner", "NotifyState", "SMSPartner", "SMSPartnerTesting", "TestSupport",
                "SeededRandom",
                // The source acknowledgers, against the real systems.
                "NotifyCore", "AlertModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
