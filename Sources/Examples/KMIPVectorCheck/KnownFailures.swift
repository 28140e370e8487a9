// swift-kmip: vector checking support for the `kmip` tool and the conformance tests.

import Foundation

/// The list of vectors known to fail a check, with reasons: `Vectors/known-failures.txt`.
///
/// One entry per line, `PATH<TAB>CHECK<TAB>REASON`; PATH is relative to the vectors folder,
/// CHECK one of `codec`, `typed`, `server`, `pykmip`. Lines starting with `#` are comments.
public struct KnownFailures: Sendable {
    public struct Entry: Hashable, Sendable {
        public var path: String
        public var check: String
        public var reason: String
    }

    /// The checks an entry may name.
    public static let checks: Set<String> = ["codec", "typed", "server", "pykmip"]

    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Reads a list; a malformed line is an error naming its number.
    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var entries: [Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, Self.checks.contains(fields[1]), !fields[2].isEmpty else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [
                    NSLocalizedDescriptionKey: "\(url.path) line \(index + 1): expected PATH<TAB>CHECK<TAB>REASON with CHECK one of \(Self.checks.sorted().joined(separator: ", "))",
                ])
            }
            entries.append(Entry(path: fields[0], check: fields[1], reason: fields[2]))
        }
        self.entries = entries
    }

    /// The reason `path` is expected to fail `check`, or `nil`.
    public func reason(for path: String, check: String) -> String? {
        entries.first { $0.path == path && $0.check == check }?.reason
    }
}
