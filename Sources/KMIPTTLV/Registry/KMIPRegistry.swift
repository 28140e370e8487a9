// swift-kmip: KMIPTTLV
//
// The registry: tag <-> name <-> item type, enumerations and masks, per KMIP version.

/// What KMIP's specifications define: tags with their names and item types, enumerations and
/// masks with their values, and the versions each exists in.
///
/// ``standard`` holds every tag, enumeration and mask of KMIP 1.0 to 2.1, generated from the
/// specification tables in `Codegen/Tables`. A registry is a value: add a vendor's extension
/// tags and enumerations to a copy with ``register(_:)-(TagDefinition)``.
///
/// The binary codec does not need the registry; the text encodings, the dump and the typed
/// models use it to name things.
public struct KMIPRegistry: Sendable {
    /// Every tag, enumeration and mask of KMIP 1.0 to 2.1.
    public static let standard = KMIPRegistry(tags: standardTags, enumerations: standardEnumerations)

    /// The tag definitions, in registration order.
    public private(set) var tags: [TagDefinition] = []
    /// The enumeration and mask definitions, in registration order.
    public private(set) var enumerations: [EnumerationDefinition] = []

    private var tagIndex: [Tag: Int] = [:]
    private var tagsByName: [String: Tag] = [:]
    private var enumerationsByName: [String: Int] = [:]
    private var enumerationsByTag: [Tag: Int] = [:]

    /// Creates a registry from definitions; later definitions of the same tag or name win.
    public init(tags: [TagDefinition], enumerations: [EnumerationDefinition]) {
        tagIndex.reserveCapacity(tags.count)
        tagsByName.reserveCapacity(tags.count * 2)
        for tag in tags { register(tag) }
        for enumeration in enumerations { register(enumeration) }
    }

    /// Adds or replaces the definition of a tag.
    public mutating func register(_ definition: TagDefinition) {
        if let index = tagIndex[definition.tag] {
            tags[index] = definition
        } else {
            tagIndex[definition.tag] = tags.count
            tags.append(definition)
        }
        tagsByName[definition.xmlName] = definition.tag
        tagsByName[definition.name] = definition.tag
    }

    /// Adds or replaces an enumeration or mask (matched by name).
    public mutating func register(_ definition: EnumerationDefinition) {
        let index: Int
        if let existing = enumerationsByName[definition.name] {
            index = existing
            enumerations[index] = definition
        } else {
            index = enumerations.count
            enumerations.append(definition)
        }
        enumerationsByName[definition.name] = index
        enumerationsByName[definition.xmlName] = index
        if let tag = definition.tag { enumerationsByTag[tag] = index }
    }

    /// The definition of `tag`, or `nil` for a tag the registry does not know.
    public func definition(of tag: Tag) -> TagDefinition? {
        tagIndex[tag].map { tags[$0] }
    }

    /// The tag with this XML name (`UniqueIdentifier`) or specification name (`Unique Identifier`).
    public func tag(named name: String) -> Tag? {
        tagsByName[name]
    }

    /// The enumeration or mask with this name (`Cryptographic Algorithm` or `CryptographicAlgorithm`).
    public func enumeration(named name: String) -> EnumerationDefinition? {
        enumerationsByName[name].map { enumerations[$0] }
    }

    /// The enumeration or mask whose values `tag` carries, if any.
    public func enumeration(for tag: Tag) -> EnumerationDefinition? {
        enumerationsByTag[tag].map { enumerations[$0] }
    }
}

extension EnumerationDefinition {
    /// The value named `name`: an XML name (`SymmetricKey`) or a printed name (`Symmetric Key`).
    public func value(named name: String) -> UInt32? {
        values.first { $0.xmlName == name || $0.name == name }?.value
    }

    /// The entry that names `value`, preferring the name `version` uses (the newest name when
    /// `version` is `nil` or does not define the value).
    public func entry(for value: UInt32, in version: KMIPVersion? = nil) -> EnumerationValue? {
        var newest: EnumerationValue?
        for entry in values where entry.value == value {
            if let version, entry.versions.contains(version) { return entry }
            if newest == nil || entry.versions.rawValue > newest!.versions.rawValue { newest = entry }
        }
        return newest
    }

    /// Splits a mask into its named bits (in the order of the definition) and the bits no name
    /// covers.
    public func maskEntries(for bits: UInt32, in version: KMIPVersion? = nil) -> (entries: [EnumerationValue], unnamedBits: UInt32) {
        var remaining = bits
        var entries: [EnumerationValue] = []
        for entry in values where entry.value != 0 && bits & entry.value == entry.value && remaining & entry.value != 0 {
            if let version, !entry.versions.contains(version), values.contains(where: { $0.value == entry.value && $0.versions.contains(version) }) {
                continue
            }
            entries.append(entry)
            remaining &= ~entry.value
        }
        return (entries, remaining)
    }
}
