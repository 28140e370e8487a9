// swift-kmip: vector checking support for the `kmip` tool and the conformance tests.

import Foundation
import KMIPXML

/// Checks a test-case file at the codec level: every message goes XML -> tree -> XML -> tree,
/// tree -> TTLV -> tree (placeholders bound to values of their type) and tree -> JSON -> tree,
/// and must come back unchanged.
public struct CodecCheck: Sendable {
    public var options: TextDecodingOptions

    public init(options: TextDecodingOptions = TextDecodingOptions()) {
        self.options = options
    }

    /// The outcome for a document's text: `nil` when it passes, else the first failure.
    public func failure(forXML xml: [UInt8]) -> String? {
        let testCase: KMIPTestCase
        do {
            testCase = try KMIPTestCase(xml: xml, options: options)
        } catch {
            return "read: \(error)"
        }
        for (index, message) in testCase.messages.enumerated() {
            if let failure = failure(for: message) { return "message \(index + 1) (\(message.item.tag)): \(failure)" }
        }
        return nil
    }

    /// The first failure of one message's round trips, or `nil`.
    public func failure(for message: KMIPTestCase.Message) -> String? {
        let single = KMIPTestCase(messages: [message])
        // XML -> tree -> XML -> tree
        do {
            let again = try KMIPTestCase(xml: single.xml(registry: options.registry), options: options)
            if let failure = compare(message, again, leg: "XML") { return failure }
        } catch {
            return "XML leg: \(error)"
        }
        // tree -> JSON -> tree
        do {
            let again = try KMIPTestCase(json: single.json(registry: options.registry), options: options)
            if let failure = compare(message, again, leg: "JSON") { return failure }
        } catch {
            return "JSON leg: \(error)"
        }
        // tree (placeholders bound) -> TTLV -> tree
        do {
            let bound = try message.binding(PlaceholderValues.sample(for:))
            let wire = try TTLVEncoder().encode(bound)
            let decoded = try TTLVDecoder().decode(wire)
            if let difference = TreeDifference.first(expected: bound, actual: decoded) { return "TTLV leg: \(difference)" }
        } catch {
            return "TTLV leg: \(error)"
        }
        return nil
    }

    private func compare(_ message: KMIPTestCase.Message, _ again: KMIPTestCase, leg: String) -> String? {
        guard again.messages.count == 1, let copy = again.messages.first else {
            return "\(leg) leg: \(again.messages.count) messages came back"
        }
        if let difference = TreeDifference.first(expected: message.item, actual: copy.item) { return "\(leg) leg: \(difference)" }
        if copy.placeholders != message.placeholders { return "\(leg) leg: placeholders differ" }
        return nil
    }
}

/// Deterministic values of the right type for placeholders, for checks that need a real tree.
public enum PlaceholderValues {
    /// A fixed value of the placeholder's type: the symbol as text, `$NOW±n` as a fixed
    /// instant plus the offset, the symbol's bytes for a Byte String, zero otherwise.
    public static func sample(for placeholder: KMIPTestCase.Placeholder) -> KMIPItem.Value {
        let now: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
        switch placeholder.itemType {
        case .textString: return .textString(placeholder.text)
        case .byteString: return .byteString(Array(placeholder.text.utf8))
        case .dateTime: return .dateTime(now + placeholder.offset)
        case .dateTimeExtended: return .dateTimeExtended((now + placeholder.offset) * 1_000_000)
        default: return KMIPTestCase.Placeholder.unboundValue(of: placeholder.itemType, text: placeholder.text)
        }
    }
}
