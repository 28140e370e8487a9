// swift-kmip: KMIP
//
// The name of an attribute: Attribute Name (Text String) in KMIP 1.x, Attribute Reference
// (Enumeration of the attribute's tag, or a Vendor Identification + Attribute Name structure)
// in KMIP 2.x (1.x §2.1.1, §3.39 Custom Attribute; 2.x §4.53 Vendor Attribute, §5.x Attribute Reference).

/// The name of a standard, custom or vendor attribute, independent of the protocol version.
///
/// Standard attributes are named as in the specification (`"Cryptographic Algorithm"`); every one
/// of KMIP 1.0 to 2.1 also has a constant such as ``AttributeName/cryptographicAlgorithm``.
/// Custom attributes of KMIP 1.x (`"x-Department"`, `"y-…"`) become 2.x Vendor Attributes with
/// Vendor Identification `x` (or `y`) and Attribute Name `Department`, and back.
public struct AttributeName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The vendor that defines a vendor attribute (`x` and `y` for 1.x custom attributes), or `nil`
    /// for a standard attribute.
    public var vendorIdentification: String?
    /// The attribute's name: the specification name of a standard attribute, the vendor's name
    /// of a vendor attribute.
    public var name: String

    /// A standard attribute, or a 1.x custom attribute name such as `x-Department`.
    public init(_ text: String) {
        let utf8 = text.utf8
        if utf8.count > 2, let first = utf8.first, first == UInt8(ascii: "x") || first == UInt8(ascii: "y"),
            utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: "-")
        {
            vendorIdentification = first == UInt8(ascii: "x") ? "x" : "y"
            name = String(text.dropFirst(2))
        } else {
            vendorIdentification = nil
            name = text
        }
    }

    /// A vendor attribute.
    public init(vendorIdentification: String, name: String) {
        self.vendorIdentification = vendorIdentification
        self.name = name
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// Whether this is a vendor (or 1.x custom) attribute.
    public var isVendorAttribute: Bool { vendorIdentification != nil }

    /// The 1.x text form: the specification name, or `VENDOR-NAME` (`x-Department`).
    public var description: String {
        vendorIdentification.map { "\($0)-\(name)" } ?? name
    }

    /// The tag of a standard attribute in the standard registry, or `nil`.
    public var tag: Tag? {
        vendorIdentification == nil ? KMIPRegistry.standard.tag(named: name) : nil
    }

    /// The name of the standard attribute with `tag`.
    public init?(tag: Tag) {
        guard let definition = KMIPRegistry.standard.definition(of: tag) else { return nil }
        self.init(vendorIdentification: nil, standardName: definition.name)
    }

    init(vendorIdentification: String?, standardName: String) {
        self.vendorIdentification = vendorIdentification
        self.name = standardName
    }

    /// The 2.x tag of a standard attribute, or an error naming it.
    func requireTag() throws -> Tag {
        guard let tag else {
            throw KMIPError(.unknownName, "'\(name)' is not a standard attribute; KMIP 2.x needs its tag or a Vendor Attribute")
        }
        return tag
    }
}

extension AttributeName: KMIPCodable {
    /// Reads the 1.x form: a Text String.
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        self.init(try String(kmipItem: item, context: context))
    }

    /// Writes the 1.x form: a Text String.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, .textString(description))
    }
}

/// The 2.x Attribute Reference form of an ``AttributeName``.
public struct AttributeReferenceForm: KMIPCodable, Hashable {
    /// The name.
    public var value: AttributeName

    /// Wraps a name.
    public init(_ value: AttributeName) { self.value = value }

    /// Reads an Enumeration (the tag of a standard attribute) or a structure (Vendor
    /// Identification, Attribute Name).
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        switch item.value {
        case .enumeration(let raw):
            let tag = Tag(rawValue: raw)
            value = AttributeName(tag: tag) ?? AttributeName(vendorIdentification: nil, standardName: tag.hexString)
        case .structure:
            var reader = try KMIPStructureReader(item, context: context)
            let vendor: String = try reader.decode(.vendorIdentification)
            let name: String = try reader.decode(.attributeName)
            try reader.finish()
            value = AttributeName(vendorIdentification: vendor, name: name)
        default:
            throw KMIPError(.invalidValue, "Attribute Reference must be an Enumeration or a Structure, found \(item.itemType)")
        }
    }

    /// Writes the Enumeration or vendor structure form.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        if let vendor = value.vendorIdentification {
            return KMIPItem(tag, structure: [
                KMIPItem(.vendorIdentification, .textString(vendor)),
                KMIPItem(.attributeName, .textString(value.name)),
            ])
        }
        if value.name.hasPrefix("0x"), let raw = UInt32(value.name.dropFirst(2), radix: 16) {
            return KMIPItem(tag, .enumeration(raw))
        }
        return KMIPItem(tag, .enumeration(try value.requireTag().rawValue))
    }
}
