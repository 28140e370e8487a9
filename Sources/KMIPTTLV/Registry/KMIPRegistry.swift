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
    public static let standard = KMIPRegistry(
        tags: StandardTables.tagDefinitions(), enumerations: StandardTables.enumerationDefinitions())

    /// The tag definitions, in registration order.
    public private(set) var tags: [TagDefinition] = []
    /// The enumeration and mask definitions, in registration order.
    public private(set) var enumerations: [EnumerationDefinition] = []

    private var tagIndex: [Tag: Int] = [:]
    private var tagsByName: [String: Tag] = [:]
    private var enumerationsByName: [String: Int] = [:]
    /// The enumeration each tag carries, by position in `enumerations`, kept in step by `register`.
    private var enumerationOfTag: [Tag: Int] = [:]

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
        enumerationOfTag[definition.tag] = definition.enumeration.flatMap { enumerationsByName[$0] }
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
        for tag in tags where tag.enumeration == definition.name || tag.enumeration == definition.xmlName {
            enumerationOfTag[tag.tag] = index
        }
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
        enumerationOfTag[tag].map { enumerations[$0] }
    }
}
