// swift-kmip: KMIPXML
//
// Item tree -> KMIP JSON (KMIP Additional Message Encodings v1.0 §4.1), in the canonical form
// documented in docs/TextEncodings.md.

/// Writes an item tree in the KMIP JSON encoding.
///
/// The output is canonical and stable: structures as `{"tag": …, "value": [ … ]}` over several
/// lines with two-space indentation, every other item on one line with its `type`; numbers as
/// JSON numbers (Long Integers beyond 2^53 as `0x` hex), enumerations by name (hex when there is
/// none), masks as names joined by `|`, byte strings in lowercase hex, date-times in UTC.
public struct KMIPJSONEncoder: Sendable {
    /// Names tags and enumeration values.
    public var registry: KMIPRegistry

    /// Creates an encoder with the standard registry.
    public init(registry: KMIPRegistry = .standard) {
        self.registry = registry
    }

    /// The JSON of `item`, ending with a newline.
    public func encode(_ item: KMIPItem) -> String {
        var out = ""
        write(item, placeholders: [], into: &out, indent: 0)
        return out + "\n"
    }

    /// Appends `item` (without a final newline), with a test-case message's placeholders in place.
    func write(_ item: KMIPItem, placeholders: [KMIPTestCase.Placeholder], into out: inout String, indent: Int) {
        let symbols = placeholders.symbolsByPath
        var path: [Int] = []
        write(item, attributeName: nil, version: item.protocolVersion, symbols: symbols, path: &path, into: &out, indent: indent)
    }

    private func write(
        _ item: KMIPItem, attributeName: String?, version: KMIPVersion?, symbols: [[Int]: String], path: inout [Int],
        into out: inout String, indent: Int
    ) {
        out += "{\"tag\": "
        if !item.tag.isExtension, let definition = registry.definition(of: item.tag) {
            out += quoted(definition.xmlName)
        } else {
            out += quoted(item.tag.hexString)
            if let name = registry.definition(of: item.tag)?.xmlName { out += ", \"name\": " + quoted(name) }
        }
        guard case .structure(let children) = item.value else {
            out += ", \"type\": \"\(item.itemType.name)\", \"value\": "
            if !symbols.isEmpty, let symbol = symbols[path] {
                out += quoted(symbol)
            } else {
                out += valueText(item, attributeName: attributeName, version: version)
            }
            out += "}"
            return
        }
        guard !children.isEmpty else {
            out += ", \"value\": []}"
            return
        }
        out += ", \"value\": [\n"
        var name: String?
        for (index, child) in children.enumerated() {
            if child.tag == .attributeName, case .textString(let text) = child.value { name = text }
            for _ in 0...indent { out += "  " }
            path.append(index)
            write(child, attributeName: name, version: version, symbols: symbols, path: &path, into: &out, indent: indent + 1)
            path.removeLast()
            out += index == children.count - 1 ? "\n" : ",\n"
        }
        for _ in 0..<indent { out += "  " }
        out += "]}"
    }

    private func valueText(_ item: KMIPItem, attributeName: String?, version: KMIPVersion?) -> String {
        let context = ValueContext.of(item.tag, attributeName: attributeName, registry: registry)
        switch item.value {
        case .integer(let number):
            if let mask = context.enumeration, mask.kind == .mask, number != 0 {
                return quoted(TextValueFormat.format(item.value, context: context, version: version, registry: registry, maskSeparator: "|"))
            }
            return String(number)
        case .longInteger(let number):
            return number > -(1 << 53) && number < (1 << 53) ? String(number) : quoted("0x" + hexDigits(UInt64(bitPattern: number), width: 16))
        case .bigInteger(let number):
            return quoted("0x" + Hex.encode(number.paddedBytes, lowercase: true))
        case .interval(let seconds):
            return String(seconds)
        case .boolean(let flag):
            return flag ? "true" : "false"
        default:
            return quoted(TextValueFormat.format(item.value, context: context, version: version, registry: registry, maskSeparator: "|"))
        }
    }

    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
