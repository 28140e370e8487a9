// swift-kmip: KMIP
//
// The ordered field cursor typed models decode structures with.

/// An ordered cursor over the children of a structure item.
///
/// A model asks for its fields in the order the specification prints them; each request consumes
/// the next child when its tag matches. ``finish()`` then rejects what is left over (strict
/// decoding) or ignores it (tolerant decoding). Errors thrown while decoding a field get the
/// field's tag put in front of their tag path, so the caller sees where in the tree it failed.
public struct KMIPStructureReader {
    @usableFromInline let items: [KMIPItem]
    @usableFromInline var index: Int
    @usableFromInline let context: KMIPDecodingContext
    @usableFromInline let tag: Tag

    /// Opens the structure `item`.
    ///
    /// - Throws: `KMIPError.Code.invalidValue` when `item` is not a structure.
    @inlinable
    public init(_ item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .structure(let children) = item.value else {
            throw KMIPError(
                .invalidValue, "\(tagName(item.tag)) must be a Structure, found \(item.itemType)")
        }
        self.items = children
        self.index = 0
        self.context = context
        self.tag = item.tag
    }

    /// The decoding context of the structure.
    public var decodingContext: KMIPDecodingContext { context }

    /// The tag of the next unread child, if any.
    @inlinable
    public var nextTag: Tag? { index < items.count ? items[index].tag : nil }

    /// Consumes and returns the next child when it has `tag`.
    ///
    /// In tolerant decoding, children with other tags before it are skipped (a vendor's extra
    /// items, or fields of a newer specification); in strict decoding only the next child counts.
    @inlinable
    public mutating func nextItem(_ tag: Tag) -> KMIPItem? {
        guard index < items.count else { return nil }
        if items[index].tag == tag {
            index += 1
            return items[index - 1]
        }
        guard !context.rejectsUnknownItems, let found = items[(index + 1)...].firstIndex(where: { $0.tag == tag }) else {
            return nil
        }
        index = found + 1
        return items[found]
    }

    /// Consumes and returns the next child whose tag satisfies `predicate` (skipping others in
    /// tolerant decoding, as ``nextItem(_:)``).
    @inlinable
    public mutating func nextItem(where predicate: (Tag) -> Bool) -> KMIPItem? {
        guard index < items.count else { return nil }
        let found: Int
        if predicate(items[index].tag) {
            found = index
        } else if !context.rejectsUnknownItems, let later = items[(index + 1)...].firstIndex(where: { predicate($0.tag) }) {
            found = later
        } else {
            return nil
        }
        index = found + 1
        return items[found]
    }

    /// Consumes and returns the next child whatever its tag.
    @inlinable
    public mutating func nextItem() -> KMIPItem? {
        guard index < items.count else { return nil }
        defer { index += 1 }
        return items[index]
    }

    /// Consumes every next child with `tag` (after skipping others in tolerant decoding).
    @inlinable
    public mutating func nextItems(_ tag: Tag) -> ArraySlice<KMIPItem> {
        guard nextItem(tag) != nil else { return [] }
        let start = index - 1
        while index < items.count, items[index].tag == tag { index += 1 }
        return items[start..<index]
    }

    /// Reads an optional field.
    @inlinable
    public mutating func decodeIfPresent<T: KMIPCodable>(_ tag: Tag, as type: T.Type = T.self) throws -> T? {
        guard let item = nextItem(tag) else { return nil }
        return try Self.decodeItem(T.self, item, context)
    }

    /// Reads a required field.
    ///
    /// - Throws: `KMIPError.Code.missingField` when the next child does not have `tag`.
    @inlinable
    public mutating func decode<T: KMIPCodable>(_ tag: Tag, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(tag, as: T.self) else { throw missing(tag) }
        return value
    }

    /// Reads a field that may be repeated (zero or more times).
    @inlinable
    public mutating func decodeRepeated<T: KMIPCodable>(_ tag: Tag, as type: T.Type = T.self) throws -> [T] {
        let slice = nextItems(tag)
        if slice.isEmpty { return [] }
        var values: [T] = []
        values.reserveCapacity(slice.count)
        for item in slice { values.append(try Self.decodeItem(T.self, item, context)) }
        return values
    }

    /// Ends the structure: leftover children are an error in strict decoding.
    ///
    /// - Throws: `KMIPError.Code.unexpectedItem` naming the first leftover child.
    @inlinable
    public func finish() throws {
        guard index < items.count, context.rejectsUnknownItems else { return }
        let item = items[index]
        throw KMIPError(
            .unexpectedItem,
            "\(tagName(item.tag)) (\(item.itemType)) is not a field of \(tagName(tag)) here (child \(index + 1) of \(items.count))",
            tagPath: [item.tag])
    }

    /// The error for a missing required field.
    @inlinable
    public func missing(_ field: Tag) -> KMIPError {
        let found = nextTag.map { "found \(tagName($0))" } ?? "no more fields"
        return KMIPError(.missingField, "\(tagName(tag)) needs \(tagName(field)); \(found)", tagPath: [field])
    }

    @inlinable
    static func decodeItem<T: KMIPCodable>(_ type: T.Type, _ item: KMIPItem, _ context: KMIPDecodingContext) throws -> T {
        do {
            return try T(kmipItem: item, context: context)
        } catch let error as KMIPError {
            throw error.prefixed(by: item.tag)
        }
    }
}
