// swift-tools-version:6.0
//
// The code generator of swift-kmip. It is its own package: the library never builds it.
// Run it from the repository root with `swift run --package-path Codegen kmip-codegen`.

import PackageDescription

let package = Package(
    name: "kmip-codegen",
    targets: [
        .executableTarget(
            name: "kmip-codegen",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        )
    ]
)
