// swift-tools-version:6.1
//
// Benchmarks of swift-kmip (ordo-one/benchmark): time and allocations of the codecs and typed models.
// Run from this folder:  swift package --disable-sandbox benchmark
// Figures and how they compare with PyKMIP are in ../BENCHMARKS.md.

import PackageDescription

let package = Package(
    name: "swift-kmip-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-kmip", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TTLVCodec",
            dependencies: [
                .product(name: "KMIPTTLV", package: "swift-kmip"),
                .product(name: "KMIP", package: "swift-kmip"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TTLVCodec",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
