// swift-kmip: KMIPTTLV
//
// The item tree: what every encoding of KMIP (TTLV, XML, JSON) reads and writes.

/// One KMIP item: a tag and a typed value; a structure holds further items, in order.
///
/// The tree is where the encodings meet. ``TTLVDecoder`` and ``TTLVEncoder`` turn bytes into a
/// tree and back, the XML and JSON encodings do the same with text, and the typed models of the
/// `KMIP` module read and write trees. A tree is a plain value: `Hashable`, `Sendable` and cheap
/// to copy.
///
/// ```swift
/// let header = KMIPItem(.requestHeader, structure: [
///     KMIPItem(.protocolVersion, structure: [
///         KMIPItem(.protocolVersionMajor, .integer(1)),
///         KMIPItem(.protocolVersionMinor, .integer(4)),
///     ]),
///     KMIPItem(.batchCount, .integer(1)),
/// ])
/// ```
public struct KMIPItem: Hashable, Sendable {
    /// The item's tag.
    public var tag: Tag
    /// The item's typed value.
    public var value: Value

    /// Creates an item from a tag and a value.
    @inlinable
    public init(_ tag: Tag, _ value: Value) {
        self.tag = tag
        self.value = value
    }

    /// Creates a structure item holding `children` in order.
    @inlinable
    public init(_ tag: Tag, structure children: [KMIPItem]) {
        self.tag = tag
        self.value = .structure(children)
    }

    /// The typed value of an item: one case per item type of KMIP 1.0 to 2.1.
    public enum Value: Hashable, Sendable {
        /// Items in order (Structure, 0x01).
        case structure([KMIPItem])
        /// A 32-bit signed integer (Integer, 0x02).
        case integer(Int32)
        /// A 64-bit signed integer (Long Integer, 0x03).
        case longInteger(Int64)
        /// An arbitrary-precision integer (Big Integer, 0x04).
        case bigInteger(KMIPBigInteger)
        /// An enumeration value, including vendor values `0x8XXXXXXX` (Enumeration, 0x05).
        case enumeration(UInt32)
        /// A Boolean (Boolean, 0x06).
        case boolean(Bool)
        /// UTF-8 text (Text String, 0x07).
        case textString(String)
        /// Raw bytes (Byte String, 0x08).
        case byteString([UInt8])
        /// Seconds since 1970-01-01T00:00:00Z (Date-Time, 0x09).
        case dateTime(Int64)
        /// A number of seconds (Interval, 0x0A).
        case interval(UInt32)
        /// Microseconds since 1970-01-01T00:00:00Z (Date-Time Extended, 0x0B; KMIP 2.0+).
        case dateTimeExtended(Int64)

        /// The item type of this value.
        @inlinable
        public var itemType: ItemType {
            switch self {
            case .structure: .structure
            case .integer: .integer
            case .longInteger: .longInteger
            case .bigInteger: .bigInteger
            case .enumeration: .enumeration
            case .boolean: .boolean
            case .textString: .textString
            case .byteString: .byteString
            case .dateTime: .dateTime
            case .interval: .interval
            case .dateTimeExtended: .dateTimeExtended
            }
        }
    }

    /// The item type of the value.
    @inlinable
    public var itemType: ItemType { value.itemType }

    /// The children of a structure, or `nil` for any other item.
    @inlinable
    public var children: [KMIPItem]? {
        if case .structure(let items) = value { return items }
        return nil
    }

    /// The first child with `tag`, or `nil` (also for items that are not structures).
    public func child(_ tag: Tag) -> KMIPItem? {
        children?.first { $0.tag == tag }
    }

    /// Every child with `tag`, in order.
    public func children(_ tag: Tag) -> [KMIPItem] {
        children?.filter { $0.tag == tag } ?? []
    }

    /// The number of items in the tree, this one included.
    public var itemCount: Int {
        guard case .structure(let items) = value else { return 1 }
        return items.reduce(1) { $0 + $1.itemCount }
    }
}
