// swift-kmip: KMIPXML
//
// Item tree -> KMIP XML (KMIP Additional Message Encodings v1.0 §6.1), in the canonical form
// documented in docs/TextEncodings.md.

/// Writes an item tree in the KMIP XML encoding.
///
/// The output is canonical and stable: two-space indentation, one element per line, standard
/// tags by name and other tags as `<TTLV tag="0x…">`, the `type` attribute before `value`,
/// enumerations and masks by the name the message's protocol version uses (hex when there is
/// none), byte strings in lowercase hex, date-times in UTC. A single item is written as the bare
/// element, with no XML declaration, so outputs can be concatenated into a test-case document.
public struct KMIPXMLEncoder: Sendable {
    /// Names tags and enumeration values.
    public var registry: KMIPRegistry

    /// Creates an encoder with the standard registry.
    public init(registry: KMIPRegistry = .standard) {
        self.registry = registry
    }

    /// The XML of `item`, ending with a newline.
    public func encode(_ item: KMIPItem) -> String {
        var out = ""
        write(item, placeholders: [], into: &out, indent: 0)
        return out
    }

    /// Appends `item`, with the placeholders of a test-case message written in place.
    func write(_ item: KMIPItem, placeholders: [KMIPTestCase.Placeholder], into out: inout String, indent: Int) {
        let symbols = placeholders.symbolsByPath
        var path: [Int] = []
        write(item, attributeName: nil, version: item.protocolVersion, symbols: symbols, path: &path, into: &out, indent: indent)
    }

    private func write(
        _ item: KMIPItem, attributeName: String?, version: KMIPVersion?, symbols: [[Int]: String], path: inout [Int],
        into out: inout String, indent: Int
    ) {
        for _ in 0..<indent { out += "  " }
        out += "<"
        let definition = item.tag.isExtension ? nil : registry.definition(of: item.tag)
        if let definition {
            out += definition.xmlName
        } else {
            out += "TTLV tag=\"\(item.tag.hexString)\""
            if let name = registry.definition(of: item.tag)?.xmlName { out += " name=\"\(escaped(name))\"" }
        }
        guard case .structure(let children) = item.value else {
            out += " type=\"\(item.itemType.name)\" value=\""
            if !symbols.isEmpty, let symbol = symbols[path] {
                out += escaped(symbol)
            } else {
                let context = ValueContext.of(item.tag, attributeName: attributeName, registry: registry)
                out += escaped(TextValueFormat.format(item.value, context: context, version: version, registry: registry, maskSeparator: " "))
            }
            out += "\"/>\n"
            return
        }
        guard !children.isEmpty else {
            out += "/>\n"
            return
        }
        out += ">\n"
        var name: String?
        for (index, child) in children.enumerated() {
            if child.tag == .attributeName, case .textString(let text) = child.value { name = text }
            path.append(index)
            write(child, attributeName: name, version: version, symbols: symbols, path: &path, into: &out, indent: indent + 1)
            path.removeLast()
        }
        for _ in 0..<indent { out += "  " }
        out += "</"
        out += definition?.xmlName ?? "TTLV"
        out += ">\n"
    }

    /// Escapes text for an attribute value; line breaks and tabs survive attribute normalisation.
    private func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") }) else {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if scalar.value < 0x20 { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
