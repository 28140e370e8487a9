// swift-kmip: KMIPXML
//
// KMIP JSON -> item tree (KMIP Additional Message Encodings v1.0 §4.1, JSON Encoding).

/// Reads the KMIP JSON encoding into an item tree.
///
/// Each item is an object `{"tag": …, "type": …, "value": …}`; `tag` is a name or `0x` and six
/// hex digits, a missing `type` means Structure, whose `value` is an array of items. Numbers may
/// be JSON numbers or `0x` hex strings, enumerations names or hex, masks names and hex joined by
/// `|`. Errors name the line and the tag path.
///
/// ```swift
/// let message = try KMIPJSONDecoder().decode(jsonText)
/// ```
public struct KMIPJSONDecoder: Sendable {
    /// Limits and the registry that names tags and values.
    public var options: TextDecodingOptions

    /// Creates a decoder with the standard registry and safe limits.
    public init(options: TextDecodingOptions = TextDecodingOptions()) {
        self.options = options
    }

    /// Decodes one item (normally a whole message) written as a JSON object.
    public func decode(_ json: String) throws -> KMIPItem {
        try decode(Array(json.utf8))
    }

    /// Decodes one item from the bytes of a JSON document.
    public func decode(_ data: [UInt8]) throws -> KMIPItem {
        let root = try parse(data)
        guard case .object = root else {
            throw KMIPError(.malformedInput, "expected one item (a JSON object); read an array of messages with KMIPTestCase", line: root.line)
        }
        var builder = JSONTreeBuilder(options: options, recordingPlaceholders: false)
        return try builder.item(from: root, attributeName: nil)
    }

    /// Decodes a document: one item, or an array of messages.
    package func decodeDocument(_ data: [UInt8], recordingPlaceholders: Bool) throws -> (messages: [KMIPTestCase.Message], isWrapped: Bool) {
        let root = try parse(data)
        var builder = JSONTreeBuilder(options: options, recordingPlaceholders: recordingPlaceholders)
        let elements: [JSONValue]
        if case .array(let values, _) = root { elements = values } else { elements = [root] }
        let messages = try elements.map { element in
            builder.placeholders = []
            let item = try builder.item(from: element, attributeName: nil)
            return KMIPTestCase.Message(item: item, placeholders: builder.placeholders)
        }
        if case .array = root { return (messages, true) }
        return (messages, false)
    }

    private func parse(_ data: [UInt8]) throws -> JSONValue {
        guard data.count <= options.maximumDocumentSize else {
            throw KMIPError(.limitExceeded, "document of \(data.count) bytes exceeds the maximum of \(options.maximumDocumentSize) bytes")
        }
        // Each item is an object inside an array: two levels of JSON per level of items.
        return try JSONScanner.parse(data, maximumDepth: options.maximumDepth * 2 + 2)
    }
}

private struct JSONTreeBuilder {
    let options: TextDecodingOptions
    let recordingPlaceholders: Bool
    var placeholders: [KMIPTestCase.Placeholder] = []
    var itemCount = 0
    var tagPath: [Tag] = []
    var indexPath: [Int] = []

    init(options: TextDecodingOptions, recordingPlaceholders: Bool) {
        self.options = options
        self.recordingPlaceholders = recordingPlaceholders
    }

    func fail(_ error: KMIPError, line: Int, tag: Tag? = nil) -> KMIPError {
        var error = error
        error.line = error.line ?? line
        if error.tagPath.isEmpty { error.tagPath = tagPath + (tag.map { [$0] } ?? []) }
        return error
    }

