// Paths and table readers the tests share.

import Foundation
import KMIPTTLV

/// Locations inside the repository, found from this file's path (tests run from a clone).
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // Conformance
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// The rows of a tab-separated table with a header line, as dictionaries.
    static func table(_ relativePath: String) throws -> [[String: String]] {
        let lines = try text(relativePath).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return lines.dropFirst().map { line in
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells + Array(repeating: "", count: max(0, header.count - cells.count))))
        }
    }

    /// The names of the files in a folder, sorted.
    static func files(in relativePath: String, withSuffix suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relativePath).path)
            .filter { $0.hasSuffix(suffix) }
            .sorted()
    }
}

/// Bytes of hex text (spaces and `|` ignored).
func bytes(hex: String) throws -> [UInt8] {
    try Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines), ignoring: [" ", "|", "\n"])
}
