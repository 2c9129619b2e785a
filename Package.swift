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
    ],
    targets: [
        .target(name: "AqylML", swiftSettings: strict),
        .target(
            name: "AqylCore",
            dependencies: [
                "AqylML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
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
        .target(name: "Assistance", dependencies: ["AqylCore", "AqylStore", "AqylML"], swiftSettings: strict),
        .target(
            name: "Appeals",
            dependencies: [
                "AqylCore", "AqylStore", "AqylML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Vision",
            dependencies: ["AqylML", "AqylCore", "AqylStore", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: strict
        ),
        .target(name: "AntiFraud", dependencies: ["AqylML"], swiftSettings: strict),
        .target(
            name: "AqylServer",
            dependencies: [
                "AqylCore", "AqylStore", "AqylML", "Assistance", "Appeals", "Vision",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "AqylCLI",
            dependencies: [
                "AqylServer", "AqylStore", "AqylCore", "AqylML", "Assistance", "Appeals", "Vision", "AntiFraud",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "ForestBenchmark", dependencies: ["AqylML"], path: "Benchmarks/ForestBenchmark",
                          swiftSettings: strict),
        .testTarget(name: "AqylMLTests", dependencies: ["AqylML"], swiftSettings: strict),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "AqylML"], swiftSettings: strict),
        .testTarget(name: "AqylCoreTests", dependencies: ["AqylCore"], swiftSettings: strict),
        .testTarget(name: "AssistanceTests", dependencies: ["Assistance", "AqylCore", "AqylML"], swiftSettings: strict),
        .testTarget(name: "AppealsTests", dependencies: ["Appeals", "AqylStore", "AqylCore", "AqylML"], swiftSettings: strict),
        .testTarget(name: "AntiFraudTests", dependencies: ["AntiFraud", "AqylML"], swiftSettings: strict),
        .testTarget(name: "AqylStoreTests", dependencies: ["AqylStore", "AqylCore"], swiftSettings: strict),
        .testTarget(
            name: "AqylServerTests",
            dependencies: [
                "AqylServer", "AqylStore", "AqylCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