    mutating func item(from json: JSONValue, attributeName: String?) throws -> KMIPItem {
        guard case .object(let fields, let line) = json else {
            throw fail(KMIPError(.malformedInput, "an item must be a JSON object"), line: json.line)
        }
        itemCount += 1
        guard itemCount <= options.maximumItemCount else {
            throw fail(KMIPError(.limitExceeded, "more than \(options.maximumItemCount) items"), line: line)
        }
        var tagValue: JSONValue?, typeValue: JSONValue?, valueValue: JSONValue?
        for (key, value) in fields {
            switch key {
            case "tag": tagValue = value
            case "type": typeValue = value
            case "value": valueValue = value
            case "name": break
            default: throw fail(KMIPError(.malformedInput, "unexpected key \"\(key)\" in an item"), line: value.line)
            }
        }
        guard case .string(let tagText, _)? = tagValue else {
            throw fail(KMIPError(.missingField, "an item needs a \"tag\" string"), line: line)
        }
        let tag: Tag
        if let hex = TextValueFormat.parseHexNumber(TextValueFormat.trimmed(tagText), maxDigits: 6) {
            tag = Tag(rawValue: UInt32(hex))
        } else if let named = options.registry.tag(named: tagText) {
            tag = named
        } else {
            throw fail(KMIPError(.unknownName, "\"\(tagText)\" is not the name of a KMIP tag"), line: line)
        }
        var type = ItemType.structure
        if let typeValue {
            guard case .string(let typeName, _) = typeValue, let known = ItemType(name: typeName) else {
                throw fail(KMIPError(.unknownItemType, "\"type\" is not a KMIP item type"), line: line, tag: tag)
            }
            type = known
        }
        if type == .structure {
            var children: [KMIPItem] = []
            switch valueValue {
            case .array(let elements, _)?:
                guard tagPath.count < options.maximumDepth else {
                    throw fail(KMIPError(.limitExceeded, "items nested deeper than \(options.maximumDepth)"), line: line, tag: tag)
                }
                tagPath.append(tag)
                defer { tagPath.removeLast() }
                var name: String?
                children.reserveCapacity(elements.count)
                for element in elements {
                    indexPath.append(children.count)
                    defer { indexPath.removeLast() }
                    let child = try item(from: element, attributeName: name)
                    if child.tag == .attributeName, case .textString(let text) = child.value { name = text }
                    children.append(child)
                }
            case nil, .null?:
                break
            default:
                throw fail(KMIPError(.invalidValue, "a Structure's value must be an array of items"), line: line, tag: tag)
            }
            return KMIPItem(tag, structure: children)
        }
        guard let valueValue else {
            throw fail(KMIPError(.missingField, "a \(type) item needs a \"value\""), line: line, tag: tag)
        }
        do {
            return KMIPItem(tag, try value(valueValue, type: type, tag: tag, attributeName: attributeName))
        } catch let error as KMIPError {
            throw fail(error, line: valueValue.line, tag: tag)
        }
    }

    mutating func value(_ json: JSONValue, type: ItemType, tag: Tag, attributeName: String?) throws -> KMIPItem.Value {
        let context = ValueContext.of(tag, attributeName: attributeName, registry: options.registry)
        switch json {
        case .string(let text, _):
            if recordingPlaceholders, text.hasPrefix("$") {
                placeholders.append(KMIPTestCase.Placeholder(text: text, itemType: type, path: indexPath))
                return KMIPTestCase.Placeholder.unboundValue(of: type, text: text)
            }
            return try TextValueFormat.parse(text, type: type, context: context, registry: options.registry)
        case .number(let text, _):
            let invalid = KMIPError(.invalidValue, "\(text) is not a valid \(type) number")
            switch type {
            case .integer: guard let number = Int32(text) else { throw invalid }; return .integer(number)
            case .longInteger: guard let number = Int64(text) else { throw invalid }; return .longInteger(number)
            case .bigInteger: guard let number = Int64(text) else { throw invalid }; return .bigInteger(KMIPBigInteger(number))
            case .enumeration: guard let number = UInt32(text) else { throw invalid }; return .enumeration(number)
            case .interval: guard let number = UInt32(text) else { throw invalid }; return .interval(number)
            case .dateTime: guard let number = Int64(text) else { throw invalid }; return .dateTime(number)
            case .dateTimeExtended: guard let number = Int64(text) else { throw invalid }; return .dateTimeExtended(number)
            default: throw KMIPError(.invalidValue, "a \(type) cannot be written as a JSON number")
            }
        case .bool(let flag, _):
            guard type == .boolean else { throw KMIPError(.invalidValue, "a \(type) cannot be written as true or false") }
            return .boolean(flag)
        default:
            throw KMIPError(.invalidValue, "a \(type) value must be a string, number or Boolean")
        }
    }
}
