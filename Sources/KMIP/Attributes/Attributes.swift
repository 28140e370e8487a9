// swift-kmip: KMIP
//
// The attributes of a managed object, one public model for every protocol version: on the wire a
// Template-Attribute (1.x §2.1.8) or a list of Attribute structures in KMIP 1.x, an Attributes
// structure (2.x §7.2) in KMIP 2.x.

/// An ordered list of attributes, with a typed accessor for every attribute of KMIP 1.0 to 2.1.
///
/// ```swift
/// var attributes = Attributes()
/// attributes.cryptographicAlgorithm = .aes
/// attributes.cryptographicLength = 256
/// attributes.cryptographicUsageMask = [.encrypt, .decrypt]
/// attributes.names = [Name(nameValue: "camera-key", nameType: .uninterpretedTextString)]
/// ```
///
/// Setting a single-instance accessor replaces every instance of that attribute; setting it to
/// `nil` removes them. The order of the list is the order on the wire.
public struct Attributes: Hashable, Sendable, RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
    /// The attributes, in order.
    public var list: [Attribute]
    /// Names of templates whose attributes apply too (KMIP 1.x Template-Attribute only; templates
    /// were deprecated in 1.3 and removed in 2.0).
    public var templateNames: [Name]

    /// The version in which typed values are stored (the values themselves are the same in every
    /// version; 2.1 allows every form).
    static let storageContext = KMIPEncodingContext(version: .v2_1)

    /// Creates a list of attributes.
    public init() {
        self.list = []
        self.templateNames = []
    }

    /// Creates a list of attributes.
    public init(_ list: [Attribute], templateNames: [Name] = []) {
        self.list = list
        self.templateNames = templateNames
    }

    public init(arrayLiteral elements: Attribute...) { self.init(elements) }

    public var startIndex: Int { list.startIndex }
    public var endIndex: Int { list.endIndex }
    public subscript(position: Int) -> Attribute {
        get { list[position] }
        set { list[position] = newValue }
    }

    /// Appends an attribute.
    public mutating func append(_ attribute: Attribute) { list.append(attribute) }

    /// Every instance of the attribute `name`.
    public func all(_ name: AttributeName) -> [Attribute] { list.filter { $0.name == name } }

    /// The first instance of `name` as `type`, or `nil` when there is none.
    ///
    /// - Throws: `KMIPError` when the value does not have that shape.
    public func value<T: KMIPCodable>(_ type: T.Type = T.self, of name: AttributeName) throws -> T? {
        try list.first { $0.name == name }?.value(T.self)
    }

    /// Every instance of `name` as `type`.
    public func values<T: KMIPCodable>(_ type: T.Type = T.self, of name: AttributeName) throws -> [T] {
        try list.filter { $0.name == name }.map { try $0.value(T.self) }
    }

    /// Replaces every instance of `name` with `value` (at the place of the first), or removes them
    /// when `value` is `nil`.
    public mutating func set<T: KMIPCodable>(_ value: T?, for name: AttributeName) {
        setValues(value.map { [$0] } ?? [], for: name)
    }

    /// Replaces every instance of `name` with `values`, in order.
    public mutating func setValues<T: KMIPCodable>(_ values: [T], for name: AttributeName) {
        let position = list.firstIndex { $0.name == name } ?? list.endIndex
        let kept = list[..<position].count
        list.removeAll { $0.name == name }
        let attributes = values.compactMap { try? Attribute(name: name, $0) }
        list.insert(contentsOf: attributes, at: Swift.min(kept, list.endIndex))
    }

    /// Removes every instance of `name`.
    public mutating func remove(_ name: AttributeName) { list.removeAll { $0.name == name } }

    // Accessors that read through `try?`: a malformed value reads as absent; use
    // ``value(_:of:)`` to see the error.
    @usableFromInline
    func get<T: KMIPCodable>(_ name: AttributeName) -> T? { try? value(T.self, of: name) }

    @usableFromInline
    func getAll<T: KMIPCodable>(_ name: AttributeName) -> [T] { (try? values(T.self, of: name)) ?? [] }
}

// MARK: - Wire forms

/// The KMIP 1.x Template-Attribute form of ``Attributes`` (Name*, Attribute*).
public struct TemplateAttributeForm: KMIPCodable, Hashable {
    /// The attributes.
    public var value: Attributes

    /// Wraps attributes.
    public init(_ value: Attributes) { self.value = value }

    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        let names: [Name] = try reader.decodeRepeated(.name)
        let list: [Attribute] = try reader.decodeRepeated(.attribute)
        try reader.finish()
        value = Attributes(list, templateNames: names)
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        if context.isVersion2 {
            throw KMIPError(.unsupportedInVersion, "Template-Attribute is KMIP 1.x only; KMIP \(context.version) uses Attributes")
        }
        var writer = KMIPStructureWriter("Template-Attribute", context: context, capacity: value.list.count + value.templateNames.count)
        try writer.encode(value.templateNames, .name)
        try writer.encode(value.list, .attribute)
        return writer.item(tag: tag)
    }
}

/// The KMIP 2.x Attributes form of ``Attributes``: each attribute by its own tag, vendor
/// attributes as Attribute structures.
public struct AttributesForm: KMIPCodable, Hashable {
    /// The attributes.
    public var value: Attributes

    /// Wraps attributes.
    public init(_ value: Attributes) { self.value = value }

    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .structure(let children) = item.value else {
            throw KMIPError(.invalidValue, "\(tagName(item.tag)) must be a Structure, found \(item.itemType)")
        }
        var list: [Attribute] = []
        list.reserveCapacity(children.count)
        for child in children {
            do {
                list.append(try Attribute(version2Item: child, context: context))
            } catch let error as KMIPError {
                throw error.prefixed(by: child.tag)
            }
        }
        value = Attributes(list)
    }

    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        if !context.isVersion2 {
            throw KMIPError(.unsupportedInVersion, "Attributes is KMIP 2.x only; KMIP \(context.version) uses Template-Attribute or Attribute")
        }
        if !value.templateNames.isEmpty {
            throw KMIPError(.unsupportedInVersion, "templates (Template-Attribute Name) do not exist in KMIP \(context.version)")
        }
        var children: [KMIPItem] = []
        children.reserveCapacity(value.list.count)
        for attribute in value.list { children.append(try attribute.version2Item(context: context)) }
        return KMIPItem(tag, structure: children)
    }
}
