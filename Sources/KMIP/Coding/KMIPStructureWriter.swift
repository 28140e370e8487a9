// swift-kmip: KMIP
//
// The builder typed models encode structures with.

/// Builds the children of a structure item in order, for one protocol version.
///
/// Each field names the versions that define it and the versions that require it: a value for a
/// field the version lacks, or a missing required field, is an error before anything is sent.
public struct KMIPStructureWriter {
    @usableFromInline var items: [KMIPItem]
    /// The encoding context (protocol version) of the structure.
    public let context: KMIPEncodingContext
    @usableFromInline let name: StaticString

    /// Starts a structure called `name` (its specification name, used in error messages).
    @inlinable
    public init(_ name: StaticString, context: KMIPEncodingContext, capacity: Int = 4) {
        self.items = []
        self.items.reserveCapacity(capacity)
        self.context = context
        self.name = name
    }

    /// Appends an item as it is.
    @inlinable
    public mutating func append(_ item: KMIPItem) {
        items.append(item)
    }

    /// Writes an optional field defined in `versions` and required in `required`.
    ///
    /// - Throws: `KMIPError.Code.unsupportedInVersion` for a value the version does not define,
    ///   `KMIPError.Code.missingField` for a missing value the version requires.
    @inlinable
    public mutating func encode<T: KMIPCodable>(
        _ value: T?, _ tag: Tag, versions: KMIPVersionSet = .all, required: KMIPVersionSet = []
    ) throws {
        guard let value else {
            if required.contains(context.version) { throw missing(tag) }
            return
        }
        if !versions.contains(context.version) { throw unsupported(tag, versions) }
        items.append(try Self.encode(value, tag, context))
    }

    /// Writes a repeatable field.
    @inlinable
    public mutating func encode<T: KMIPCodable>(
        _ values: [T], _ tag: Tag, versions: KMIPVersionSet = .all, required: KMIPVersionSet = []
    ) throws {
        if values.isEmpty {
            if required.contains(context.version) { throw missing(tag) }
            return
        }
        if !versions.contains(context.version) { throw unsupported(tag, versions) }
        for value in values { items.append(try Self.encode(value, tag, context)) }
    }

    /// The finished structure item.
    @inlinable
    public func item(tag: Tag) -> KMIPItem {
        KMIPItem(tag, .structure(items))
    }

    @inlinable
    static func encode<T: KMIPCodable>(_ value: T, _ tag: Tag, _ context: KMIPEncodingContext) throws -> KMIPItem {
        do {
            return try value.kmipItem(tag: tag, context: context)
        } catch let error as KMIPError {
            throw error.prefixed(by: tag)
        }
    }

    /// The error for a field the version does not define.
    public func unsupported(_ tag: Tag, _ versions: KMIPVersionSet) -> KMIPError {
        KMIPError(
            .unsupportedInVersion,
            "\(tagName(tag)) is not a field of \(name) in KMIP \(context.version) (defined in \(versions.isEmpty ? "no version" : versions.description))",
            tagPath: [tag])
    }

    /// The error for a required field without a value.
    public func missing(_ tag: Tag) -> KMIPError {
        KMIPError(.missingField, "\(name) in KMIP \(context.version) requires \(tagName(tag))", tagPath: [tag])
    }
}
