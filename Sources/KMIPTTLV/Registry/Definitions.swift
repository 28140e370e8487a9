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
    /// The name of the enumeration or mask whose values the tag carries, or `nil`.
    public var enumeration: String?

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
        typeHistory: [TypeSpan] = [], status: String? = nil, enumeration: String? = nil
    ) {
        self.tag = tag
        self.name = name
        self.xmlName = xmlName
        self.itemTypes = typeHistory.isEmpty ? itemTypes : typeHistory.flatMap(\.itemTypes).uniqued()
        self.versions = versions
        self.typeHistory = typeHistory
        self.status = status
        self.enumeration = enumeration
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
    public let name: String
    /// The normalised name, for example `CryptographicAlgorithm`.
    public let xmlName: String
    /// An enumeration or a mask.
    public let kind: Kind
    /// The values, in the specification's order. One value may appear under several names
    /// when it was renamed between versions.
    public let values: [EnumerationValue]

    /// Value by XML name and by printed name.
    private let valuesByName: [String: UInt32]
    /// Positions in `values` by value.
    private let entriesByValue: [UInt32: [Int]]

    public init(name: String, xmlName: String, kind: Kind, values: [EnumerationValue]) {
        self.name = name
        self.xmlName = xmlName
        self.kind = kind
        self.values = values
        var byName: [String: UInt32] = [:]
        var byValue: [UInt32: [Int]] = [:]
        for (index, entry) in values.enumerated() {
            byName[entry.name] = entry.value
            byName[entry.xmlName] = entry.value
            byValue[entry.value, default: []].append(index)
        }
        valuesByName = byName
        entriesByValue = byValue
    }

    /// The value named `name`: an XML name (`SymmetricKey`) or a printed name (`Symmetric Key`),
    /// from any version.
    public func value(named name: String) -> UInt32? {
        valuesByName[name]
    }

    /// The entry that names `value`, preferring the name `version` uses (the newest name when
    /// `version` is `nil` or does not define the value).
    public func entry(for value: UInt32, in version: KMIPVersion? = nil) -> EnumerationValue? {
        guard let positions = entriesByValue[value] else { return nil }
        var newest = values[positions[0]]
        for position in positions {
            let entry = values[position]
            if let version, entry.versions.contains(version) { return entry }
            if entry.versions.rawValue > newest.versions.rawValue { newest = entry }
        }
        return newest
    }

    /// Splits a mask into its named bits (in the order of the definition) and the bits no name
    /// covers.
    public func maskEntries(for bits: UInt32, in version: KMIPVersion? = nil) -> (entries: [EnumerationValue], unnamedBits: UInt32) {
        var remaining = bits
        var entries: [EnumerationValue] = []
        for entry in values where entry.value != 0 && bits & entry.value == entry.value && remaining & entry.value != 0 {
            if let named = self.entry(for: entry.value, in: version), named != entry { continue }
            entries.append(entry)
            remaining &= ~entry.value
        }
        return (entries, remaining)
    }

    /// A mask as text components: the XML names of its bits, then any unnamed bits as `0x` and
    /// eight hex digits; what the dump and the text encodings write.
    package func maskComponents(for bits: UInt32, in version: KMIPVersion?) -> [String] {
        let (entries, unnamed) = maskEntries(for: bits, in: version)
        var components = entries.map(\.xmlName)
        if unnamed != 0 { components.append("0x" + hexDigits(UInt64(unnamed), width: 8)) }
        return components
    }

    public static func == (lhs: EnumerationDefinition, rhs: EnumerationDefinition) -> Bool {
        lhs.name == rhs.name && lhs.xmlName == rhs.xmlName && lhs.kind == rhs.kind && lhs.values == rhs.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(values)
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
