// swift-kmip: KMIPTTLV
//
// What the registry knows about a tag, an enumeration and an enumeration value.

/// What the specification says about one tag.
public struct TagDefinition: Hashable, Sendable {
    /// The tag.
    public var tag: Tag
    /// The name as printed in the specification, for example `Unique Identifier`.
    public var name: String
    /// The normalised name used by the XML and JSON encodings, for example `UniqueIdentifier`.
    public var xmlName: String
    /// Every item type the tag may carry in any version, in the specification's order; empty when
    /// it varies (Attribute Value) or the specification gives none.
    public var itemTypes: [ItemType]
    /// The versions whose tag table lists the tag.
    public var versions: KMIPVersionSet
    /// How the item type changed between versions, when it did (oldest first).
    public var typeHistory: [TypeSpan]
    /// A note such as `designated (Reserved) in 2.0,2.1`, or `nil`.
    public var status: String?

    /// The item types a tag carries from a version on.
    public struct TypeSpan: Hashable, Sendable {
        /// The first version with these types.
        public var since: KMIPVersion
        /// The item types.
        public var itemTypes: [ItemType]

        public init(since: KMIPVersion, _ itemTypes: [ItemType]) {
            self.since = since
            self.itemTypes = itemTypes
        }
    }

    /// Creates a definition, for the standard tables or for a vendor's extension tags.
    public init(
        tag: Tag, name: String, xmlName: String, itemTypes: [ItemType], versions: KMIPVersionSet,
        typeHistory: [TypeSpan] = [], status: String? = nil
    ) {
        self.tag = tag
        self.name = name
        self.xmlName = xmlName
        self.itemTypes = typeHistory.isEmpty ? itemTypes : typeHistory.flatMap(\.itemTypes).uniqued()
        self.versions = versions
        self.typeHistory = typeHistory
        self.status = status
    }

    /// The item types the tag carries in `version`.
    public func itemTypes(in version: KMIPVersion) -> [ItemType] {
        typeHistory.last(where: { $0.since <= version })?.itemTypes ?? itemTypes
    }
}

/// One enumeration or bit mask of the specification with its values.
public struct EnumerationDefinition: Hashable, Sendable {
    /// Whether the values are exclusive (an enumeration) or bits to combine (a mask).
    public enum Kind: Hashable, Sendable {
        case enumeration
        case mask
    }

    /// The name as printed, for example `Cryptographic Algorithm`.
    public var name: String
    /// The normalised name, for example `CryptographicAlgorithm`.
    public var xmlName: String
    /// An enumeration or a mask.
    public var kind: Kind
    /// The tag that carries this enumeration, when one has the same name.
    public var tag: Tag?
    /// The values, in the specification's order. One value may appear under several names
    /// when it was renamed between versions.
    public var values: [EnumerationValue]

    public init(name: String, xmlName: String, kind: Kind, tag: Tag?, values: [EnumerationValue]) {
        self.name = name
        self.xmlName = xmlName
        self.kind = kind
        self.tag = tag
        self.values = values
    }
}

/// One named value of an enumeration or bit mask.
public struct EnumerationValue: Hashable, Sendable {
    /// The numeric value.
    public var value: UInt32
    /// The name as printed, for example `SHA-256`.
    public var name: String
    /// The normalised name, for example `SHA_256`.
    public var xmlName: String
    /// The versions that define the value under this name.
    public var versions: KMIPVersionSet
    /// A note such as `renamed in later versions`, or `nil`.
    public var note: String?

    public init(_ value: UInt32, _ name: String, _ xmlName: String, versions: KMIPVersionSet, note: String? = nil) {
        self.value = value
        self.name = name
        self.xmlName = xmlName
        self.versions = versions
        self.note = note
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
