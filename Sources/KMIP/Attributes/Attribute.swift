// swift-kmip: KMIP
//
// One attribute of a managed object (1.x §2.1.1 Attribute; 2.x §4 and §4.53 Vendor Attribute).

/// An attribute: its name, its index among instances (1.x only) and its value.
///
/// The value is kept as the item tree the specification defines for the attribute, so an attribute
/// this library does not know (a vendor's, or one from a newer specification) round-trips. Typed
/// access goes through ``value(_:)`` or the accessors of ``Attributes``.
public struct Attribute: Hashable, Sendable {
    /// The attribute's name.
    public var name: AttributeName
    /// The index among instances of a multi-instance attribute (KMIP 1.x only).
    public var index: Int32?
    /// The value, as an item tree (its tag does not matter).
    public var value: KMIPItem.Value

    /// Creates an attribute from a raw value.
    public init(name: AttributeName, index: Int32? = nil, value: KMIPItem.Value) {
        self.name = name
        self.index = index
        self.value = value
    }

    /// Creates an attribute from a typed value.
    public init(name: AttributeName, index: Int32? = nil, _ value: some KMIPCodable) throws {
        self.name = name
        self.index = index
        self.value = try value.kmipItem(tag: name.tag ?? .attributeValue, context: Attributes.storageContext).value
    }

    /// The value as `type`.
    ///
    /// - Throws: `KMIPError` when the value does not have that shape.
    public func value<T: KMIPCodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try T(kmipItem: KMIPItem(name.tag ?? .attributeValue, value), context: .tolerant)
        } catch let error as KMIPError {
            throw error.prefixed(by: name.tag ?? .attributeValue)
        }
    }
}

extension Attribute: KMIPCodable {
    /// Reads the 1.x Attribute structure (Attribute Name, Attribute Index, Attribute Value) or the
    /// 2.x Vendor Attribute structure (Vendor Identification, Attribute Name, Attribute Value).
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        let vendor: String? = try reader.decodeIfPresent(.vendorIdentification)
        let nameText: String = try reader.decode(.attributeName)
        index = try reader.decodeIfPresent(.attributeIndex)
        // Notify may omit the value (1.x §5.1); keep an empty structure then.
        value = reader.nextItem(.attributeValue)?.value ?? .structure([])
        try reader.finish()
        if let vendor {
            name = AttributeName(vendorIdentification: vendor, name: nameText)
        } else {
            name = AttributeName(nameText)
        }
    }

    /// Writes the 1.x Attribute structure, or the 2.x Vendor Attribute structure for KMIP 2.x.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        var children: [KMIPItem] = []
        children.reserveCapacity(3)
        if context.isVersion2 {
            guard let vendor = name.vendorIdentification else {
                throw KMIPError(
                    .invalidValue, "standard attribute '\(name)' is written by its own tag in KMIP \(context.version), not as an Attribute structure")
            }
            children.append(KMIPItem(.vendorIdentification, .textString(vendor)))
            children.append(KMIPItem(.attributeName, .textString(name.name)))
        } else {
            children.append(KMIPItem(.attributeName, .textString(name.description)))
            if let index { children.append(KMIPItem(.attributeIndex, .integer(index))) }
        }
        children.append(KMIPItem(.attributeValue, value))
        return KMIPItem(tag, structure: children)
    }

    /// Reads one attribute of a 2.x Attributes structure: a standard attribute by its own tag, or
    /// a Vendor Attribute.
    init(version2Item item: KMIPItem, context: KMIPDecodingContext) throws {
        if item.tag == .attribute {
            self = try Attribute(kmipItem: item, context: context)
        } else {
            name = AttributeName(tag: item.tag) ?? AttributeName(vendorIdentification: nil, standardName: item.tag.hexString)
            index = nil
            value = item.value
        }
    }

    /// Writes the attribute as one item of a 2.x Attributes structure.
    func version2Item(context: KMIPEncodingContext) throws -> KMIPItem {
        if name.isVendorAttribute { return try kmipItem(tag: .attribute, context: context) }
        if let index, index != 0 {
            throw KMIPError(
                .unsupportedInVersion, "attribute '\(name)' has Attribute Index \(index); KMIP \(context.version) has no attribute indexes")
        }
        if name.name.hasPrefix("0x"), let raw = UInt32(name.name.dropFirst(2), radix: 16) {
            return KMIPItem(Tag(rawValue: raw), value)
        }
        return KMIPItem(try name.requireTag(), value)
    }
}

/// The 2.x New Attribute and Current Attribute form of an ``Attribute``: a structure holding the
/// attribute by its own tag (or as a Vendor Attribute).
public struct AttributeWrapperForm: KMIPCodable, Hashable {
    /// The attribute.
    public var value: Attribute

    /// Wraps an attribute.
    public init(_ value: Attribute) { self.value = value }

    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        guard let child = reader.nextItem() else {
            throw KMIPError(.missingField, "\(tagName(item.tag)) holds no attribute")
        }
        do {
            value = try Attribute(version2Item: child, context: context)
        } catch let error as KMIPError {
            throw error.prefixed(by: child.tag)
        }
        try reader.finish()
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, structure: [try value.version2Item(context: context)])
    }
}
