// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Aqyl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aqyl", targets: ["AqylCLI"]),
        .library(name: "AqylKit", targets: ["AqylKit"]),
        .library(name: "AqylML", targets: ["AqylML"]),
        .library(name: "AqylCore", targets: ["AqylCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "AqylKit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "AqylML", dependencies: ["AqylKit"], swiftSettings: strict),
        .target(
            name: "AqylCore",
            dependencies: [
                "AqylKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AqylStore",
            dependencies: [
                "AqylCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Assistance", dependencies: ["AqylKit", "AqylCore", "AqylStore", "AqylML", .product(name: "SQLKit", package: "sql-kit")],
                swiftSettings: strict),
        .target(
            name: "Forecasting",
            dependencies: [
                "AqylKit", "AqylML", "AqylCore", "AqylStore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Appeals",
            dependencies: [
                "AqylKit", "AqylCore", "AqylStore", "AqylML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Vision",
            dependencies: ["AqylKit", "AqylML", "AqylCore", "AqylStore", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: strict
        ),
        .target(
            name: "Legal",
            dependencies: [
                "AqylKit", "AqylML", "AqylCore", "AqylStore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .target(name: "AntiFraud", dependencies: ["AqylKit", "AqylML"], swiftSettings: strict),
        .target(
            name: "AqylServer",
            dependencies: [
                "AqylKit", "AqylCore", "AqylStore", "AqylML", "Assistance", "Appeals", "Vision", "Legal", "Forecasting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(name: "AqylDemo", dependencies: ["AqylServer", "AqylCore", "AqylML"], swiftSettings: strict),
        .target(
            name: "AqylTestSupport",
            dependencies: [
                "AqylServer", "AqylDemo", "AqylStore", "AqylCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "AqylCLI",
            dependencies: [
                "AqylServer", "AqylDemo", "AqylStore", "AqylKit", "AqylCore", "AqylML", "Assistance", "Appeals", "Vision", "Forecasting", "Legal", "AntiFraud",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "ForestBenchmark", dependencies: ["AqylKit", "AqylML"], path: "Benchmarks/ForestBenchmark",
                          swiftSettings: strict),
        .testTarget(name: "AqylKitTests", dependencies: ["AqylKit"], swiftSettings: strict),
        .testTarget(name: "AqylMLTests", dependencies: ["AqylKit", "AqylML"], swiftSettings: strict),
        .testTarget(name: "ArchitectureTests", swiftSettings: strict),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "AqylML", "AqylCore"], swiftSettings: strict),
        .testTarget(name: "ForecastingTests", dependencies: ["Forecasting", "AqylKit", "AqylML", "AqylCore", "AqylTestSupport"], swiftSettings: strict),
        .testTarget(name: "AqylCoreTests", dependencies: ["AqylCore"], swiftSettings: strict),
        .testTarget(name: "AssistanceTests", dependencies: ["AqylKit", "Assistance", "AqylCore", "AqylML"], swiftSettings: strict),
        .testTarget(name: "AppealsTests", dependencies: ["Appeals", "AqylStore", "AqylCore", "AqylML", "AqylTestSupport"], swiftSettings: strict),
        .testTarget(name: "AqylStoreTests", dependencies: ["AqylStore", "AqylCore", "AqylTestSupport"], swiftSettings: strict),
        .testTarget(name: "LegalTests", dependencies: ["Legal", "AqylKit", "AqylML", "AqylCore", "AqylTestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "AntiFraudTests", dependencies: ["AntiFraud", "AqylKit", "AqylML"], swiftSettings: strict),
        .testTarget(
            name: "AqylServerTests",
            dependencies: [
                "AqylServer", "AqylTestSupport", "AqylDemo", "AqylStore", "AqylCore", "Assistance", "Appeals", "Vision",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
