// swift-kmip: KMIPXML
//
// KMIP XML -> item tree (KMIP Additional Message Encodings v1.0 §6.1, XML Encoding).

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the KMIP XML encoding into an item tree.
///
/// Both element forms are read: the specific form `<ActivationDate type="DateTime" value="…"/>`
/// and the generic `<TTLV tag="0x54FFFF" type="…" value="…"/>`, which carries any tag. Input is
/// tolerant of what published documents contain: extra whitespace, either hex case, names from
/// any KMIP version, enumerations by name or in hex. Errors name the line and the tag path.
///
/// ```swift
/// let message = try KMIPXMLDecoder().decode(xmlText)
/// ```
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
        // FoundationXML traps on some invalid UTF-8 (swift-corelibs-foundation, Swift 6.3): check first.
        if let offset = firstInvalidUTF8(data) {
            let line = data[..<offset].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw KMIPError(.malformedInput, "not valid UTF-8 at byte \(offset)", byteOffset: offset, line: line)
        }
        let builder = XMLTreeBuilder(options: options, recordingPlaceholders: recordingPlaceholders)
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let parsed = parser.parse()
        if let error = builder.error { throw error }
        guard parsed else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "not well-formed XML"
            throw KMIPError(.malformedInput, "not well-formed XML: \(reason)", line: parser.lineNumber)
        }
        guard builder.stack.isEmpty, !builder.messages.isEmpty else {
            throw KMIPError(.malformedInput, "the document holds no KMIP item", line: parser.lineNumber)
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

/// Builds items from XMLParser's SAX events.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
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
    var error: KMIPError?

    init(options: TextDecodingOptions, recordingPlaceholders: Bool) {
        self.options = options
        self.recordingPlaceholders = recordingPlaceholders
    }

    private func fail(_ parser: XMLParser, _ error: KMIPError, tag: Tag? = nil) {
        guard self.error == nil else { return }
        var error = error
        error.line = parser.lineNumber
        error.tagPath = stack.map(\.tag) + (tag.map { [$0] } ?? [])
        self.error = error
        parser.abortParsing()
    }

    private func tag(forElement name: String, attributes: [String: String]) throws -> Tag {
        let local = name.split(separator: ":").last.map(String.init) ?? name
        if local == "TTLV" {
            guard let text = attributes["tag"] else {
                throw KMIPError(.missingField, "a <TTLV> element needs a tag attribute")
            }
            guard let value = TextValueFormat.parseHexNumber(TextValueFormat.trimmed(text), maxDigits: 6) else {
                throw KMIPError(.invalidValue, "tag attribute '\(text)' is not 0x and 6 hex digits")
            }
            return Tag(rawValue: UInt32(value))
        }
        if let tag = options.registry.tag(named: local) { return tag }
        // `<x540001 …>`: an extension tag written as an element name (Additional Message Encodings §6.1.6.5).
        if local.count == 7, local.first == "x", let value = UInt32(local.dropFirst(), radix: 16) {
            return Tag(rawValue: value)
        }
        throw KMIPError(.unknownName, "<\(local)> is not the name of a KMIP tag")
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes: [String: String] = [:]
    ) {
        guard error == nil else { return }
        if stack.isEmpty && !wrapperOpen && (elementName == "KMIP" || elementName == "KmipTestCase") {
            guard messages.isEmpty, !isWrapped else {
                return fail(parser, KMIPError(.malformedInput, "a second <\(elementName)> document element"))
            }
            isWrapped = true
            wrapperOpen = true
            return
        }
        if stack.isEmpty && !wrapperOpen && !messages.isEmpty {
            return fail(parser, KMIPError(.malformedInput, "more than one document element"))
        }
        if let top = stack.last, top.leaf != nil {
            return fail(parser, KMIPError(.malformedInput, "<\(elementName)> inside an element that has a value"))
        }
        guard stack.count < options.maximumDepth else {
            return fail(parser, KMIPError(.limitExceeded, "elements nested deeper than \(options.maximumDepth)"))
        }
        itemCount += 1
        guard itemCount <= options.maximumItemCount else {
            return fail(parser, KMIPError(.limitExceeded, "more than \(options.maximumItemCount) items"))
        }
        let tag: Tag
        do {
            tag = try self.tag(forElement: elementName, attributes: attributes)
        } catch let error as KMIPError {
            return fail(parser, error)
        } catch {
            return fail(parser, KMIPError(.malformedInput, "\(error)"))
        }
        let typeName = attributes["type"].map { String(TextValueFormat.trimmed($0)) } ?? "Structure"
        guard let type = ItemType(name: typeName) else {
            let reason = ["Identifier", "Reference", "NameReference"].contains(typeName)
                ? "item type \(typeName) belongs to the KMIP 3.0 drafts and is not supported"
                : "'\(typeName)' is not a KMIP item type"
            return fail(parser, KMIPError(.unknownItemType, reason), tag: tag)
        }
        let index = stack.last?.children.count ?? 0
        guard type != .structure else {
            stack.append(Frame(tag: tag, index: index))
            return
        }
        guard let text = attributes["value"] else {
            return fail(parser, KMIPError(.missingField, "a \(type) element needs a value attribute"), tag: tag)
        }
        let value: KMIPItem.Value
        if recordingPlaceholders, text.hasPrefix("$") {
            placeholders.append(KMIPTestCase.Placeholder(
                text: text, itemType: type, path: stack.dropFirst().map(\.index) + (stack.isEmpty ? [] : [index])))
            value = KMIPTestCase.Placeholder.unboundValue(of: type, text: text)
        } else {
            do {
                let context = ValueContext.of(tag, attributeName: stack.last?.attributeName, registry: options.registry)
                value = try TextValueFormat.parse(text, type: type, context: context, registry: options.registry)
            } catch let error as KMIPError {
                return fail(parser, error, tag: tag)
            } catch {
                return fail(parser, KMIPError(.invalidValue, "\(error)"), tag: tag)
            }
        }
        if tag == .attributeName, case .textString(let name) = value, !stack.isEmpty {
            stack[stack.count - 1].attributeName = name
        }
        stack.append(Frame(tag: tag, leaf: value, index: index))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard error == nil else { return }
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

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard error == nil else { return }
        error = KMIPError(.malformedInput, "not well-formed XML: \(parseError.localizedDescription)", line: parser.lineNumber)
    }
}
