// swift-kmip: KMIP
//
// The protocol every typed model conforms to, and the contexts it is encoded and decoded in.

/// A value that converts to and from one item of the KMIP tree.
///
/// Typed models are not `Codable`: KMIP fields are numeric tags, ordered, typed, and their
/// meaning depends on context (the Operation picks the payload, the Attribute Name the value
/// type, the Key Format Type the key material). A model reads its item through a
/// ``KMIPStructureReader`` (an ordered cursor) and writes it through a ``KMIPStructureWriter``.
///
/// Decoding is version-neutral: it accepts the shape of every KMIP version from 1.0 to 2.1.
/// Encoding is strict: it writes the shape of ``KMIPEncodingContext/version`` and throws
/// `KMIPError.Code.unsupportedInVersion` for a field that version does not define.
public protocol KMIPCodable: Sendable {
    /// Reads a value from `item`; the item's tag is not checked (the caller chose it).
    ///
    /// - Throws: `KMIPError` naming the tag path of what was wrong.
    init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws

    /// Writes the value as one item with `tag`, in the shape of `context.version`.
    ///
    /// - Throws: `KMIPError` when the value cannot be written for that version.
    func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem
}

/// How typed models are read from the tree.
public struct KMIPDecodingContext: Sendable {
    /// Whether items a model does not define are an error (`true`) or ignored (`false`).
    ///
    /// Unknown payloads of unknown operations are kept as raw trees either way; this only governs
    /// extra items inside structures the library knows. The server-to-client forms of Query,
    /// Discover Versions and Set Endpoint Role (KMIP 1.3+) have the fields of the client-to-server
    /// forms or a subset, so the same payload types read them.
    public var rejectsUnknownItems: Bool

    /// Tolerant decoding: extra items are ignored, as real servers send them.
    public static let tolerant = KMIPDecodingContext(rejectsUnknownItems: false)

    /// Strict decoding: any item a model does not define is an error (used by the conformance checks).
    public static let strict = KMIPDecodingContext(rejectsUnknownItems: true)

    /// Creates a decoding context.
    public init(rejectsUnknownItems: Bool) {
        self.rejectsUnknownItems = rejectsUnknownItems
    }
}

/// How typed models are written to the tree.
public struct KMIPEncodingContext: Sendable {
    /// The protocol version whose wire form is written.
    public var version: KMIPVersion

    /// Creates an encoding context for `version`.
    public init(version: KMIPVersion) {
        self.version = version
    }

    /// Whether `version` is KMIP 2.0 or later (the 2.x attribute and identifier forms).
    @inlinable
    public var isVersion2: Bool { version.major >= 2 }
}

extension KMIPCodable {
    /// Reads a value from `item` with tolerant decoding.
    public init(kmipItem item: KMIPItem) throws {
        try self.init(kmipItem: item, context: .tolerant)
    }
}

extension KMIPError.Code {
    /// A field, value or operation that the protocol version in use does not define.
    public static let unsupportedInVersion = KMIPError.Code(rawValue: "unsupportedInVersion")
}

extension KMIPError {
    /// The error with `tag` put in front of its tag path.
    @usableFromInline
    func prefixed(by tag: Tag) -> KMIPError {
        var copy = self
        copy.tagPath.insert(tag, at: 0)
        return copy
    }
}

/// The registry name of a tag, or its hex form.
@usableFromInline
func tagName(_ tag: Tag) -> String {
    KMIPRegistry.standard.definition(of: tag)?.name ?? tag.description
}
