// swift-kmip: KMIPXML
//
// KMIP XML -> item tree (KMIP Additional Message Encodings v1.0 §6.1, XML Encoding).

public struct KMIPXMLDecoder: Sendable {
    /// Limits and the registry that names tags and values.
    public var options: TextDecodingOptions

    /// Creates a decoder with the standard registry and safe limits.
    public init(options: TextDecodingOptions = TextDecodingOptions()) {
        self.options = options
    }

    /// Decodes one item (normally a whole Request or Response Message) written as XML.
    public func decode(_ xml: String) throws -> KMIPItem {
        try decode(Array(xml.utf8))
    }

    /// Decodes one item from the bytes of an XML document.
    public func decode(_ data: [UInt8]) throws -> KMIPItem {
        let document = try decodeDocument(data, recordingPlaceholders: false)
        guard !document.isWrapped, document.messages.count == 1 else {
            throw KMIPError(
                .malformedInput,
                "expected one item, found a document of \(document.messages.count) messages; read it with KMIPTestCase")
        }
        return document.messages[0].item
    }

    /// Decodes a document: a single item, or a `<KMIP>` (or `<KmipTestCase>`) element holding a
    /// series of messages.
    package func decodeDocument(_ data: [UInt8], recordingPlaceholders: Bool) throws -> (messages: [KMIPTestCase.Message], isWrapped: Bool) {
        guard data.count <= options.maximumDocumentSize else {
            throw KMIPError(.limitExceeded, "document of \(data.count) bytes exceeds the maximum of \(options.maximumDocumentSize) bytes")
        }
        if let offset = firstInvalidUTF8(data) {
            let line = data[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw KMIPError(.malformedInput, "not valid UTF-8 at byte \(offset)", byteOffset: offset, line: line)
        }
        var scanner = XMLScanner(data)
        var builder = XMLTreeBuilder(options: options, recordingPlaceholders: recordingPlaceholders)
        do {
            while let event = try scanner.next() {
                switch event {
                case .start(let name, let attributes, let isEmpty):
                    try builder.start(name, attributes: attributes)
                    if isEmpty { builder.end() }
                case .end:
                    builder.end()
                }
            }
        } catch var error as KMIPError {
            error.line = error.line ?? scanner.line
            if error.tagPath.isEmpty { error.tagPath = builder.stack.map(\.tag) + (builder.failedTag.map { [$0] } ?? []) }
            throw error
        }
        guard !builder.messages.isEmpty else {
            throw KMIPError(.malformedInput, "the document holds no KMIP item", line: scanner.line)
        }
        return (builder.messages, builder.isWrapped)
    }
}

/// The offset of the first byte that is not part of valid UTF-8, or `nil` when all of it is.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    if String(validating: bytes, as: UTF8.self) != nil { return nil }
    var iterator = bytes.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let scalar): offset += scalar.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}

/// Builds items from the scanner's events.
private struct XMLTreeBuilder {
    struct Frame {
        var tag: Tag
        var children: [KMIPItem] = []
        var attributeName: String?
        /// Set for an element that carries a value: it may not hold elements.
        var leaf: KMIPItem.Value?
        /// The position of this item in its parent.
        var index: Int
    }

    let options: TextDecodingOptions
    let recordingPlaceholders: Bool
    var stack: [Frame] = []
    var messages: [KMIPTestCase.Message] = []
    var placeholders: [KMIPTestCase.Placeholder] = []
    var isWrapped = false
    var wrapperOpen = false
    var itemCount = 0
    /// The tag of the element being read when an error was found.
    var failedTag: Tag?

    init(options: TextDecodingOptions, recordingPlaceholders: Bool) {
        self.options = options
        self.recordingPlaceholders = recordingPlaceholders
    }

