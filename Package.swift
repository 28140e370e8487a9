// swift-tools-version:6.2
//
// swift-kmip: a KMIP (OASIS Key Management Interoperability Protocol) SDK for Swift.
// Module graph (see docs/Architecture.md): KMIPTTLV <- KMIPXML <- KMIP <- KMIPServer <- Examples.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-kmip",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KMIPTTLV", targets: ["KMIPTTLV"]),
        .library(name: "KMIPXML", targets: ["KMIPXML"]),
        .library(name: "KMIP", targets: ["KMIP"]),
        .library(name: "KMIPServer", targets: ["KMIPServer"]),
        .executable(name: "kmip", targets: ["kmip"]),
        .executable(name: "kmip-server", targets: ["kmip-server"]),
        .executable(name: "kmip-demo", targets: ["kmip-demo"]),
        .executable(name: "camera-encrypt-upload", targets: ["camera-encrypt-upload"]),
        .executable(name: "fetch-decrypt", targets: ["fetch-decrypt"]),
        .executable(name: "sealed-file", targets: ["sealed-file"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The web viewer (fetch-decrypt serve). No default traits: no swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.5.1"),
    ],
    targets: [
        // The data model of KMIP: item tree, registry, binary TTLV codec, framing, dump.
        .target(name: "KMIPTTLV", swiftSettings: swiftSettings),
        // The XML and JSON encodings of the same tree.
        .target(name: "KMIPXML", dependencies: ["KMIPTTLV"], swiftSettings: swiftSettings),
        // What users import: typed models, client, transports.
        .target(
            name: "KMIP",
            dependencies: [
                "KMIPTTLV", "KMIPXML",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),

        // The reference KMIP server engine and its listeners.
        .target(
            name: "KMIPServer",
            dependencies: [
                "KMIP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // Checking vector files (codec and typed levels; live level later), for `kmip vectors`
        // and the conformance tests.
        .target(
            name: "KMIPVectorCheck",
            dependencies: ["KMIPXML", "KMIP"],
            path: "Sources/Examples/KMIPVectorCheck",
            swiftSettings: swiftSettings
        ),

        // The sealed-file format of the camera examples (docs/SealedFileFormat.md).
        .target(
            name: "SealedFile",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Examples/SealedFile",
            swiftSettings: swiftSettings
        ),

        // What the camera and viewer examples share: clip stores, sealing clips, capture commands.
        .target(
            name: "ClipSupport",
            dependencies: ["KMIP", "SealedFile", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Examples/ClipSupport",
            swiftSettings: swiftSettings
        ),

        // The command line options the camera and viewer programs share (key manager, store).
        .target(
            name: "ClipTools",
            dependencies: [
                "KMIP", "ClipSupport", "CurlClipStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/ClipTools",
            swiftSettings: swiftSettings
        ),

        // The camera: capture, seal with a KMIP key, spool, upload.
        .executableTarget(
            name: "camera-encrypt-upload",
            dependencies: [
                "KMIP", "SealedFile", "ClipSupport", "ClipTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/camera-encrypt-upload",
            swiftSettings: swiftSettings
        ),

        // The viewer: list, get, shred (and the web viewer).
        .executableTarget(
            name: "fetch-decrypt",
            dependencies: [
                "KMIP", "SealedFile", "ClipSupport", "ClipTools", "ClipViewer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/fetch-decrypt",
            swiftSettings: swiftSettings
        ),

        // The sealed-clip format on its own: inspect, seal with a local key, measure.
        .executableTarget(
            name: "sealed-file",
            dependencies: [
                "SealedFile",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/sealed-file",
            swiftSettings: swiftSettings
        ),

        // The web viewer behind `fetch-decrypt serve` and `users`: login, clip list, video
        // decrypted on the fly with Range support (docs/Viewer.md).
        .target(
            name: "ClipViewer",
            dependencies: [
                "SealedFile",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/Examples/ClipViewer",
            swiftSettings: swiftSettings
        ),

        // Starts the viewer on a directory of sealed clips with one user, for the screenshot
        // script (scripts/viewer-screenshots.sh). Test harness only.
        .executableTarget(
            name: "clip-viewer-harness",
            dependencies: [
                "ClipViewer", "SealedFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Examples/clip-viewer-harness",
            swiftSettings: swiftSettings
        ),

        // libcurl (FTP, FTPS, SFTP), through a small shim for its variadic setopt and getinfo.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/Examples/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),

        // Clip stores on FTP, FTPS (explicit TLS) and SFTP servers, over libcurl.
        .target(
            name: "CurlClipStore",
            dependencies: ["ClipSupport", "CCurl"],
            path: "Sources/Examples/CurlClipStore",
            swiftSettings: swiftSettings
        ),

        // The whole flow in one command, against the reference server in process.
        .executableTarget(
            name: "kmip-demo",
            dependencies: [
                "KMIP", "KMIPServer", "SealedFile", "ClipSupport", "CurlClipStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/kmip-demo",
            resources: [.copy("Resources/sample.mp4")],
            swiftSettings: swiftSettings
        ),

        // The `kmip` command line tool.
        .executableTarget(
            name: "kmip",
            dependencies: [
                "KMIPTTLV", "KMIPXML", "KMIP", "KMIPVectorCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Examples/kmip",
            swiftSettings: swiftSettings
        ),

        // The reference server as a program.
        .executableTarget(
            name: "kmip-server",
            dependencies: [
                "KMIPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Examples/kmip-server",
            swiftSettings: swiftSettings
        ),

        // Unit, vector and conformance tests (Swift Testing).
        .testTarget(
            name: "Conformance",
            dependencies: [
                "KMIPTTLV", "KMIPXML", "KMIP", "KMIPServer", "KMIPVectorCheck", "SealedFile", "ClipSupport", "CurlClipStore", "ClipViewer", "kmip", "kmip-server", "kmip-demo", "camera-encrypt-upload", "fetch-decrypt", "sealed-file",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Conformance",
            swiftSettings: swiftSettings
        ),
    ]
)
