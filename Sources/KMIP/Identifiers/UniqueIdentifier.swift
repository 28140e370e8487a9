// swift-kmip: KMIP
//
// Unique Identifier: a Text String in KMIP 1.x; a Text String, an Enumeration (ID Placeholder
// and the like) or an Integer (an index into a batch's results) in KMIP 2.x
// (1.x §3.1; 2.x §4.49 and §11.48 Unique Identifier Enumeration).

/// The identifier of a managed object, in any form the protocol allows.
///
/// Most code only ever sees the text form: `"1f165d65-…"` converts from a string literal.
/// KMIP 2.0 added two forms a client may send in a request: an enumeration value such as
/// ``UniqueIdentifierEnumeration/idPlaceholder`` (the object the previous batch item created) and
/// an integer (the object of the batch item at that index). Encoding either form for KMIP 1.x
/// throws `KMIPError.Code.unsupportedInVersion`.
public enum UniqueIdentifier: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// A server-assigned identifier (Text String).
    case text(String)
    /// A reference by enumeration (Enumeration, KMIP 2.0+).
    case enumeration(UniqueIdentifierEnumeration)
    /// A reference by batch item index (Integer, KMIP 2.0+).
    case index(Int32)

    /// The ID Placeholder of the batch (KMIP 2.0+).
    public static let idPlaceholder = UniqueIdentifier.enumeration(.idPlaceholder)

    /// Creates a text identifier.
    public init(stringLiteral value: String) { self = .text(value) }

    /// Creates a text identifier.
    public init(_ text: String) { self = .text(text) }

    /// The text form, or `nil` for a reference.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    public var description: String {
        switch self {
        case .text(let text): text
        case .enumeration(let value): "\(value)"
        case .index(let index): "#\(index)"
        }
    }
}

extension UniqueIdentifier: KMIPCodable {
    /// Reads the Text String, Enumeration or Integer form.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        switch item.value {
        case .textString(let text): self = .text(text)
        case .enumeration(let value): self = .enumeration(UniqueIdentifierEnumeration(rawValue: value))
        case .integer(let index): self = .index(index)
        default:
            throw KMIPError(.invalidValue, "\(tagName(item.tag)) must be a Text String, Enumeration or Integer, found \(item.itemType)")
        }
    }

    /// Writes the identifier; the reference forms need KMIP 2.0.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        switch self {
        case .text(let text): return KMIPItem(tag, .textString(text))
        case .enumeration(let value):
            guard context.isVersion2 else { throw Self.referenceError(tag, context) }
            return KMIPItem(tag, .enumeration(value.rawValue))
        case .index(let index):
            guard context.isVersion2 else { throw Self.referenceError(tag, context) }
            return KMIPItem(tag, .integer(index))
        }
    }

    @usableFromInline
    static func referenceError(_ tag: Tag, _ context: KMIPEncodingContext) -> KMIPError {
        KMIPError(
            .unsupportedInVersion,
            "\(tagName(tag)) can only be a Text String in KMIP \(context.version); the Enumeration and Integer forms need KMIP 2.0")
    }
}
