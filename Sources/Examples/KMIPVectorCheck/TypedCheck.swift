// swift-kmip: vector checking support for the `kmip` tool and the conformance tests.

import KMIP

/// Checks a test-case file at the typed level: every message (placeholders bound to values of
/// their type) decodes strictly into its typed message, with no raw payload for an operation the
/// library models, and encodes back, in the form of its protocol version, to an equal tree.
public struct TypedCheck: Sendable {
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
            if let failure = failure(for: message) { return "message \(index + 1) (\(message.item.tag)): typed leg: \(failure)" }
        }
        return nil
    }

    /// The first failure of one message's typed round trip, or `nil`.
    public func failure(for message: KMIPTestCase.Message) -> String? {
        do {
            let tree = try message.binding(PlaceholderValues.sample(for:))
            let again: KMIPItem
            switch tree.tag {
            case .requestMessage:
                let typed = try RequestMessage(tree: tree, context: .strict)
                if let raw = typed.batchItems.firstIndex(where: { isRawKnown($0.operation, $0.payload.typed == nil) }) {
                    return "batch item \(raw + 1): \(typed.batchItems[raw].operation) payload decoded raw"
                }
                again = try typed.tree()
            case .responseMessage:
                let typed = try ResponseMessage(tree: tree, context: .strict)
                for (index, item) in typed.batchItems.enumerated() {
                    if let operation = item.operation, let payload = item.payload, payload.typed == nil,
                        isRawKnown(operation, true)
                    {
                        return "batch item \(index + 1): \(operation) payload decoded raw"
                    }
                }
                again = try typed.tree()
            default:
                return "\(tree.tag) is not a message"
            }
            if let difference = TreeDifference.first(expected: tree, actual: again) { return "\(difference)" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Whether a raw payload is a failure: the library models every specified operation (vendor
    /// operations stay raw).
    private func isRawKnown(_ operation: Operation, _ isRaw: Bool) -> Bool {
        isRaw && operation.rawValue < 0x8000_0000
            && KMIPRegistry.standard.enumeration(named: "Operation")?.entry(for: operation.rawValue) != nil
    }
}
