// swift-kmip: vector checking support for the `kmip` tool and the conformance tests.

import Foundation
import KMIPXML

/// The first place where two item trees differ, described for a person.
public struct TreeDifference: Sendable, CustomStringConvertible {
    /// The tags from the root to the differing item.
    public var tagPath: [Tag]
    /// What the expected tree holds there.
    public var expected: String
    /// What the actual tree holds there.
    public var actual: String

    public var description: String {
        "\(tagPath.map(\.description).joined(separator: "/")): expected \(expected), got \(actual)"
    }

    /// The first difference between `expected` and `actual`, or `nil` when they are equal.
    public static func first(expected: KMIPItem, actual: KMIPItem) -> TreeDifference? {
        var path: [Tag] = []
        return first(expected, actual, path: &path)
    }

    private static func first(_ expected: KMIPItem, _ actual: KMIPItem, path: inout [Tag]) -> TreeDifference? {
        guard expected.tag == actual.tag else {
            return TreeDifference(tagPath: path, expected: "tag \(expected.tag)", actual: "tag \(actual.tag)")
        }
        path.append(expected.tag)
        defer { path.removeLast() }
        switch (expected.value, actual.value) {
        case (.structure(let left), .structure(let right)):
            for (index, (leftChild, rightChild)) in zip(left, right).enumerated() where leftChild != rightChild {
                if let difference = first(leftChild, rightChild, path: &path) { return difference }
                return TreeDifference(tagPath: path, expected: "item \(index + 1) \(leftChild.tag)", actual: "\(rightChild.tag)")
            }
            if left.count != right.count {
                let extra = left.count > right.count ? left[right.count] : right[left.count]
                return TreeDifference(
                    tagPath: path, expected: "\(left.count) items", actual: "\(right.count) items (first unmatched: \(extra.tag))")
            }
            return nil
        default:
            guard expected.value != actual.value else { return nil }
            return TreeDifference(tagPath: path, expected: describe(expected.value), actual: describe(actual.value))
        }
    }

    private static func describe(_ value: KMIPItem.Value) -> String {
        let item = KMIPItem(Tag(rawValue: 0), value)
        let line = item.dump(revealingSecrets: true, registry: KMIPRegistry(tags: [], enumerations: []))
        // "0x000000 Integer = 5" -> "Integer 5"
        let body = line.dropFirst("0x000000 ".count).trimmingCharacters(in: .newlines)
        return body.replacingOccurrences(of: " = ", with: " ")
    }
}
