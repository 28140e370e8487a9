// swift-kmip: KMIP
//
// The item types as Swift values: Integer, Long Integer, Big Integer, Boolean, Text String,
// Byte String, Date-Time, Interval, Date-Time Extended (KMIP 1.x §9.1.1.4, 2.x §10.1.3).

@usableFromInline
func typeMismatch(_ expected: ItemType, _ item: KMIPItem) -> KMIPError {
    KMIPError(.invalidValue, "\(tagName(item.tag)) must be \(expected), found \(item.itemType)")
}

extension Int32: KMIPCodable {
    /// Reads an Integer item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .integer(let value) = item.value else { throw typeMismatch(.integer, item) }
        self = value
    }

    /// Writes an Integer item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .integer(self)) }
}

extension Int64: KMIPCodable {
    /// Reads a Long Integer item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .longInteger(let value) = item.value else { throw typeMismatch(.longInteger, item) }
        self = value
    }

    /// Writes a Long Integer item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .longInteger(self)) }
}

extension KMIPBigInteger: KMIPCodable {
    /// Reads a Big Integer item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .bigInteger(let value) = item.value else { throw typeMismatch(.bigInteger, item) }
        self = value
    }

    /// Writes a Big Integer item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .bigInteger(self)) }
}

extension Bool: KMIPCodable {
    /// Reads a Boolean item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .boolean(let value) = item.value else { throw typeMismatch(.boolean, item) }
        self = value
    }

    /// Writes a Boolean item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .boolean(self)) }
}

extension String: KMIPCodable {
    /// Reads a Text String item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .textString(let value) = item.value else { throw typeMismatch(.textString, item) }
        self = value
    }

    /// Writes a Text String item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .textString(self)) }
}

extension Array: KMIPCodable where Element == UInt8 {
    /// Reads a Byte String item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .byteString(let value) = item.value else { throw typeMismatch(.byteString, item) }
        self = value
    }

    /// Writes a Byte String item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .byteString(self)) }
}

extension KMIPItem: KMIPCodable {
    /// Keeps the item as it is (a field the library models as a raw tree).
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws { self = item }

    /// The item with `tag`.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, value) }
}

extension KMIPItem.Value: KMIPCodable {
    /// Keeps the value of a field whose item type varies (Attribute Value, Adjustment Value, ...).
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws { self = item.value }

    /// The value as an item with `tag`.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, self) }
}

// MARK: - Time

/// A point in time with one-second resolution (Date-Time, item type 0x09).
///
/// On the wire: seconds since 1970-01-01T00:00:00Z as a 64-bit signed integer.
public struct KMIPDateTime: Hashable, Comparable, Sendable, KMIPCodable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    /// Creates a date-time `secondsSince1970` seconds after the Unix epoch.
    @inlinable
    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    /// Reads a Date-Time item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .dateTime(let value) = item.value else { throw typeMismatch(.dateTime, item) }
        secondsSince1970 = value
    }

    /// Writes a Date-Time item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .dateTime(secondsSince1970)) }

    /// The ISO 8601 form, as in the XML encoding.
    public var description: String {
        CivilTime.iso8601(seconds: secondsSince1970)
    }
}

/// A point in time with one-microsecond resolution (Date-Time Extended, item type 0x0B, KMIP 2.0+).
public struct KMIPDateTimeExtended: Hashable, Comparable, Sendable, KMIPCodable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSince1970: Int64

    /// Creates a date-time `microsecondsSince1970` microseconds after the Unix epoch.
    @inlinable
    public init(microsecondsSince1970: Int64) { self.microsecondsSince1970 = microsecondsSince1970 }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microsecondsSince1970 < rhs.microsecondsSince1970 }

    /// Reads a Date-Time Extended item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .dateTimeExtended(let value) = item.value else { throw typeMismatch(.dateTimeExtended, item) }
        microsecondsSince1970 = value
    }

    /// Writes a Date-Time Extended item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, .dateTimeExtended(microsecondsSince1970))
    }

    /// The ISO 8601 form with microseconds, as in the XML encoding.
    public var description: String {
        let (seconds, micros) = CivilTime.floorDivision(microsecondsSince1970, 1_000_000)
        return CivilTime.iso8601(seconds: seconds, microseconds: micros)
    }
}

/// A length of time in seconds (Interval, item type 0x0A).
public struct KMIPInterval: Hashable, Comparable, Sendable, KMIPCodable, CustomStringConvertible {
    /// The number of seconds.
    public var seconds: UInt32

    /// Creates an interval of `seconds` seconds.
    @inlinable
    public init(seconds: UInt32) { self.seconds = seconds }

    @inlinable
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.seconds < rhs.seconds }

    /// Reads an Interval item.
    @inlinable
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        guard case .interval(let value) = item.value else { throw typeMismatch(.interval, item) }
        seconds = value
    }

    /// Writes an Interval item.
    @inlinable
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem { KMIPItem(tag, .interval(seconds)) }

    public var description: String { "\(seconds) s" }
}

// MARK: - Protocol Version

extension KMIPVersion: KMIPCodable {
    /// Reads a Protocol Version structure (Protocol Version Major, Protocol Version Minor).
    public init(kmipItem item: KMIPItem, context: KMIPDecodingContext) throws {
        var reader = try KMIPStructureReader(item, context: context)
        let major: Int32 = try reader.decode(.protocolVersionMajor)
        let minor: Int32 = try reader.decode(.protocolVersionMinor)
        try reader.finish()
        self.init(major, minor)
    }

    /// Writes a Protocol Version structure.
    public func kmipItem(tag: Tag, context: KMIPEncodingContext) throws -> KMIPItem {
        KMIPItem(tag, structure: [
            KMIPItem(.protocolVersionMajor, .integer(major)),
            KMIPItem(.protocolVersionMinor, .integer(minor)),
        ])
    }
}
