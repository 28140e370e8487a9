// swift-kmip: KMIPXML
//
// Which enumeration or mask names the value of an item: its tag, or for a 1.x Attribute Value the
// Attribute Name beside it (KMIP Additional Message Encodings §4.1.6.7, §6.1.6.7).

/// What a text value is read or written against.
struct ValueContext {
    /// The values of an enumeration or the bits of a mask, when known.
    var enumeration: EnumerationDefinition?
    /// The value is a tag (a 2.x Attribute Reference in its enumeration form).
    var valuesAreTags = false

    /// The context of an item with `tag`, whose structure holds an Attribute Name `attributeName`.
    static func of(_ tag: Tag, attributeName: String?, registry: KMIPRegistry) -> ValueContext {
        if tag == .attributeValue, let attributeName {
            // `Cryptographic   Usage Mask` (typeset with extra spaces) names the same attribute.
            if let attributeTag = registry.tag(named: attributeName) ?? registry.tag(named: collapsingSpaces(attributeName)) {
                return ValueContext(enumeration: registry.enumeration(for: attributeTag))
            }
            return ValueContext()
        }
        if tag == .attributeReference {
            return ValueContext(valuesAreTags: true)
        }
        return ValueContext(enumeration: registry.enumeration(for: tag))
    }

    /// `text` with runs of whitespace made single spaces and the ends trimmed.
    static func collapsingSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// Names that published documents use although the specification spells them otherwise.
    static let aliases: [String: String] = [
        "NotAuthorized": "NotAuthorised",
        "UsageLimitsExceeded": "UsageLimitExceeded",
        "ContentCommitment": "ContentCommitmentNonRepudiation",
    ]

    /// The value of `name` in `enumeration`, by its XML or printed name or a known alias.
    static func value(named name: String, in enumeration: EnumerationDefinition) -> UInt32? {
        enumeration.value(named: name) ?? aliases[name].flatMap { enumeration.value(named: $0) }
    }
}
