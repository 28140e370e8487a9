// swift-kmip: KMIPXML
//
// OASIS test-case documents: an ordered series of request and response messages, with the
// placeholders (`$UNIQUE_IDENTIFIER_0`, `$NOW-3600`, …) that stand for values of the run.

/// A KMIP test-case document: the `<KMIP>` element of an OASIS test-case file, holding request
/// and response messages in order.
///
/// Values that depend on the run (identifiers the server assigns, the current time, random
/// output) are written as placeholders such as `$UNIQUE_IDENTIFIER_0` or `$NOW-3600`. TTLV
/// cannot carry a symbol, so each message keeps its placeholders beside the tree, and
/// ``Message/binding(_:)`` puts values of the right type in their place.
///
/// ```swift
/// let testCase = try KMIPTestCase(xml: fileText)
/// for message in testCase.messages {
///     let tree = try message.binding { placeholder in … }   // a value of placeholder.itemType
/// }
/// ```
public struct KMIPTestCase: Hashable, Sendable {
    /// The messages, in document order.
    public var messages: [Message]

    /// Creates a document from messages.
    public init(messages: [Message]) {
        self.messages = messages
    }

    /// Reads a test-case document written in XML: a `<KMIP>` (or `<KmipTestCase>`) element of
    /// messages, or a single message.
    public init(xml: String, options: TextDecodingOptions = TextDecodingOptions()) throws {
        try self.init(xml: Array(xml.utf8), options: options)
    }

    /// Reads a test-case document from the bytes of an XML file.
    public init(xml: [UInt8], options: TextDecodingOptions = TextDecodingOptions()) throws {
        messages = try KMIPXMLDecoder(options: options).decodeDocument(xml, recordingPlaceholders: true).messages
    }

    /// Reads a test-case document written in JSON: an array of messages, or a single message.
    public init(json: String, options: TextDecodingOptions = TextDecodingOptions()) throws {
        messages = try KMIPJSONDecoder(options: options).decodeDocument(Array(json.utf8), recordingPlaceholders: true).messages
    }

    /// Reads a test-case document from the bytes of a JSON file.
    public init(json: [UInt8], options: TextDecodingOptions = TextDecodingOptions()) throws {
        messages = try KMIPJSONDecoder(options: options).decodeDocument(json, recordingPlaceholders: true).messages
    }

    /// The document as XML: a `<KMIP>` element holding the messages, placeholders as written.
    public func xml(registry: KMIPRegistry = .standard) -> String {
        var out = "<KMIP>\n"
        let encoder = KMIPXMLEncoder(registry: registry)
        for message in messages {
            encoder.write(message.item, placeholders: message.placeholders, into: &out, indent: 1)
        }
        return out + "</KMIP>\n"
    }

    /// The document as JSON: an array of the messages, placeholders as written.
    public func json(registry: KMIPRegistry = .standard) -> String {
        let encoder = KMIPJSONEncoder(registry: registry)
        var out = "[\n"
        for (index, message) in messages.enumerated() {
            out += "  "
            encoder.write(message.item, placeholders: message.placeholders, into: &out, indent: 1)
            out += index == messages.count - 1 ? "\n" : ",\n"
        }
        return out + "]\n"
    }
}

extension KMIPTestCase {
    /// One message of a test case with the placeholders in it.
    public struct Message: Hashable, Sendable {
        /// The message. A placeholder's item holds ``Placeholder/unboundValue(of:text:)`` until
        /// it is bound: the symbol itself for a Text String, zero or empty otherwise.
        public var item: KMIPItem
        /// The placeholders of the message, in document order.
        public var placeholders: [Placeholder]

        public init(item: KMIPItem, placeholders: [Placeholder] = []) {
            self.item = item
            self.placeholders = placeholders
        }

        /// Whether the message is a request (`RequestMessage`).
        public var isRequest: Bool { item.tag == .requestMessage }

        /// The message with every placeholder replaced by the value `value` gives for it.
        ///
        /// - Throws: ``KMIPError/Code/invalidValue`` when a value's type is not the
        ///   placeholder's; whatever `value` throws.
        public func binding(_ value: (Placeholder) throws -> KMIPItem.Value) throws -> KMIPItem {
            var item = self.item
            for placeholder in placeholders {
                let bound = try value(placeholder)
                guard bound.itemType == placeholder.itemType else {
                    throw KMIPError(
                        .invalidValue, "\(placeholder.text) is a \(placeholder.itemType); a \(bound.itemType) cannot take its place")
                }
                try item.replaceValue(at: placeholder.path[...], with: bound)
            }
            return item
        }
    }

    /// A placeholder in a test case: a symbol standing for a value of the run.
    public struct Placeholder: Hashable, Sendable {
        /// The symbol as written, for example `$UNIQUE_IDENTIFIER_0` or `$NOW-3600`.
        public var text: String
        /// The item type the value must have.
        public var itemType: ItemType
        /// The child indices from the message root to the item.
        public var path: [Int]

        public init(text: String, itemType: ItemType, path: [Int]) {
            self.text = text
            self.itemType = itemType
            self.path = path
        }

        /// The symbol without `$` and without an offset: `UNIQUE_IDENTIFIER_0`, `NOW`.
        public var name: String {
            let body = text.dropFirst()
            if let sign = body.firstIndex(where: { $0 == "+" || $0 == "-" }), Int64(body[body.index(after: sign)...]) != nil {
                return String(body[..<sign])
            }
            return String(body)
        }

        /// The offset written after the name (`-3600` in `$NOW-3600`), or 0.
        public var offset: Int64 {
            let body = text.dropFirst()
            guard let sign = body.firstIndex(where: { $0 == "+" || $0 == "-" }), let number = Int64(body[body.index(after: sign)...]) else {
                return 0
            }
            return body[sign] == "-" ? -number : number
        }

        /// What an unbound placeholder's item holds: the symbol for a Text String, zero or empty
        /// for other types.
        public static func unboundValue(of type: ItemType, text: String) -> KMIPItem.Value {
            switch type {
            case .integer: .integer(0)
            case .longInteger: .longInteger(0)
            case .bigInteger: .bigInteger(KMIPBigInteger(0))
            case .enumeration: .enumeration(0)
            case .boolean: .boolean(false)
            case .byteString: .byteString([])
            case .dateTime: .dateTime(0)
            case .interval: .interval(0)
            case .dateTimeExtended: .dateTimeExtended(0)
            default: .textString(text)
            }
        }
    }
}

extension Array where Element == KMIPTestCase.Placeholder {
    /// The symbols by item path, for writing them back in place.
    var symbolsByPath: [[Int]: String] {
        Dictionary(map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
    }
}

extension KMIPItem {
    /// Replaces the value of the item at `path` (child indices) below this one.
    mutating func replaceValue(at path: ArraySlice<Int>, with value: Value) throws {
        guard let first = path.first else {
            self.value = value
            return
        }
        guard case .structure(var children) = self.value, children.indices.contains(first) else {
            throw KMIPError(.invalidValue, "no item at that placeholder's path", tagPath: [tag])
        }
        self.value = .structure([])  // release the array so that the edit below does not copy it
        try children[first].replaceValue(at: path.dropFirst(), with: value)
        self.value = .structure(children)
    }
}