    private func tag(forElement name: String, attributes: [(name: String, value: String)]) throws -> Tag {
        // A namespace prefix (`kmip:RequestMessage`) is not part of the name.
        let local = name.utf8.contains(UInt8(ascii: ":")) ? String(name.split(separator: ":").last ?? "") : name
        if local == "TTLV" {
            guard let text = attributes.first(where: { $0.name == "tag" })?.value else {
                throw KMIPError(.missingField, "a <TTLV> element needs a tag attribute")
            }
            guard let value = TextValueFormat.parseHexNumber(TextValueFormat.trimmed(text), maxDigits: 6) else {
                throw KMIPError(.invalidValue, "tag attribute '\(text)' is not 0x and 6 hex digits")
            }
            return Tag(rawValue: UInt32(value))
        }
        if let tag = options.registry.tag(named: local) { return tag }
        // `<x540001 …>`: an extension tag written as an element name (Additional Message Encodings §6.1.6.5).
        if local.utf8.count == 7, local.first == "x", let value = UInt32(local.dropFirst(), radix: 16) {
            return Tag(rawValue: value)
        }
        throw KMIPError(.unknownName, "<\(local)> is not the name of a KMIP tag")
    }

    mutating func start(_ elementName: String, attributes: [(name: String, value: String)]) throws {
        if stack.isEmpty && !wrapperOpen && !isWrapped && messages.isEmpty && (elementName == "KMIP" || elementName == "KmipTestCase") {
            isWrapped = true
            wrapperOpen = true
            return
        }
        if let top = stack.last, top.leaf != nil {
            throw KMIPError(.malformedInput, "<\(elementName)> inside an element that has a value")
        }
        guard stack.count < options.maximumDepth else {
            throw KMIPError(.limitExceeded, "elements nested deeper than \(options.maximumDepth)")
        }
        itemCount += 1
        guard itemCount <= options.maximumItemCount else {
            throw KMIPError(.limitExceeded, "more than \(options.maximumItemCount) items")
        }
        let tag = try self.tag(forElement: elementName, attributes: attributes)
        failedTag = tag
        var typeText: String?, valueText: String?
        for attribute in attributes {
            if attribute.name == "type" { typeText = attribute.value } else if attribute.name == "value" { valueText = attribute.value }
        }
        let typeName = typeText.map { String(TextValueFormat.trimmed($0)) } ?? "Structure"
        guard let type = ItemType(name: typeName) else {
            let reason = ["Identifier", "Reference", "NameReference"].contains(typeName)
                ? "item type \(typeName) belongs to the KMIP 3.0 drafts and is not supported"
                : "'\(typeName)' is not a KMIP item type"
            throw KMIPError(.unknownItemType, reason)
        }
        let index = stack.last?.children.count ?? 0
        guard type != .structure else {
            stack.append(Frame(tag: tag, index: index))
            failedTag = nil
            return
        }
        guard let text = valueText else {
            throw KMIPError(.missingField, "a \(type) element needs a value attribute")
        }
        let value: KMIPItem.Value
        if recordingPlaceholders, text.hasPrefix("$") {
            placeholders.append(KMIPTestCase.Placeholder(
                text: text, itemType: type, path: stack.dropFirst().map(\.index) + (stack.isEmpty ? [] : [index])))
            value = KMIPTestCase.Placeholder.unboundValue(of: type, text: text)
        } else {
            let context = ValueContext.of(tag, attributeName: stack.last?.attributeName, registry: options.registry)
            value = try TextValueFormat.parse(text, type: type, context: context, registry: options.registry)
        }
        if tag == .attributeName, case .textString(let name) = value, !stack.isEmpty {
            stack[stack.count - 1].attributeName = name
        }
        stack.append(Frame(tag: tag, leaf: value, index: index))
        failedTag = nil
    }

    mutating func end() {
        guard let frame = stack.popLast() else {
            wrapperOpen = false  // </KMIP>
            return
        }
        let item = KMIPItem(frame.tag, frame.leaf ?? .structure(frame.children))
        if stack.isEmpty {
            messages.append(KMIPTestCase.Message(item: item, placeholders: placeholders))
            placeholders = []
        } else {
            stack[stack.count - 1].children.append(item)
        }
    }
}
